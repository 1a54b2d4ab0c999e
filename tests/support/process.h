// Helpers for integration tests: the child-process runner from common/ under the names
// the tests use, and where to find the source tree and the built `pintar`.
#ifndef PINTAR_TESTS_SUPPORT_PROCESS_H_
#define PINTAR_TESTS_SUPPORT_PROCESS_H_

#include <chrono>
#include <functional>
#include <string>

#include "common/child_process.h"

namespace pintar::testing {

using Process = ::pintar::ChildProcess;
using RunResult = ::pintar::CommandResult;

inline RunResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = std::chrono::seconds(60),
                     const std::string& stdin_text = {}) {
  return run_command(argv, timeout, stdin_text);
}

// Path to a file in the source tree (tests get PINTAR_SOURCE_DIR from meson).
std::string source_path(const std::string& relative);
// Path to the built `pintar` executable (PINTAR_BINARY from meson).
std::string pintar_binary();
// A fresh empty directory under the test's temporary root, removed by the OS later.
std::string make_temp_dir(const std::string& name);
// Polls `condition` every `every` until it holds (true) or `timeout` passes (false).
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                std::chrono::milliseconds every = std::chrono::milliseconds(20));

}  // namespace pintar::testing

#endif  // PINTAR_TESTS_SUPPORT_PROCESS_H_
