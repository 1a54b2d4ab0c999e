// `pintar report daily --date YYYY-MM-DD [--out DIR] | sms --month YYYY-MM [--out FILE]`
// (docs/pln-daily.md, docs/sms-charging.md).
#ifndef PINTAR_CLI_REPORT_CLI_H_
#define PINTAR_CLI_REPORT_CLI_H_

#include <CLI/CLI.hpp>

#include "common/cli_context.h"

namespace pintar::cli {

void add_report_commands(CLI::App& app, const Context& context);

}  // namespace pintar::cli

#endif  // PINTAR_CLI_REPORT_CLI_H_
