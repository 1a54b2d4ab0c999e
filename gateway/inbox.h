// Inbox: work handed to the gateway loop from other threads (the SMPP sessions, the queue's
// writer). post() may be called from any thread; fd() becomes readable while tasks wait, so
// the loop polls it beside its sockets; run_all() runs them on the loop thread, in the order
// they were posted. Tasks posted after run_all() took the list wait for the next round.
#ifndef PINTAR_GATEWAY_INBOX_H_
#define PINTAR_GATEWAY_INBOX_H_

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace pintar::gateway {

class Inbox {
 public:
  Inbox() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~Inbox() { ::close(fd_); }
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  int fd() const { return fd_; }
  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    const uint64_t one = 1;
    (void)!::write(fd_, &one, sizeof one);
  }
  void run_all() {
    uint64_t count;
    (void)!::read(fd_, &count, sizeof count);
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard lock(mutex_);
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) task();
  }

 private:
  int fd_;
  std::mutex mutex_;
  std::vector<std::function<void()>> tasks_;
};

}  // namespace pintar::gateway

#endif  // PINTAR_GATEWAY_INBOX_H_
