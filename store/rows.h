// Turning result rows into records (private to store/). Each reader expects the columns in
// the order the matching statement in statements.cpp selects them, starting at column 0.
#ifndef PINTAR_STORE_ROWS_H_
#define PINTAR_STORE_ROWS_H_

#include "store/records.h"
#include "store/sqlite_db.h"

namespace pintar::store {

inline constexpr int kAuditColumns = 5;  // at_ms, actor, action, subject, detail

// The columns of p2apst_purchases in the order the chain encodes them (chain.h).
#define PINTAR_PURCHASE_CHAIN_COLUMNS                                                                     \
  "id, created_ms, updated_ms, meter, amount, bit48, local_time, state, advice_count, stan, response_code, " \
  "response_bit48"
inline constexpr int kPurchaseChainColumns = 12;

TransactionRecord read_transaction(const sqlite::Statement& row);
AuditEntry read_audit(const sqlite::Statement& row);
Customer read_customer(const sqlite::Statement& row);
Meter read_meter(const sqlite::Statement& row);
Modem read_modem(const sqlite::Statement& row);
// The chained form of a p2apst_purchases row selected as PINTAR_PURCHASE_CHAIN_COLUMNS from
// column `first` on: each column as a chain.h field (the entry of p2apst_journal_chain).
std::string purchase_entry(const sqlite::Statement& row, int first = 0);

}  // namespace pintar::store

#endif  // PINTAR_STORE_ROWS_H_
