#include "common/backoff.h"

#include <catch2/catch.hpp>

namespace pintar {
namespace {

using namespace std::chrono_literals;

TEST_CASE("reconnect backoff doubles, is capped, and is jittered") {
  std::minstd_rand random(1);
  for (int failures = 0; failures < 40; ++failures) {
    const auto d = backoff_delay(failures, 1000ms, 60000ms, random);
    const int64_t full = std::min<int64_t>(60000, int64_t{1000} << std::min(failures, 20));
    CHECK(d.count() >= full / 2);
    CHECK(d.count() <= full);
  }
}

TEST_CASE("a bind that is dropped at once keeps backing off; one that stayed up starts over") {
  ManualClock clock(Clock::WallTime{});
  std::minstd_rand random(1);
  ReconnectBackoff backoff(1000ms, 60000ms);
  // The SMSC accepts every bind and drops the link a second later.
  std::chrono::milliseconds delay{};
  for (int round = 0; round < 8; ++round) {
    backoff.bound(clock.steady_now());
    clock.advance(1s);
    delay = backoff.next_delay(clock.steady_now(), random);
    clock.advance(delay);
  }
  CHECK(backoff.failures() == 8);
  CHECK(delay >= 30000ms);  // 1000 ms << 7 = 128 s, capped at 60 s, jittered down to half at most

  // A link that stays up kStableLink is healthy again: the next delay is from `min`.
  backoff.bound(clock.steady_now());
  clock.advance(ReconnectBackoff::kStableLink);
  delay = backoff.next_delay(clock.steady_now(), random);
  CHECK(delay >= 500ms);
  CHECK(delay <= 1000ms);
  CHECK(backoff.failures() == 1);

  // Failed connects (never bound) keep doubling.
  clock.advance(delay);
  delay = backoff.next_delay(clock.steady_now(), random);
  CHECK(delay >= 1000ms);
  CHECK(delay <= 2000ms);
}

}  // namespace
}  // namespace pintar
