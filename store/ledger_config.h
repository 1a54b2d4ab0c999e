// The [ledger] section of the configuration file.
#ifndef PINTAR_STORE_LEDGER_CONFIG_H_
#define PINTAR_STORE_LEDGER_CONFIG_H_

#include <memory>
#include <span>

#include "common/config.h"
#include "common/secret.h"
#include "common/status.h"
#include "store/chain_key.h"
#include "store/pin.h"
#include "store/sqlite_ledger.h"

namespace pintar::store {

std::span<const config::Key> config_keys();

// The ledger options the configuration asks for; ledger.path is resolved against state_dir.
LedgerOptions ledger_options(const config::Config& config);

// Loads the chain key named by ledger.chain_key_secret: null when the spec is empty or names
// a credential this process was not given (plain chains); an error for any other failure.
Result<std::shared_ptr<const ChainKey>> chain_key(const config::Config& config);

// Loads the PIN key named by ledger.pin_key_secret.
Result<PinHasher> pin_hasher(const config::Config& config);

}  // namespace pintar::store

#endif  // PINTAR_STORE_LEDGER_CONFIG_H_
