// `ledger verify`'s check of the chains (private to store/; the contract is
// Ledger::verify_chains in ledger.h). Runs on a read connection inside one read
// transaction, so every chain and head comes from the same snapshot.
#ifndef PINTAR_STORE_VERIFY_H_
#define PINTAR_STORE_VERIFY_H_

#include "common/status.h"
#include "sqlite/connection.h"
#include "store/chain_key.h"
#include "store/ledger.h"
#include "store/statements.h"

namespace pintar::store {

// `key` null: the plain chains only (ChainReport::Guarantee::kPlain).
Result<ChainReport> verify_chains(sqlite::Connection& db, Statements& sql, const ChainKey* key);

}  // namespace pintar::store

#endif  // PINTAR_STORE_VERIFY_H_
