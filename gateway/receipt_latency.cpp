#include "gateway/receipt_latency.h"

namespace pintar::gateway {

void ReceiptLatency::submitted(std::string_view message_id, Clock::SteadyTime at) {
  if (message_id.empty() || capacity_ == 0) return;
  std::lock_guard lock(mutex_);
  const uint64_t serial = next_serial_++;
  // A reused id is measured from its newest submit; its older place in order_ goes stale.
  by_id_.insert_or_assign(std::string(message_id), Submit{at, serial});
  order_.emplace_back(serial, std::string(message_id));
  while (order_.size() > capacity_) {
    const auto& [oldest_serial, oldest_id] = order_.front();
    // Forgotten only if it is still that submit (not measured yet, not submitted again since).
    if (auto it = by_id_.find(oldest_id); it != by_id_.end() && it->second.serial == oldest_serial) by_id_.erase(it);
    order_.pop_front();
  }
}

bool ReceiptLatency::receipt(std::string_view message_id, bool is_final, Clock::SteadyTime at) {
  if (!is_final) return false;
  Clock::SteadyTime submitted_at;
  {
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(std::string(message_id));
    if (it == by_id_.end()) return false;
    submitted_at = it->second.at;
    by_id_.erase(it);  // its place in order_ goes stale and is dropped in turn
  }
  histogram_.observe(at - submitted_at);
  return true;
}

size_t ReceiptLatency::remembered() const {
  std::lock_guard lock(mutex_);
  return by_id_.size();
}

}  // namespace pintar::gateway
