// Token bucket for an operator's submit_sm-per-second limit, on the Clock seam. Integer
// arithmetic in nanosecond-tokens: `rate` tokens per second, at most `burst` stored.
// Not thread-safe; one per bind.
#ifndef PINTAR_SMPP_RATE_LIMITER_H_
#define PINTAR_SMPP_RATE_LIMITER_H_

#include <chrono>
#include <cstdint>

#include "common/clock.h"

namespace pintar::smpp {

class RateLimiter {
 public:
  // rate 0 = unlimited. The bucket starts full.
  RateLimiter(int rate, int burst, Clock::SteadyTime now);
  // Takes one token if there is one.
  bool try_take(Clock::SteadyTime now);
  // When the next token will be there (now if one is).
  Clock::SteadyTime next_token(Clock::SteadyTime now);

 private:
  void refill(Clock::SteadyTime now);

  int64_t rate_;
  int64_t capacity_;  // burst * 1e9
  int64_t level_;     // tokens * 1e9
  Clock::SteadyTime last_;
};

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_RATE_LIMITER_H_
