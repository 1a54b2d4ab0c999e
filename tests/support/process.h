// Process: starts a helper program (a simulator, or `pintar` itself) for an integration
// test, reads its output line by line with a deadline, and stops it. The child is killed
// when the Process is destroyed, so a failing test leaves nothing running.
#ifndef PINTAR_TESTS_SUPPORT_PROCESS_H_
#define PINTAR_TESTS_SUPPORT_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pintar::testing {

class Process {
 public:
  // Starts argv[0] (searched in PATH) with stdout piped to us; stderr goes to ours unless
  // quiet. Extra environment variables are added to the inherited environment.
  Process(std::vector<std::string> argv, std::map<std::string, std::string> env = {}, bool quiet_stderr = false);
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

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

struct RunResult {
  int exit_status;
  std::string out;
  std::string err;
};

// Runs a command to completion (killed after `timeout`), capturing stdout and stderr.
RunResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = std::chrono::seconds(60),
              const std::string& stdin_text = {});

// Path to a file in the source tree (tests get PINTAR_SOURCE_DIR from meson).
std::string source_path(const std::string& relative);
// Path to the built `pintar` executable (PINTAR_BINARY from meson).
std::string pintar_binary();
// A fresh empty directory under the test's temporary root, removed by the OS later.
std::string make_temp_dir(const std::string& name);

}  // namespace pintar::testing

#endif  // PINTAR_TESTS_SUPPORT_PROCESS_H_
