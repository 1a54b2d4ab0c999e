// `pintar feed serve|status`: the real-time feed to PLN (report/feed.h, docs/pln-feed.md).
#ifndef PINTAR_CLI_FEED_CLI_H_
#define PINTAR_CLI_FEED_CLI_H_

#include <CLI/CLI.hpp>

#include "common/cli_context.h"

namespace pintar::cli {

void add_feed_command(CLI::App& app, const Context& context);

}  // namespace pintar::cli

#endif  // PINTAR_CLI_FEED_CLI_H_
