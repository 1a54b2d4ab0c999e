// What every `pintar` subcommand gets from the top-level command line: the --config path
// and the full configuration schema, plus the one way to end a command with an exit code.
//
// Modules add their subcommands in <module>/<module>_cli.cpp through
//   void add_<module>_commands(CLI::App& app, const cli::Context& context);
// and cli/main.cpp wires them. Command callbacks report failure with cli::fail(), which
// unwinds to main() and becomes the process exit code (see common/exit_codes.h).
#ifndef PINTAR_COMMON_CLI_CONTEXT_H_
#define PINTAR_COMMON_CLI_CONTEXT_H_

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/config.h"
#include "common/status.h"

namespace pintar::cli {

struct Context {
  const config::Schema* schema = nullptr;
  std::string config_path;  // --config; empty = built-in defaults

  // Loads and validates the configuration (or the built-in defaults when --config was not
  // given) and sets up logging from it. On failure prints every problem to stderr and ends
  // the command with exit code 78.
  config::Config load_config() const;
};

// Ends the running command: prints "pintar: <message>" to stderr (if non-empty) and exits
// the process with `code` after unwinding.
[[noreturn]] void fail(int code, std::string_view message);

// The value of `result`, or fail(code, "<what>: <error>") — for a command's set-up steps.
template <typename T>
T must(Result<T> result, int code, std::string_view what) {
  if (!result.ok()) fail(code, fmt::format("{}: {}", what, result.status().message()));
  return std::move(result).value();
}

}  // namespace pintar::cli

#endif  // PINTAR_COMMON_CLI_CONTEXT_H_
