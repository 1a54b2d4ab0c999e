#include "gateway/receipt_latency.h"

namespace pintar::gateway {

void ReceiptLatency::submitted(std::string_view message_id, Clock::SteadyTime at) {
  if (message_id.empty() || capacity_ == 0) return;
  std::lock_guard lock(mutex_);
  const uint64_t serial = next_serial_++;
  auto [it, inserted] = by_id_.try_emplace(std::string(message_id), Submit{at, serial});
  if (!inserted) {  // reused id: measure from the newest submit
    by_age_.erase(it->second.serial);
    it->second = Submit{at, serial};
  }
  by_age_.emplace(serial, it->first);
  while (by_id_.size() > capacity_) {
    auto oldest = by_age_.begin();
    by_id_.erase(oldest->second);
    by_age_.erase(oldest);
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
    by_age_.erase(it->second.serial);
    by_id_.erase(it);
  }
  histogram_.observe(at - submitted_at);
  return true;
}

size_t ReceiptLatency::remembered() const {
  std::lock_guard lock(mutex_);
  return by_id_.size();
}

}  // namespace pintar::gateway
