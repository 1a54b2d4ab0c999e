// `pintar sts ...`: the STS token engine on the command line, for operators, tests and
// the helpdesk. Other tools parse the output, so it is fixed:
//   sts dk      prints the decoder key, uppercase hex, nothing else
//   sts token   prints the 20 digits, nothing else
//   sts kct     prints the 2 (EA07) or 4 (EA11) key-change tokens, one per line
//   sts decode  prints JSON: class, subclass, rnd, tid, field, crc_ok, meaning
// Bad input ends with one line "pintar: ..." on stderr and exit code 64. Keys given on the
// command line are visible to other local users in the process list: this is a test and
// diagnosis tool, not the production vending path.
#ifndef PINTAR_CLI_STS_CLI_H_
#define PINTAR_CLI_STS_CLI_H_

#include <CLI/CLI.hpp>

#include "common/cli_context.h"

namespace pintar::sts {

void add_sts_commands(CLI::App& app, const cli::Context& context);

}  // namespace pintar::sts

#endif  // PINTAR_CLI_STS_CLI_H_
