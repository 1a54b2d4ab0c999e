// A connection of its own on the ledger file, for the stores beside the ledger (the P2APST
// journal, the helpdesk's keys, the feed): opened as open_ledger opens it (created and
// migrated to the latest revision when the options allow, the chain key checked), with the
// store's statements prepared once, in order. Private to store/.
#ifndef PINTAR_STORE_SIDE_CONNECTION_H_
#define PINTAR_STORE_SIDE_CONNECTION_H_

#include <span>
#include <string_view>

#include "sqlite/connection.h"
#include "store/sqlite_ledger.h"

namespace pintar::store {

// Prepares sql[i] into statements[i] (the two the same size); the errors of opening,
// migrating and preparing, with the file's path.
Result<sqlite::Connection> open_side_connection(const LedgerOptions& options, sqlite::Synchronous synchronous,
                                                std::span<const std::string_view> sql,
                                                std::span<sqlite::Statement> statements);

}  // namespace pintar::store

#endif  // PINTAR_STORE_SIDE_CONNECTION_H_
