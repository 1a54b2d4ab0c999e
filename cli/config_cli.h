// `pintar config check FILE` and `pintar config keys`.
#ifndef PINTAR_CLI_CONFIG_CLI_H_
#define PINTAR_CLI_CONFIG_CLI_H_

#include <CLI/CLI.hpp>

#include "common/cli_context.h"

namespace pintar::cli {

void add_config_commands(CLI::App& app, const Context& context);

}  // namespace pintar::cli

#endif  // PINTAR_CLI_CONFIG_CLI_H_
