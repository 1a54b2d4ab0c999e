// Clock: the seam through which every component reads time, so that tests can set it.
//
// Wall time (UTC) is used for what is recorded or shown (ledger rows, STS TIDs, P2APST
// field 12); steady time for timers and timeouts. Implementations are thread-safe.
#ifndef PINTAR_COMMON_CLOCK_H_
#define PINTAR_COMMON_CLOCK_H_

#include <atomic>
#include <chrono>

namespace pintar {

class Clock {
 public:
  using WallTime = std::chrono::system_clock::time_point;
  using SteadyTime = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  virtual WallTime wall_now() const = 0;
  virtual SteadyTime steady_now() const = 0;

  // The process-wide real clock. Never destroyed.
  static Clock& real();
};

// A clock that only moves when told to. For tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(WallTime start) : wall_(start.time_since_epoch().count()) {}

  WallTime wall_now() const override { return WallTime(WallTime::duration(wall_.load())); }
  SteadyTime steady_now() const override { return SteadyTime(SteadyTime::duration(steady_.load())); }

  void set_wall(WallTime t) { wall_ = t.time_since_epoch().count(); }
  // Moves both clocks forward by d.
  template <typename Rep, typename Period>
  void advance(std::chrono::duration<Rep, Period> d) {
    wall_ += std::chrono::duration_cast<WallTime::duration>(d).count();
    steady_ += std::chrono::duration_cast<SteadyTime::duration>(d).count();
  }

 private:
  std::atomic<WallTime::rep> wall_;
  std::atomic<SteadyTime::rep> steady_{0};
};

}  // namespace pintar

#endif  // PINTAR_COMMON_CLOCK_H_
