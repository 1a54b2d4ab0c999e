// `pintar purchases list|show`: the ledger's purchases and one purchase's timeline.
#ifndef PINTAR_CLI_PURCHASES_CLI_H_
#define PINTAR_CLI_PURCHASES_CLI_H_

#include <CLI/CLI.hpp>

#include "common/cli_context.h"

namespace pintar::cli {

void add_purchases_commands(CLI::App& app, const Context& context);

}  // namespace pintar::cli

#endif  // PINTAR_CLI_PURCHASES_CLI_H_
