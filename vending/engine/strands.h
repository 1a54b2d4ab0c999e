// Strands: a fixed pool of worker threads that runs posted tasks, one at a time per key and
// in posting order per key, any number of keys in parallel. The engine keys its work by the
// customer's phone, so everything about one phone's purchases is serialised without locks.
//
// Threads: post() from any thread; tasks run on the pool's threads and may post(). drain()
// waits until nothing is queued or running (tests). stop() runs nothing more, joins the
// threads, and drops queued tasks (their effect is in the ledger; start() resumes them).
#ifndef PINTAR_VENDING_ENGINE_STRANDS_H_
#define PINTAR_VENDING_ENGINE_STRANDS_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pintar::engine {

class Strands {
 public:
  explicit Strands(size_t threads);
  ~Strands();
  Strands(const Strands&) = delete;
  Strands& operator=(const Strands&) = delete;

  void post(const std::string& key, std::function<void()> task);
  void drain();
  void stop();

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::map<std::string, std::deque<std::function<void()>>> queued_;  // keys not running
  std::map<std::string, std::deque<std::function<void()>>> busy_;    // keys running: their later tasks
  std::deque<std::string> ready_;                                    // keys of queued_, in order
  size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace pintar::engine

#endif  // PINTAR_VENDING_ENGINE_STRANDS_H_
