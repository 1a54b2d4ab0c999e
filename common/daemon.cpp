#include "common/daemon.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <systemd/sd-daemon.h>

namespace pintar::daemon {

Result<ShutdownSignal> ShutdownSignal::install() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  if (pthread_sigmask(SIG_BLOCK, &mask, nullptr) != 0) return Status::internal("cannot block stop signals");
  const int fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return Status::io_error(fmt::format("signalfd: {}", std::strerror(errno)));
  return ShutdownSignal(fd);
}

ShutdownSignal::ShutdownSignal(ShutdownSignal&& other) noexcept : fd_(other.fd_), requested_(other.requested_) {
  other.fd_ = -1;
}

ShutdownSignal::~ShutdownSignal() {
  if (fd_ >= 0) ::close(fd_);
}

bool ShutdownSignal::requested() {
  signalfd_siginfo info;
  while (::read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) requested_ = true;
  return requested_;
}

bool ShutdownSignal::wait_for(std::chrono::milliseconds timeout) {
  if (requested()) return true;
  pollfd pfd{.fd = fd_, .events = POLLIN, .revents = 0};
  ::poll(&pfd, 1, static_cast<int>(timeout.count()));
  return requested();
}

void notify_ready() { sd_notify(0, "READY=1"); }
void notify_stopping() { sd_notify(0, "STOPPING=1"); }
void notify_watchdog() { sd_notify(0, "WATCHDOG=1"); }
void notify_status(std::string_view status) { sd_notify(0, ("STATUS=" + std::string(status)).c_str()); }

std::optional<std::chrono::microseconds> watchdog_interval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace pintar::daemon
