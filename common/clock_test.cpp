#include "common/clock.h"

#include <future>
#include <vector>

#include <catch2/catch.hpp>

namespace pintar {
namespace {

using namespace std::chrono_literals;

TEST_CASE("manual clock: tasks run in time order, each with the clock at its own time") {
  ManualClock clock(Clock::WallTime{});
  const auto t0 = clock.steady_now();
  std::vector<std::pair<int, Clock::SteadyTime>> ran;
  clock.schedule_after(30ms, [&] { ran.emplace_back(3, clock.steady_now()); });
  clock.schedule_after(10ms, [&] { ran.emplace_back(1, clock.steady_now()); });
  clock.schedule_after(10ms, [&] { ran.emplace_back(2, clock.steady_now()); });  // tie: scheduling order
  clock.schedule_after(50ms, [&] { ran.emplace_back(5, clock.steady_now()); });
  CHECK(clock.pending() == 4);
  clock.advance(29ms);
  REQUIRE(ran.size() == 2);
  CHECK(ran[0] == std::pair(1, t0 + 10ms));
  CHECK(ran[1] == std::pair(2, t0 + 10ms));
  clock.advance(1ms);
  REQUIRE(ran.size() == 3);
  CHECK(ran[2] == std::pair(3, t0 + 30ms));
  CHECK(clock.steady_now() == t0 + 30ms);
  CHECK(clock.next_timer() == t0 + 50ms);
}

TEST_CASE("manual clock: a task may schedule another; due ones wait for the next advance") {
  ManualClock clock(Clock::WallTime{});
  int runs = 0;
  std::function<void()> again = [&] {
    ++runs;
    if (runs < 3) clock.schedule_after(10ms, again);
  };
  clock.schedule_after(0ms, again);
  CHECK(runs == 0);  // never inside schedule_at()
  CHECK(clock.run_due() == 1);
  clock.advance(100ms);
  CHECK(runs == 3);
  CHECK(clock.pending() == 0);
}

TEST_CASE("manual clock: a cancelled task does not run; wall time moves with steady time") {
  ManualClock clock(Clock::WallTime{} + 1h);
  bool ran = false;
  const Clock::TimerId id = clock.schedule_after(5s, [&] { ran = true; });
  CHECK(clock.cancel(id));
  CHECK_FALSE(clock.cancel(id));
  clock.advance(10s);
  CHECK_FALSE(ran);
  CHECK(clock.wall_now() == Clock::WallTime{} + 1h + 10s);
}

TEST_CASE("real clock: runs a task at its time and cancel() stops one not yet started") {
  Clock& clock = Clock::real();
  std::promise<Clock::SteadyTime> fired;
  const auto at = clock.steady_now() + 20ms;
  clock.schedule_at(at, [&] { fired.set_value(std::chrono::steady_clock::now()); });
  bool late_ran = false;
  const Clock::TimerId late = clock.schedule_after(1h, [&] { late_ran = true; });
  CHECK(fired.get_future().get() >= at);
  CHECK(clock.cancel(late));
  CHECK_FALSE(late_ran);
}

TEST_CASE("real clock: cancel() of a running task waits until it has returned") {
  Clock& clock = Clock::real();
  std::promise<void> started;
  std::promise<void> release;
  std::atomic<bool> finished{false};
  const Clock::TimerId id = clock.schedule_after(0ms, [&] {
    started.set_value();
    release.get_future().wait();
    finished = true;
  });
  started.get_future().wait();
  auto cancelling = std::async(std::launch::async, [&] { return clock.cancel(id); });
  CHECK(cancelling.wait_for(50ms) == std::future_status::timeout);  // still inside the task
  release.set_value();
  CHECK_FALSE(cancelling.get());
  CHECK(finished);
}

}  // namespace
}  // namespace pintar
