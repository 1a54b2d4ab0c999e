// `pintar helpdesk serve | keys add|list|revoke | find purchases|purchase|records | diagnose`
// (docs/helpdesk.md).
#ifndef PINTAR_CLI_HELPDESK_CLI_H_
#define PINTAR_CLI_HELPDESK_CLI_H_

#include <CLI/CLI.hpp>

#include "common/cli_context.h"

namespace pintar::cli {

void add_helpdesk_commands(CLI::App& app, const Context& context);

}  // namespace pintar::cli

#endif  // PINTAR_CLI_HELPDESK_CLI_H_
