#include "common/clock.h"

namespace pintar {

Clock::TimerId TimerQueue::add(Clock::SteadyTime at, Clock::Task task) {
  const Clock::TimerId id = ++last_id_;
  by_time_.emplace(std::pair(at, id), std::move(task));
  time_of_.emplace(id, at);
  return id;
}

bool TimerQueue::remove(Clock::TimerId id) {
  auto it = time_of_.find(id);
  if (it == time_of_.end()) return false;
  by_time_.erase(std::pair(it->second, id));
  time_of_.erase(it);
  return true;
}

std::optional<Clock::SteadyTime> TimerQueue::next_time() const {
  if (by_time_.empty()) return std::nullopt;
  return by_time_.begin()->first.first;
}

std::optional<std::pair<Clock::TimerId, Clock::Task>> TimerQueue::take_due(Clock::SteadyTime now) {
  if (by_time_.empty() || by_time_.begin()->first.first > now) return std::nullopt;
  auto node = by_time_.extract(by_time_.begin());
  time_of_.erase(node.key().second);
  return std::pair(node.key().second, std::move(node.mapped()));
}

namespace {

class RealClock final : public Clock {
 public:
  WallTime wall_now() const override { return std::chrono::system_clock::now(); }
  SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }

  TimerId schedule_at(SteadyTime at, Task task) override {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    const TimerId id = timers_.add(at, std::move(task));
    cv_.notify_all();
    return id;
  }

  bool cancel(TimerId id) override {
    std::unique_lock lock(mutex_);
    if (timers_.remove(id)) return true;
    // Running on the timer thread: wait for it, unless this is that thread.
    if (running_ == id && std::this_thread::get_id() != thread_.get_id()) {
      cv_.wait(lock, [&] { return running_ != id; });
    }
    return false;
  }

 private:
  // The timer thread. The RealClock is never destroyed, so neither is this loop.
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      auto due = timers_.take_due(std::chrono::steady_clock::now());
      if (!due) {
        const auto next = timers_.next_time();
        if (next) {
          cv_.wait_until(lock, *next);
        } else {
          cv_.wait(lock);
        }
        continue;
      }
      running_ = due->first;
      lock.unlock();
      due->second();
      due->second = nullptr;  // destroy what the task captured before cancel() returns
      lock.lock();
      running_ = 0;
      cv_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  TimerQueue timers_;
  TimerId running_ = 0;
  std::thread thread_;
};

}  // namespace

Clock& Clock::real() {
  static RealClock* clock = new RealClock();  // never destroyed: usable during exit
  return *clock;
}

Clock::TimerId ManualClock::schedule_at(SteadyTime at, Task task) {
  std::lock_guard lock(mutex_);
  return timers_.add(at, std::move(task));
}

bool ManualClock::cancel(TimerId id) {
  std::lock_guard lock(mutex_);
  return timers_.remove(id);
}

void ManualClock::move_to(SteadyTime t) {
  const auto target = t.time_since_epoch().count();
  const auto from = steady_.load();
  if (target <= from) return;
  wall_ += std::chrono::duration_cast<WallTime::duration>(SteadyTime::duration(target - from)).count();
  steady_ = target;
}

void ManualClock::advance_to(SteadyTime target) {
  std::lock_guard run_lock(run_mutex_);
  for (;;) {
    std::unique_lock lock(mutex_);
    const auto next = timers_.next_time();
    if (!next || *next > target) break;
    auto due = timers_.take_due(*next);
    lock.unlock();
    move_to(*next);
    due->second();
  }
  move_to(target);
}

int ManualClock::run_due() {
  std::lock_guard run_lock(run_mutex_);
  int ran = 0;
  for (;;) {
    std::unique_lock lock(mutex_);
    auto due = timers_.take_due(steady_now());
    if (!due) return ran;
    lock.unlock();
    due->second();
    ++ran;
  }
}

size_t ManualClock::pending() const {
  std::lock_guard lock(mutex_);
  return timers_.size();
}

std::optional<Clock::SteadyTime> ManualClock::next_timer() const {
  std::lock_guard lock(mutex_);
  return timers_.next_time();
}

}  // namespace pintar
