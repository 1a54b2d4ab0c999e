// `pintar demo`: runs the parts that exist on built-in defaults against local simulators
// and says what it did. Grows with the product; see README.md.
#ifndef PINTAR_CLI_DEMO_H_
#define PINTAR_CLI_DEMO_H_

#include <CLI/CLI.hpp>

#include "common/cli_context.h"

namespace pintar::cli {

void add_demo_command(CLI::App& app, const Context& context);

}  // namespace pintar::cli

#endif  // PINTAR_CLI_DEMO_H_
