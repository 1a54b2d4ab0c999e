// `pintar keys zmq`: makes the key pairs of the gateway <-> engine link (docs/gateway.md).
// `pintar keys modem` / `pintar keys vending`: the engine's modem keyring and wrapped vending key
// (vending/engine/engine_keys.h).
#ifndef PINTAR_CLI_KEYS_CLI_H_
#define PINTAR_CLI_KEYS_CLI_H_

#include <CLI/CLI.hpp>

namespace pintar::cli {

void add_keys_commands(CLI::App& app);

}  // namespace pintar::cli

#endif  // PINTAR_CLI_KEYS_CLI_H_
