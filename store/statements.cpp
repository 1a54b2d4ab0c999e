#include "store/statements.h"

#include <fmt/format.h>

#include "store/chain_head.h"
#include "store/rows.h"

namespace pintar::store {
namespace {

#define PINTAR_TRANSACTION_COLUMNS                                                                           \
  "txn_id, version, idempotency_key, meter_no, msisdn, amount_rupiah, energy_deci_kwh, token, state, " \
  "reference, reason, created_ms, recorded_ms"

struct SqlEntry {
  Sql id;
  std::string_view text;
};

constexpr SqlEntry kSql[] = {
    {Sql::kBegin, "BEGIN IMMEDIATE"},
    {Sql::kCommit, "COMMIT"},
    {Sql::kRollback, "ROLLBACK"},
    {Sql::kSavepoint, "SAVEPOINT write_set"},
    {Sql::kRelease, "RELEASE write_set"},
    {Sql::kRollbackToSavepoint, "ROLLBACK TO write_set"},
    {Sql::kChainHeadGet, kChainHeadGetSql},
    {Sql::kChainHeadPut, kChainHeadPutSql},
    {Sql::kTransactionInsert,
     "INSERT INTO transactions (seq, " PINTAR_TRANSACTION_COLUMNS ", row_hash, row_mac) "
     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
    {Sql::kTransactionLatest,
     "SELECT " PINTAR_TRANSACTION_COLUMNS " FROM transactions WHERE txn_id = ? ORDER BY version DESC LIMIT 1"},
    {Sql::kTransactionIdByIdempotencyKey, "SELECT txn_id FROM transactions WHERE idempotency_key = ? AND version = 1"},
    {Sql::kTransactionScan, "SELECT " PINTAR_TRANSACTION_COLUMNS ", seq, row_hash, row_mac FROM transactions ORDER BY seq"},
    {Sql::kAuditInsert,
     "INSERT INTO audit (seq, at_ms, actor, action, subject, detail, row_hash, row_mac) "
     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
    {Sql::kAuditScan, "SELECT at_ms, actor, action, subject, detail, seq, row_hash, row_mac FROM audit ORDER BY seq"},
    {Sql::kPurchaseChainScan,
     "SELECT purchase_id, entry, seq, row_hash, row_mac FROM p2apst_journal_chain ORDER BY seq"},
    {Sql::kPurchaseScan, "SELECT " PINTAR_PURCHASE_CHAIN_COLUMNS " FROM p2apst_purchases ORDER BY id"},
    {Sql::kChainKeyId, "SELECT value FROM meta WHERE key = 'chain_key_id'"},
    {Sql::kMessageInsert,
     "INSERT INTO messages (message_id, direction, msisdn, body, txn_id, smpp_message_id, delivery_state, "
     "created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"},
    {Sql::kMessageDeliveryUpdate,
     "UPDATE messages SET smpp_message_id = coalesce(?, smpp_message_id), delivery_state = ?, updated_ms = ? "
     "WHERE message_id = ?"},
    {Sql::kMessageGet,
     "SELECT message_id, direction, msisdn, body, txn_id, smpp_message_id, delivery_state, created_ms, updated_ms "
     "FROM messages WHERE message_id = ?"},
    {Sql::kMeterEventInsert, "INSERT INTO meter_events (meter_no, at_ms, kind, detail) VALUES (?, ?, ?, ?)"},
    {Sql::kCustomerInsert,
     "INSERT INTO customers (idpel, name, tariff, power_va, region, created_ms) VALUES (?, ?, ?, ?, ?, ?) "
     "ON CONFLICT (idpel) DO NOTHING"},
    {Sql::kCustomerGet, "SELECT idpel, name, tariff, power_va, region FROM customers WHERE idpel = ?"},
    {Sql::kModemInsert,
     "INSERT INTO modems (msisdn, key_id, created_ms) VALUES (?, ?, ?) ON CONFLICT (msisdn) DO NOTHING"},
    {Sql::kModemGet, "SELECT msisdn, key_id FROM modems WHERE msisdn = ?"},
    {Sql::kMeterInsert,
     "INSERT INTO meters (meter_no, idpel, sgc, ti, krn, kt, ea, dkga, base_date, kdpm, modem_msisdn, created_ms) "
     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (meter_no) DO NOTHING"},
    {Sql::kMeterGet,
     "SELECT meter_no, idpel, sgc, ti, krn, kt, ea, dkga, base_date, kdpm, modem_msisdn FROM meters "
     "WHERE meter_no = ?"},
    {Sql::kSubscriptionInsert,
     "INSERT INTO subscriptions (msisdn, meter_no, language, pin_hash, created_ms) VALUES (?, ?, ?, ?, ?) "
     "ON CONFLICT (msisdn, meter_no) DO NOTHING"},
    {Sql::kSubscriptionGet,
     "SELECT msisdn, meter_no, language, pin_hash FROM subscriptions WHERE msisdn = ? AND meter_no = ?"},
    {Sql::kMeterNoByMeterNo, "SELECT meter_no FROM meters WHERE meter_no = ?"},
    {Sql::kMeterNosByIdpel, "SELECT meter_no FROM meters WHERE idpel = ?"},
    {Sql::kMeterNosByMsisdn, "SELECT meter_no FROM subscriptions WHERE msisdn = ?"},
    {Sql::kPhonesOfMeter, "SELECT msisdn, language FROM subscriptions WHERE meter_no = ? ORDER BY msisdn"},
};

#undef PINTAR_TRANSACTION_COLUMNS

constexpr bool table_is_indexed_by_enum() {
  if (std::size(kSql) != static_cast<size_t>(Sql::kCount)) return false;
  for (size_t i = 0; i < std::size(kSql); ++i) {
    if (static_cast<size_t>(kSql[i].id) != i) return false;
  }
  return true;
}
static_assert(table_is_indexed_by_enum(), "kSql must list every Sql value once, in enum order");

}  // namespace

std::string_view sql_text(Sql id) { return kSql[static_cast<size_t>(id)].text; }

Result<Statements> Statements::prepare(sqlite::Connection& db) {
  Statements out;
  for (const SqlEntry& entry : kSql) {
    auto statement = db.prepare(entry.text);
    if (!statement.ok()) return statement.status();
    out[entry.id] = std::move(statement).value();
  }
  return out;
}

}  // namespace pintar::store
