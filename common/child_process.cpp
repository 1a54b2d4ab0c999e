#include "common/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>

namespace pintar {
namespace {

using Clock = std::chrono::steady_clock;

int status_to_shell(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, int stdin_fd,
            int stdout_fd, int stderr_fd) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    if (stdin_fd >= 0) dup2(stdin_fd, 0);
    if (stdout_fd >= 0) dup2(stdout_fd, 1);
    if (stderr_fd >= 0) dup2(stderr_fd, 2);
    // A test runner may block signals; the child must start with the defaults.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// Reads what is available on fd into out; false on EOF.
bool drain(int fd, std::string& out) {
  char chunk[4096];
  const ssize_t n = ::read(fd, chunk, sizeof chunk);
  if (n > 0) {
    out.append(chunk, static_cast<size_t>(n));
    return true;
  }
  return n < 0 && (errno == EAGAIN || errno == EINTR);
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env, bool quiet_stderr) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  const int devnull = quiet_stderr ? ::open("/dev/null", O_WRONLY | O_CLOEXEC) : -1;
  pid_ = spawn(argv, env, -1, pipe_fds[1], devnull);
  ::close(pipe_fds[1]);
  if (devnull >= 0) ::close(devnull);
  stdout_fd_ = pipe_fds[0];
  fcntl(stdout_fd_, F_SETFL, O_NONBLOCK);
}

ChildProcess::~ChildProcess() {
  if (!exit_status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd pfd{.fd = stdout_fd_, .events = POLLIN, .revents = 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    if (!drain(stdout_fd_, buffer_)) return std::nullopt;
  }
}

std::optional<std::string> ChildProcess::wait_for_line(const std::string& prefix, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto line = read_line(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (!line) return std::nullopt;
    if (line->rfind(prefix, 0) == 0) return line;
  }
  return std::nullopt;
}

std::string ChildProcess::read_all(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    pollfd pfd{.fd = stdout_fd_, .events = POLLIN, .revents = 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (::poll(&pfd, 1, static_cast<int>(std::max<int64_t>(left.count(), 0))) <= 0) continue;
    if (!drain(stdout_fd_, buffer_)) break;
  }
  return std::exchange(buffer_, {});
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (exit_status_) return exit_status_;
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_status_ = status_to_shell(status);
      return exit_status_;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int ChildProcess::stop(int signal_number, std::chrono::milliseconds timeout) {
  if (exit_status_) return *exit_status_;
  ::kill(pid_, signal_number);
  if (auto status = wait(timeout)) return *status;
  ::kill(pid_, SIGKILL);
  return *wait(std::chrono::seconds(10));
}

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const std::string& stdin_text) {
  int out_pipe[2], err_pipe[2], in_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 || pipe2(in_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe");
  }
  const pid_t pid = spawn(argv, {}, in_pipe[0], out_pipe[1], err_pipe[1]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ::close(in_pipe[0]);
  if (!stdin_text.empty()) {
    [[maybe_unused]] auto written = ::write(in_pipe[1], stdin_text.data(), stdin_text.size());
  }
  ::close(in_pipe[1]);

  CommandResult result{-1, {}, {}};
  const auto deadline = Clock::now() + timeout;
  bool out_open = true, err_open = true;
  while ((out_open || err_open) && Clock::now() < deadline) {
    pollfd fds[2] = {{.fd = out_open ? out_pipe[0] : -1, .events = POLLIN, .revents = 0},
                     {.fd = err_open ? err_pipe[0] : -1, .events = POLLIN, .revents = 0}};
    if (::poll(fds, 2, 100) <= 0) continue;
    if (fds[0].revents) out_open = drain(out_pipe[0], result.out);
    if (fds[1].revents) err_open = drain(err_pipe[0], result.err);
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  if (out_open || err_open) ::kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  result.exit_status = status_to_shell(status);
  return result;
}

}  // namespace pintar
