#include "store/side_connection.h"

namespace pintar::store {

Result<sqlite::Connection> open_side_connection(const LedgerOptions& options, sqlite::Synchronous synchronous,
                                                std::span<const std::string_view> sql,
                                                std::span<sqlite::Statement> statements) {
  auto db = sqlite::Connection::open(options.path, {.synchronous = synchronous,
                                                     .busy_timeout_ms = options.busy_timeout_ms,
                                                     .read_only = false,
                                                     .create = options.create});
  if (!db.ok()) return db.status();
  PINTAR_RETURN_IF_ERROR(migrate_and_key(*db, options));
  for (size_t i = 0; i < sql.size() && i < statements.size(); ++i) {
    auto statement = db->prepare(sql[i]);
    if (!statement.ok()) return statement.status().with_context(options.path);
    statements[i] = std::move(*statement);
  }
  return db;
}

}  // namespace pintar::store
