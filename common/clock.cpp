#include "common/clock.h"

namespace pintar {
namespace {

class RealClock final : public Clock {
 public:
  WallTime wall_now() const override { return std::chrono::system_clock::now(); }
  SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace

Clock& Clock::real() {
  static RealClock* clock = new RealClock();  // never destroyed: usable during exit
  return *clock;
}

}  // namespace pintar
