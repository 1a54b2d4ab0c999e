// Clock: the seam through which every component reads time and schedules work on it, so
// that tests can set time and fire timers without waiting (the Env idea of LevelDB).
//
// Wall time (UTC) is used for what is recorded or shown (ledger rows, STS TIDs, P2APST
// field 12); steady time for timers and timeouts. schedule_at() runs a task once at or
// after a steady instant:
//   * Clock::real() runs tasks on one timer thread of its own, started on first use and
//     never stopped (it lives as long as the process).
//   * ManualClock runs them inside advance() / run_due(), on the calling thread, in time
//     order (ties in scheduling order); a task whose time has come when it is scheduled
//     runs at the next advance() / run_due(), never inside schedule_at().
// Tasks must be short (they share one thread) and must not throw; they may call
// schedule_at() and cancel(). cancel(id) removes a task that has not started and returns
// true; for a task that is running on another thread it waits until that task returns
// and then returns false (so after cancel() the task cannot touch its owner); for a task
// already run, unknown, or the caller's own running task it returns false at once.
// Hold no lock that a task takes while calling cancel(). All members are thread-safe.
#ifndef PINTAR_COMMON_CLOCK_H_
#define PINTAR_COMMON_CLOCK_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace pintar {

class Clock {
 public:
  using WallTime = std::chrono::system_clock::time_point;
  using SteadyTime = std::chrono::steady_clock::time_point;
  using Task = std::function<void()>;
  using TimerId = uint64_t;  // never 0

  virtual ~Clock() = default;
  virtual WallTime wall_now() const = 0;
  virtual SteadyTime steady_now() const = 0;
  virtual TimerId schedule_at(SteadyTime at, Task task) = 0;
  virtual bool cancel(TimerId id) = 0;

  template <typename Rep, typename Period>
  TimerId schedule_after(std::chrono::duration<Rep, Period> delay, Task task) {
    return schedule_at(steady_now() + std::chrono::duration_cast<SteadyTime::duration>(delay), std::move(task));
  }

  // The process-wide real clock. Never destroyed.
  static Clock& real();
};

// The scheduled tasks of a clock, ordered by (time, id). Not synchronised: the owner locks.
class TimerQueue {
 public:
  Clock::TimerId add(Clock::SteadyTime at, Clock::Task task);
  bool remove(Clock::TimerId id);
  std::optional<Clock::SteadyTime> next_time() const;
  // Takes the earliest task if it is due at `now`.
  std::optional<std::pair<Clock::TimerId, Clock::Task>> take_due(Clock::SteadyTime now);
  size_t size() const { return by_time_.size(); }

 private:
  Clock::TimerId last_id_ = 0;
  std::map<std::pair<Clock::SteadyTime, Clock::TimerId>, Clock::Task> by_time_;
  std::map<Clock::TimerId, Clock::SteadyTime> time_of_;
};

// A clock that only moves when told to. For tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(WallTime start) : wall_(start.time_since_epoch().count()) {}

  WallTime wall_now() const override { return WallTime(WallTime::duration(wall_.load())); }
  SteadyTime steady_now() const override { return SteadyTime(SteadyTime::duration(steady_.load())); }
  TimerId schedule_at(SteadyTime at, Task task) override;
  bool cancel(TimerId id) override;

  void set_wall(WallTime t) { wall_ = t.time_since_epoch().count(); }
  // Moves both clocks forward by d, running every task that falls due on the way, each
  // with the clock at its own time.
  template <typename Rep, typename Period>
  void advance(std::chrono::duration<Rep, Period> d) {
    advance_to(steady_now() + std::chrono::duration_cast<SteadyTime::duration>(d));
  }
  void advance_to(SteadyTime target);
  // Runs the tasks due now (e.g. scheduled for "now" by another thread); returns how many.
  int run_due();
  // Tasks scheduled and not yet run.
  size_t pending() const;
  std::optional<SteadyTime> next_timer() const;

 private:
  void move_to(SteadyTime t);  // never backwards

  std::atomic<WallTime::rep> wall_;
  std::atomic<SteadyTime::rep> steady_{0};
  mutable std::mutex mutex_;
  TimerQueue timers_;
  std::mutex run_mutex_;  // one advance() / run_due() at a time
};

}  // namespace pintar

#endif  // PINTAR_COMMON_CLOCK_H_
