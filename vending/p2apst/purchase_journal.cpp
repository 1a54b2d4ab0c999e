#include "vending/p2apst/purchase_journal.h"

#include <algorithm>

#include <fmt/format.h>

namespace pintar::p2apst {

Result<int64_t> MemoryPurchaseJournal::record_intent(const PurchaseRecord& intent) {
  std::lock_guard lock(mutex_);
  PurchaseRecord& r = records_.emplace_back(intent);
  r.id = static_cast<int64_t>(records_.size());
  r.state = PurchaseState::kIntent;
  r.advice_count = 0;
  r.stan.clear();
  r.response_code.clear();
  r.response_bit48.clear();
  return r.id;
}

Result<PurchaseRecord*> MemoryPurchaseJournal::find_locked(int64_t id) {
  if (id < 1 || id > static_cast<int64_t>(records_.size())) return Status::not_found(fmt::format("purchase {}", id));
  return &records_[static_cast<size_t>(id - 1)];
}

Status MemoryPurchaseJournal::mark_sent(int64_t id, PurchaseState from, PurchaseState state, std::string_view stan,
                                        int advice_count) {
  std::lock_guard lock(mutex_);
  auto r = find_locked(id);
  if (!r.ok()) return r.status();
  if ((*r)->state != from || (*r)->advice_count != expected_advice_count(state, advice_count)) {
    return state_conflict(id, from, state, (*r)->state, (*r)->advice_count);
  }
  (*r)->state = state;
  (*r)->stan = stan;
  (*r)->advice_count = advice_count;
  return Status();
}

Status MemoryPurchaseJournal::record_outcome(int64_t id, PurchaseState from, PurchaseState state,
                                             std::string_view response_code, std::string_view response_bit48) {
  std::lock_guard lock(mutex_);
  auto r = find_locked(id);
  if (!r.ok()) return r.status();
  if ((*r)->state != from) return state_conflict(id, from, state, (*r)->state, (*r)->advice_count);
  (*r)->state = state;
  (*r)->response_code = response_code;
  (*r)->response_bit48 = response_bit48;
  return Status();
}

Result<std::vector<PurchaseRecord>> MemoryPurchaseJournal::list_unresolved() {
  std::lock_guard lock(mutex_);
  std::vector<PurchaseRecord> out;
  std::copy_if(records_.begin(), records_.end(), std::back_inserter(out),
               [](const PurchaseRecord& r) { return is_unresolved(r.state); });
  return out;
}

Result<PurchaseRecord> MemoryPurchaseJournal::get(int64_t id) {
  std::lock_guard lock(mutex_);
  auto r = find_locked(id);
  if (!r.ok()) return r.status();
  return **r;
}

Result<std::optional<PurchaseRecord>> MemoryPurchaseJournal::find_by_txn(std::string_view txn_id) {
  std::lock_guard lock(mutex_);
  if (txn_id.empty()) return std::optional<PurchaseRecord>();
  const auto newest = std::find_if(records_.rbegin(), records_.rend(),
                                   [&](const PurchaseRecord& r) { return r.txn_id == txn_id; });
  if (newest == records_.rend()) return std::optional<PurchaseRecord>();
  return std::optional<PurchaseRecord>(*newest);
}

}  // namespace pintar::p2apst
