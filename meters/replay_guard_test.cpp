#include "meters/replay_guard.h"

#include <random>
#include <set>

#include <catch2/catch.hpp>

namespace pintar::meters {
namespace {

// Feeds counters through the pure rule, returning what each got.
std::vector<ReplayCheck> run(std::initializer_list<uint32_t> counters, uint32_t window) {
  ReplayState state;
  std::vector<ReplayCheck> out;
  for (uint32_t c : counters) {
    out.push_back(check_counter(state, c, window));
    if (out.back() == ReplayCheck::kFresh) state = accept_counter(state, c);
  }
  return out;
}

constexpr auto F = ReplayCheck::kFresh;
constexpr auto R = ReplayCheck::kReplayed;
constexpr auto O = ReplayCheck::kTooOld;

TEST_CASE("window 0 is the strict rule: only a counter above the highest is fresh", "[meters][replay]") {
  CHECK(run({1, 2, 5, 5, 4, 6, 1}, 0) == std::vector{F, F, F, R, O, F, O});
  CHECK(run({0}, 0) == std::vector{O});
}

TEST_CASE("a window takes an overtaken counter once, and refuses it after", "[meters][replay]") {
  CHECK(run({5, 3, 4, 3, 4, 5, 6, 2}, 64) == std::vector{F, F, F, R, R, R, F, F});
  // 100 ahead of 1: counter 1 has left the 64-wide window; 37 (63 behind) is still in it.
  CHECK(run({1, 100, 37, 36, 1, 37}, 64) == std::vector{F, F, F, O, O, R});
  CHECK(run({0, 1, 0}, 64) == std::vector{O, F, O});
  // A jump of 64 or more forgets the old bitmap entirely, which is safe: all of it is too old now.
  CHECK(run({1, 2, 70, 2, 7, 8}, 64) == std::vector{F, F, F, O, F, F});
}

TEST_CASE("the rule accepts each counter at most once, matching a plain model", "[meters][replay]") {
  std::mt19937 random(20261202);
  for (uint32_t window : {0U, 1U, 8U, 63U, 64U, 1000U}) {
    const uint32_t effective = std::min(window, kMaxReplayWindow);
    ReplayState state;
    std::set<uint32_t> accepted;
    uint32_t highest = 0;
    for (int i = 0; i < 5000; ++i) {
      // Mostly forward with reordering and repeats, sometimes far back or far ahead.
      const int64_t step = std::uniform_int_distribution<int>(-80, 8)(random);
      const uint32_t c = static_cast<uint32_t>(std::max<int64_t>(1, static_cast<int64_t>(highest) + step));
      const ReplayCheck got = check_counter(state, c, window);
      // The model keeps every accepted counter in a set instead of a bitmap.
      ReplayCheck want = F;
      if (c <= highest && highest - c >= effective) {
        want = c == highest ? R : O;  // only with window 0 is highest itself outside the window
      } else if (c <= highest) {
        want = accepted.contains(c) ? R : F;
      }
      INFO("window " << window << " counter " << c << " highest " << highest);
      REQUIRE(got == want);
      if (got == F) {
        REQUIRE_FALSE(accepted.contains(c));
        state = accept_counter(state, c);
        accepted.insert(c);
        highest = std::max(highest, c);
      }
      REQUIRE(state.highest == highest);
    }
  }
}

TEST_CASE("ReplayGuard records a fresh counter in the store and refuses it the second time", "[meters][replay]") {
  MemoryReplayStore store;
  ReplayGuard guard(store, 64);
  CHECK(guard.admit("K1", 3).value() == F);
  CHECK(guard.admit("K1", 3).value() == R);
  CHECK(guard.admit("K2", 3).value() == F);  // counters are per key id
  CHECK(store.get("K1") == ReplayState{3, 1});
  CHECK(guard.admit("K1", 2).value() == F);
  CHECK(store.get("K1") == ReplayState{3, 3});
  CHECK_FALSE(store.get("K3").has_value());

  // What the store holds is all there is: a second guard (another process, a restart) agrees.
  ReplayGuard restarted(store, 64);
  CHECK(restarted.admit("K1", 2).value() == R);
  CHECK(restarted.admit("K1", 4).value() == F);
  CHECK(ReplayGuard(store, 1000).window() == kMaxReplayWindow);
}

TEST_CASE("a refused counter leaves the stored state untouched", "[meters][replay]") {
  MemoryReplayStore store;
  ReplayGuard guard(store, 0);
  REQUIRE(guard.admit("K1", 10).value() == F);
  const auto before = store.get("K1");
  CHECK(guard.admit("K1", 9).value() == O);
  CHECK(guard.admit("K1", 10).value() == R);
  CHECK(store.get("K1") == before);
}

}  // namespace
}  // namespace pintar::meters
