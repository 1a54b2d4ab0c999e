#include "common/cli_context.h"

#include <CLI/CLI.hpp>

#include "common/exit_codes.h"
#include "common/log.h"

namespace pintar::cli {

config::Config Context::load_config() const {
  auto loaded = config_path.empty() ? Result<config::Config>(config::Config::defaults(*schema))
                                    : config::Config::load(config_path, *schema);
  if (!loaded.ok()) fail(exit_code::kConfig, loaded.status().message());
  if (Status status = log::init(log::options_from(*loaded)); !status.ok()) {
    fail(exit_code::kConfig, status.message());
  }
  return std::move(loaded).value();
}

void fail(int code, std::string_view message) { throw CLI::RuntimeError(std::string(message), code); }

}  // namespace pintar::cli
