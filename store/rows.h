// Turning result rows into records (private to store/). Each reader expects the columns in
// the order the matching statement in statements.cpp selects them, starting at column 0.
#ifndef PINTAR_STORE_ROWS_H_
#define PINTAR_STORE_ROWS_H_

#include "store/records.h"
#include "store/sqlite_db.h"

namespace pintar::store {

inline constexpr int kAuditColumns = 5;  // at_ms, actor, action, subject, detail

TransactionRecord read_transaction(const sqlite::Statement& row);
AuditEntry read_audit(const sqlite::Statement& row);
Customer read_customer(const sqlite::Statement& row);
Meter read_meter(const sqlite::Statement& row);
Modem read_modem(const sqlite::Statement& row);

}  // namespace pintar::store

#endif  // PINTAR_STORE_ROWS_H_
