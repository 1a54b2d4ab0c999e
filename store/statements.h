// Every SQL statement the ledger runs after migration, in one table indexed by an enum
// (the osmo-msc way): the SQL is reviewed in one place, each statement is prepared once per
// connection at open, and every value reaches SQLite as a bound parameter.
#ifndef PINTAR_STORE_STATEMENTS_H_
#define PINTAR_STORE_STATEMENTS_H_

#include <array>
#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "sqlite/connection.h"

namespace pintar::store {

enum class Sql : uint8_t {
  kChainHeadGet,
  kChainHeadPut,
  kTransactionInsert,
  kTransactionLatest,
  kTransactionVersions,
  kTransactionIdByIdempotencyKey,
  kTransactionScan,
  kAuditInsert,
  kAuditScan,
  kPurchaseChainScan,
  kPurchaseScan,
  kChainKeyId,
  kMessageInsert,
  kMessageDeliveryUpdate,
  kMessageGet,
  kMeterEventInsert,
  kCustomerInsert,
  kCustomerGet,
  kModemInsert,
  kModemGet,
  kMeterInsert,
  kMeterGet,
  kSubscriptionInsert,
  kSubscriptionGet,
  kMeterNoByMeterNo,
  kMeterNosByIdpel,
  kMeterNosByMsisdn,
  kPhonesOfMeter,
  // Revision 6.
  kSubscriptionUpdate,
  kSubscriptionsOfMsisdn,
  kMeterNoByModem,
  kMeterEventsRecent,
  kVendDetailInsert,
  kVendDetailGet,
  kTidMax,
  kTidInsert,
  kModemCommandPut,
  kModemCommandGet,
  kModemCommandForTxn,
  kModemSeqMax,
  kModemCommandsInState,
  kMessagesInState,
  kMessagesOfTxn,
  kCounterWindowGet,
  kCounterWindowPut,
  kAuditOfSubject,
  // find_transactions, one per index that drives it; parameters (all bound, NULL for
  // "any"): ?1 meter_no, ?2 msisdn, ?3 states as a JSON array, ?4 created since, ?5 limit,
  // ?6 created before, ?7 ?8 the cursor (created_ms, txn_id: only older ones), ?9 meter
  // numbers as a JSON array, ?10 token, ?11 reference.
  kTransactionsByMeter,
  kTransactionsByMsisdn,
  kTransactionsByState,
  kTransactionsByCreated,
  kTransactionsByMeters,
  kTransactionsByToken,
  kTransactionsByReference,
  // Revision 8.
  kMigrationInsert,
  kMigrationOfMeter,
  kMeterNoByOneWayMeter,
  kCount,
};

std::string_view sql_text(Sql id);

// The prepared statements of one connection. Not synchronised: used by the thread that
// holds the connection.
class Statements {
 public:
  static Result<Statements> prepare(sqlite::Connection& db);
  sqlite::Statement& operator[](Sql id) { return statements_[static_cast<size_t>(id)]; }

 private:
  std::array<sqlite::Statement, static_cast<size_t>(Sql::kCount)> statements_;
};

// Column lists shared by the statements and the code that reads their rows.
// transactions: txn_id, version, idempotency_key, meter_no, msisdn, amount_rupiah,
// energy_deci_kwh, token, state, reference, reason, created_ms, recorded_ms.
inline constexpr int kTransactionColumns = 13;
// meter_events: meter_no, at_ms, kind, detail, credit_deci_kwh, energy_deci_kwh, dedup_key.
// vend_details: txn_id, admin_rupiah, stamp_duty_rupiah, ppn_rupiah, ppj_rupiah,
// instalment_rupiah, power_purchase_rupiah, p2apst_token, key_change_tokens, tid,
// customer_name, tariff, power_va, p2apst_reference.
// modem_commands: meter_no, seq, kind, txn_id, state, attempts, result, created_ms, updated_ms.

}  // namespace pintar::store

#endif  // PINTAR_STORE_STATEMENTS_H_
