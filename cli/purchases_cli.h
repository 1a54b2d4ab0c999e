// `pintar purchases list|show`: the ledger's purchases and one purchase's timeline.
#ifndef PINTAR_CLI_PURCHASES_CLI_H_
#define PINTAR_CLI_PURCHASES_CLI_H_

#include <CLI/CLI.hpp>

#include "common/cli_context.h"
#include "helpdesk/lookups.h"
#include "helpdesk/roles.h"

namespace pintar::cli {

void add_purchases_commands(CLI::App& app, const Context& context);
// A purchase's timeline as text (`purchases show`, `helpdesk find purchase`).
void print_timeline(const helpdesk::Timeline& timeline, helpdesk::Role role);

}  // namespace pintar::cli

#endif  // PINTAR_CLI_PURCHASES_CLI_H_
