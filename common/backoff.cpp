#include "common/backoff.h"

#include <algorithm>

namespace pintar {

std::chrono::milliseconds backoff_delay(int failures, std::chrono::milliseconds min, std::chrono::milliseconds max,
                                        std::minstd_rand& random) {
  const int doublings = std::clamp(failures, 0, 30);
  const int64_t full = std::min<int64_t>(max.count(), min.count() << std::min(doublings, 20));
  std::uniform_int_distribution<int64_t> jitter(full / 2, full);
  return std::chrono::milliseconds(jitter(random));
}

std::chrono::milliseconds ReconnectBackoff::next_delay(Clock::SteadyTime now, std::minstd_rand& random) {
  if (bound_at_ && now - *bound_at_ >= kStableLink) failures_ = 0;
  bound_at_.reset();
  return backoff_delay(failures_++, min_, max_, random);
}

}  // namespace pintar
