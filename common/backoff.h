// Reconnect delay: exponential from `min`, capped at `max`, with "equal jitter" (uniform in
// [d/2, d]) so that many clients of a restarted peer (binds of an SMSC, P2APST links) do not
// reconnect in step. One implementation for every link (smpp/session, vending/p2apst/link).
// Thread-safe if the random engine is not shared.
#ifndef PINTAR_COMMON_BACKOFF_H_
#define PINTAR_COMMON_BACKOFF_H_

#include <chrono>
#include <optional>
#include <random>

#include "common/clock.h"

namespace pintar {

std::chrono::milliseconds backoff_delay(int failures, std::chrono::milliseconds min, std::chrono::milliseconds max,
                                        std::minstd_rand& random);

// A link's reconnect backoff. A successful bind (SMPP) or sign-on (P2APST) does not reset
// it: a peer that accepts the bind and drops the link at once would otherwise get a
// reconnect every `min` forever. Only a link that stayed up `kStableLink` starts again from
// `min`. One per link; not synchronised (the link's own thread owns it).
class ReconnectBackoff {
 public:
  static constexpr std::chrono::seconds kStableLink{30};

  ReconnectBackoff(std::chrono::milliseconds min, std::chrono::milliseconds max) : min_(min), max_(max) {}

  // The bind / sign-on succeeded at `now`.
  void bound(Clock::SteadyTime now) { bound_at_ = now; }

  // The link closed at `now`: the delay before the next connect.
  std::chrono::milliseconds next_delay(Clock::SteadyTime now, std::minstd_rand& random);

  int failures() const { return failures_; }

 private:
  std::chrono::milliseconds min_, max_;
  int failures_ = 0;
  std::optional<Clock::SteadyTime> bound_at_;  // set by bound(), cleared by next_delay()
};

}  // namespace pintar

#endif  // PINTAR_COMMON_BACKOFF_H_
