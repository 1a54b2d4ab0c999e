// Daemon plumbing shared by `pintar gateway`, `pintar vending` and `pintar helpdesk`:
// orderly shutdown on SIGTERM/SIGINT and the systemd notify protocol.
#ifndef PINTAR_COMMON_DAEMON_H_
#define PINTAR_COMMON_DAEMON_H_

#include <chrono>
#include <optional>
#include <string_view>

#include "common/status.h"

namespace pintar::daemon {

// Turns SIGTERM and SIGINT into a readable file descriptor (signalfd) so that event loops
// can poll for shutdown alongside their sockets. install() blocks both signals in the
// calling thread; call it in main() before any thread starts so every thread inherits the
// mask. One instance per process; not copyable.
class ShutdownSignal {
 public:
  static Result<ShutdownSignal> install();
  ShutdownSignal(ShutdownSignal&& other) noexcept;
  ShutdownSignal& operator=(ShutdownSignal&&) = delete;
  ShutdownSignal(const ShutdownSignal&) = delete;
  ~ShutdownSignal();

  // Readable once a stop signal has arrived; poll() it with the other descriptors.
  int fd() const { return fd_; }
  // True once a stop signal has arrived (drains the descriptor; stays true afterwards).
  bool requested();
  // Waits up to `timeout` for a stop signal. Returns requested().
  bool wait_for(std::chrono::milliseconds timeout);

 private:
  explicit ShutdownSignal(int fd) : fd_(fd) {}
  int fd_ = -1;
  bool requested_ = false;
};

// sd_notify wrappers; all are no-ops when not started by systemd ($NOTIFY_SOCKET unset).
void notify_ready();
void notify_stopping();
void notify_watchdog();
void notify_status(std::string_view status);
// How often notify_watchdog() must be called (half of WatchdogSec), if the unit set one.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace pintar::daemon

#endif  // PINTAR_COMMON_DAEMON_H_
