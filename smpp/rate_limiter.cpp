#include "smpp/rate_limiter.h"

#include <algorithm>

namespace pintar::smpp {

namespace {
constexpr int64_t kUnit = 1'000'000'000;  // one token
}

RateLimiter::RateLimiter(int rate, int burst, Clock::SteadyTime now)
    : rate_(rate), capacity_(int64_t{std::max(burst, 1)} * kUnit), level_(capacity_), last_(now) {}

void RateLimiter::refill(Clock::SteadyTime now) {
  if (now <= last_) return;
  const int64_t elapsed_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_).count();
  // elapsed_ns * rate tokens-ns; capped before multiplying to stay within 64 bits.
  const int64_t gained = std::min(elapsed_ns, capacity_) * rate_;
  level_ = std::min(capacity_, level_ + gained);
  last_ = now;
}

bool RateLimiter::try_take(Clock::SteadyTime now) {
  if (rate_ == 0) return true;
  refill(now);
  if (level_ < kUnit) return false;
  level_ -= kUnit;
  return true;
}

Clock::SteadyTime RateLimiter::next_token(Clock::SteadyTime now) {
  if (rate_ == 0) return now;
  refill(now);
  if (level_ >= kUnit) return now;
  const int64_t missing = kUnit - level_;
  return now + std::chrono::nanoseconds((missing + rate_ - 1) / rate_);
}

}  // namespace pintar::smpp
