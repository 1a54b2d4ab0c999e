// `pintar vending`: the vending engine daemon (docs/vending.md). Wiring only; the engine is
// vending/engine/engine.h.
#ifndef PINTAR_CLI_VENDING_CLI_H_
#define PINTAR_CLI_VENDING_CLI_H_

#include <CLI/CLI.hpp>

#include "common/cli_context.h"

namespace pintar::cli {

void add_vending_command(CLI::App& app, const Context& context);

}  // namespace pintar::cli

#endif  // PINTAR_CLI_VENDING_CLI_H_
