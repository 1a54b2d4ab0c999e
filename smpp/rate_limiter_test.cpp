#include "smpp/rate_limiter.h"

#include <catch2/catch.hpp>

namespace pintar::smpp {
namespace {

using namespace std::chrono_literals;

TEST_CASE("token bucket on a ManualClock: burst, then the operator's rate") {
  ManualClock clock(Clock::WallTime{});
  RateLimiter limiter(10, 10, clock.steady_now());
  for (int i = 0; i < 10; ++i) CHECK(limiter.try_take(clock.steady_now()));
  CHECK(!limiter.try_take(clock.steady_now()));
  CHECK(limiter.next_token(clock.steady_now()) == clock.steady_now() + 100ms);
  clock.advance(99ms);
  CHECK(!limiter.try_take(clock.steady_now()));
  clock.advance(1ms);
  CHECK(limiter.try_take(clock.steady_now()));
  clock.advance(10s);  // refills to the burst, not beyond
  int taken = 0;
  while (limiter.try_take(clock.steady_now())) ++taken;
  CHECK(taken == 10);
}

TEST_CASE("rate 0 is unlimited") {
  ManualClock clock(Clock::WallTime{});
  RateLimiter limiter(0, 0, clock.steady_now());
  int taken = 0;
  while (taken < 100000 && limiter.try_take(clock.steady_now())) ++taken;
  CHECK(taken == 100000);
}

}  // namespace
}  // namespace pintar::smpp
