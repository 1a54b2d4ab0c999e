// ChildProcess: starts a helper program (a simulator for `pintar demo` or a test, or
// `pintar` itself in a test), reads its output line by line with a deadline, and stops it.
// The child is killed when the ChildProcess is destroyed, so a failure leaves nothing
// running. Not thread-safe: use one ChildProcess from one thread.
#ifndef PINTAR_COMMON_CHILD_PROCESS_H_
#define PINTAR_COMMON_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pintar {

class ChildProcess {
 public:
  // Starts argv[0] (searched in PATH) with stdout piped to us; stderr goes to ours unless
  // quiet. Extra environment variables are added to the inherited environment. Throws
  // std::runtime_error if the process cannot be created (tests and the demo only).
  ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env = {}, bool quiet_stderr = false);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }

  // Next line of stdout (without the newline), or nullopt on EOF or timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  // Reads lines until one starts with `prefix`; returns it, or nullopt.
  std::optional<std::string> wait_for_line(const std::string& prefix, std::chrono::milliseconds timeout);
  // Everything the process writes to stdout until it exits.
  std::string read_all(std::chrono::milliseconds timeout);

  // Sends a signal (SIGTERM by default) and waits for exit; returns the exit status as a
  // shell reports it (128+signal when killed).
  int stop(int signal_number = 15, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits for the process to exit by itself.
  std::optional<int> wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::optional<int> exit_status_;
};

struct CommandResult {
  int exit_status;
  std::string out;
  std::string err;
};

// Runs a command to completion (killed after `timeout`), capturing stdout and stderr.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60),
                          const std::string& stdin_text = {});

}  // namespace pintar

#endif  // PINTAR_COMMON_CHILD_PROCESS_H_
