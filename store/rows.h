// Turning result rows into records (private to store/). Each reader expects the columns in
// the order the matching statement in statements.cpp selects them, starting at column 0.
#ifndef PINTAR_STORE_ROWS_H_
#define PINTAR_STORE_ROWS_H_

#include "sqlite/connection.h"
#include "store/records.h"

namespace pintar::store {

inline constexpr int kAuditColumns = 5;  // at_ms, actor, action, subject, detail

// The columns of p2apst_purchases in the order the chain encodes them (chain.h). Revision 6
// added txn_id last; it is encoded only when not NULL, so the versions chained before it (and
// rows without a transaction) keep their encoding and still verify.
#define PINTAR_PURCHASE_CHAIN_COLUMNS_REVISION5                                                           \
  "id, created_ms, updated_ms, meter, amount, bit48, local_time, state, advice_count, stan, response_code, " \
  "response_bit48"
#define PINTAR_PURCHASE_CHAIN_COLUMNS PINTAR_PURCHASE_CHAIN_COLUMNS_REVISION5 ", txn_id"
inline constexpr int kPurchaseChainColumnsRevision5 = 12;
inline constexpr int kPurchaseChainColumns = 13;

// The 13 columns of PINTAR_TRANSACTION_COLUMNS (statements.cpp), from column `first` on.
TransactionRecord read_transaction(const sqlite::Statement& row, int first = 0);
AuditEntry read_audit(const sqlite::Statement& row);
Customer read_customer(const sqlite::Statement& row);
Meter read_meter(const sqlite::Statement& row);
Modem read_modem(const sqlite::Statement& row);
// The chained form of a p2apst_purchases row selected as PINTAR_PURCHASE_CHAIN_COLUMNS (or,
// with columns = kPurchaseChainColumnsRevision5, the revision 5 list) from column `first` on:
// each column as a chain.h field (the entry of p2apst_journal_chain), txn_id only when set.
std::string purchase_entry(const sqlite::Statement& row, int first = 0, int columns = kPurchaseChainColumns);
// A subscription row: msisdn, meter_no, language, pin_hash, failed_pin_attempts,
// locked_until_ms. Corruption when the PIN hash has the wrong length.
Result<Subscription> read_subscription(const sqlite::Statement& row);
// message_id, direction, msisdn, body, txn_id, smpp_message_id, delivery_state, created_ms,
// updated_ms.
MessageRecord read_message(const sqlite::Statement& row);

}  // namespace pintar::store

#endif  // PINTAR_STORE_ROWS_H_
