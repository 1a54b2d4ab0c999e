// `pintar ledger verify|migrate` and `pintar customers import|show`.
#ifndef PINTAR_CLI_STORE_CLI_H_
#define PINTAR_CLI_STORE_CLI_H_

#include <CLI/CLI.hpp>

#include "common/cli_context.h"

namespace pintar::store {

void add_store_commands(CLI::App& app, const cli::Context& context);

}  // namespace pintar::store

#endif  // PINTAR_CLI_STORE_CLI_H_
