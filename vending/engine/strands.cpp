#include "vending/engine/strands.h"

namespace pintar::engine {

Strands::Strands(size_t threads) {
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i) threads_.emplace_back([this] { run(); });
}

Strands::~Strands() { stop(); }

void Strands::post(const std::string& key, std::function<void()> task) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  if (auto busy = busy_.find(key); busy != busy_.end()) {
    busy->second.push_back(std::move(task));
    return;
  }
  auto& queue = queued_[key];
  if (queue.empty()) ready_.push_back(key);
  queue.push_back(std::move(task));
  wake_.notify_one();
}

void Strands::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
    if (stopping_) return;
    std::string key = std::move(ready_.front());
    ready_.pop_front();
    auto node = queued_.extract(key);
    std::deque<std::function<void()>> tasks = std::move(node.mapped());
    busy_[key];  // later posts for this key wait behind the ones we run
    ++running_;
    while (!tasks.empty() && !stopping_) {
      auto task = std::move(tasks.front());
      tasks.pop_front();
      lock.unlock();
      task();
      lock.lock();
      if (tasks.empty()) {
        auto& later = busy_[key];
        tasks.swap(later);
      }
    }
    busy_.erase(key);
    --running_;
    if (running_ == 0 && ready_.empty()) idle_.notify_all();
  }
}

void Strands::drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return stopping_ || (running_ == 0 && ready_.empty()); });
}

void Strands::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    queued_.clear();
    ready_.clear();
  }
  wake_.notify_all();
  idle_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace pintar::engine
