#include "meters/replay_guard.h"

#include <algorithm>

namespace pintar::meters {

ReplayCheck check_counter(const ReplayState& state, uint32_t counter, uint32_t window) {
  if (counter == 0) return ReplayCheck::kTooOld;  // never sent: counters start at 1
  if (counter > state.highest) return ReplayCheck::kFresh;
  const uint32_t behind = state.highest - counter;  // 0 is highest itself
  if (behind >= std::min(window, kMaxReplayWindow)) {
    return behind == 0 ? ReplayCheck::kReplayed : ReplayCheck::kTooOld;  // window 0: strict
  }
  return (state.seen >> behind) & 1U ? ReplayCheck::kReplayed : ReplayCheck::kFresh;
}

ReplayState accept_counter(const ReplayState& state, uint32_t counter) {
  ReplayState next = state;
  if (counter > state.highest) {
    const uint32_t shift = counter - state.highest;
    next.seen = shift >= 64 ? 0 : state.seen << shift;
    next.seen |= 1U;
    next.highest = counter;
  } else {
    next.seen |= uint64_t{1} << (state.highest - counter);
  }
  return next;
}

Status MemoryReplayStore::update(std::string_view key_id, const Decide& decide) {
  std::lock_guard lock(mutex_);
  auto it = states_.find(key_id);
  const ReplayState current = it == states_.end() ? ReplayState{} : it->second;
  if (auto next = decide(current)) {
    if (it == states_.end()) {
      states_.emplace(std::string(key_id), *next);
    } else {
      it->second = *next;
    }
  }
  return Status::ok_status();
}

std::optional<ReplayState> MemoryReplayStore::get(std::string_view key_id) const {
  std::lock_guard lock(mutex_);
  auto it = states_.find(key_id);
  if (it == states_.end()) return std::nullopt;
  return it->second;
}

ReplayGuard::ReplayGuard(ReplayStore& store, uint32_t window)
    : store_(store), window_(std::min(window, kMaxReplayWindow)) {}

Result<ReplayCheck> ReplayGuard::admit(std::string_view key_id, uint32_t counter) {
  ReplayCheck check = ReplayCheck::kTooOld;
  const Status stored = store_.update(key_id, [&](const ReplayState& state) -> std::optional<ReplayState> {
    check = check_counter(state, counter, window_);
    if (check != ReplayCheck::kFresh) return std::nullopt;
    return accept_counter(state, counter);
  });
  if (!stored.ok()) return stored;
  return check;
}

}  // namespace pintar::meters
