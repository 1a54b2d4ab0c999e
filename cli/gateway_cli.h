// `pintar gateway`: runs the SMS gateway daemon (docs/gateway.md).
#ifndef PINTAR_CLI_GATEWAY_CLI_H_
#define PINTAR_CLI_GATEWAY_CLI_H_

#include <CLI/CLI.hpp>

#include "common/cli_context.h"

namespace pintar::gateway {

void add_gateway_commands(CLI::App& app, const cli::Context& context);

}  // namespace pintar::gateway

#endif  // PINTAR_CLI_GATEWAY_CLI_H_
