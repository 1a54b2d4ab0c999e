// `pintar p2apst ...`: talk to the configured P2APST host by hand (operators, the demo,
// the integration tests): signon, inquiry, purchase, advice. Output is "key: value" lines.
// Exit codes: 0 done; 1 PLN refused (message printed); 69 not signed on; 75 a purchase is
// still unresolved (advice continues next time); 64/78 usage/config errors.
#ifndef PINTAR_CLI_P2APST_CLI_H_
#define PINTAR_CLI_P2APST_CLI_H_

#include <CLI/CLI.hpp>

#include "common/cli_context.h"

namespace pintar::p2apst {

void add_p2apst_commands(CLI::App& app, const cli::Context& context);

}  // namespace pintar::p2apst

#endif  // PINTAR_CLI_P2APST_CLI_H_
