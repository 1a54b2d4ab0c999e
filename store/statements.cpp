#include "store/statements.h"

#include <fmt/format.h>

#include "store/chain_head.h"
#include "store/rows.h"

namespace pintar::store {
namespace {

// How far along its way an MT's delivery state is, as an SQL expression over `state`.
#define PINTAR_DELIVERY_RANK(state)                                                                   \
  "(CASE " state " WHEN 'pending' THEN 0 WHEN 'requested' THEN 0 WHEN 'queued' THEN 1 WHEN 'submitted' " \
  "THEN 2 WHEN 'failed' THEN 2 ELSE 3 END)"

#define PINTAR_TRANSACTION_COLUMNS                                                                           \
  "txn_id, version, idempotency_key, meter_no, msisdn, amount_rupiah, energy_deci_kwh, token, state, " \
  "reference, reason, created_ms, recorded_ms"

#define PINTAR_SUBSCRIPTION_COLUMNS "msisdn, meter_no, language, pin_hash, failed_pin_attempts, locked_until_ms"
#define PINTAR_MESSAGE_COLUMNS \
  "message_id, direction, msisdn, body, txn_id, smpp_message_id, delivery_state, created_ms, updated_ms"
#define PINTAR_METER_EVENT_COLUMNS "meter_no, at_ms, kind, detail, credit_deci_kwh, energy_deci_kwh, dedup_key"
#define PINTAR_VEND_DETAIL_COLUMNS                                                                              \
  "txn_id, admin_rupiah, stamp_duty_rupiah, ppn_rupiah, ppj_rupiah, instalment_rupiah, power_purchase_rupiah, " \
  "p2apst_token, key_change_tokens, tid, customer_name, tariff, power_va, p2apst_reference"
#define PINTAR_MODEM_COMMAND_COLUMNS \
  "meter_no, seq, kind, txn_id, state, attempts, result, created_ms, updated_ms"
// The newest versions (transaction_latest) matching every filter, walked along the index
// that `driver` names; the outer query fetches the whole rows of those versions.
#define PINTAR_TRANSACTION_QUERY(driver)                                                                \
  "SELECT " PINTAR_TRANSACTION_COLUMNS " FROM transactions WHERE seq IN ("                               \
  "SELECT seq FROM transaction_latest WHERE " driver " AND (?1 IS NULL OR meter_no = ?1) "               \
  "AND (?2 IS NULL OR msisdn = ?2) AND (?3 IS NULL OR state IN (SELECT value FROM json_each(?3))) "      \
  "AND created_ms >= ?4 AND created_ms < ?6 AND (?7 IS NULL OR created_ms < ?7 OR (created_ms = ?7 AND txn_id < ?8)) " \
  "AND (?9 IS NULL OR meter_no IN (SELECT value FROM json_each(?9))) "                                   \
  "AND (?10 IS NULL OR txn_id IN (SELECT txn_id FROM transactions WHERE token = ?10)) "                  \
  "AND (?11 IS NULL OR txn_id IN (SELECT txn_id FROM transactions WHERE reference = ?11)) "              \
  "ORDER BY created_ms DESC, txn_id DESC LIMIT ?5) ORDER BY created_ms DESC, txn_id DESC"

struct SqlEntry {
  Sql id;
  std::string_view text;
};

constexpr SqlEntry kSql[] = {
    {Sql::kChainHeadGet, kChainHeadGetSql},
    {Sql::kChainHeadPut, kChainHeadPutSql},
    {Sql::kTransactionInsert,
     "INSERT INTO transactions (seq, " PINTAR_TRANSACTION_COLUMNS ", row_hash, row_mac) "
     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
    {Sql::kTransactionLatest,
     "SELECT " PINTAR_TRANSACTION_COLUMNS " FROM transactions WHERE txn_id = ? ORDER BY version DESC LIMIT 1"},
    {Sql::kTransactionVersions,
     "SELECT " PINTAR_TRANSACTION_COLUMNS " FROM transactions WHERE txn_id = ? ORDER BY version"},
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
    // Only forward along an MT's way (pending/requested, queued, submitted/failed, then the
    // receipt's state): mt_ack and mt_result are repeated until acked, and a repeat that
    // arrives after the receipt must not turn "delivered" back into "submitted".
    {Sql::kMessageDeliveryUpdate,
     "UPDATE messages SET smpp_message_id = coalesce(?1, smpp_message_id), delivery_state = ?2, updated_ms = ?3 "
     "WHERE message_id = ?4 AND " PINTAR_DELIVERY_RANK("?2") " >= " PINTAR_DELIVERY_RANK("delivery_state")},
    {Sql::kMessageGet, "SELECT " PINTAR_MESSAGE_COLUMNS " FROM messages WHERE message_id = ?"},
    // DO NOTHING: an event whose dedup_key is stored already (the only unique index).
    {Sql::kMeterEventInsert,
     "INSERT INTO meter_events (" PINTAR_METER_EVENT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"},
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
     "SELECT " PINTAR_SUBSCRIPTION_COLUMNS " FROM subscriptions WHERE msisdn = ? AND meter_no = ?"},
    {Sql::kMeterNoByMeterNo, "SELECT meter_no FROM meters WHERE meter_no = ?"},
    {Sql::kMeterNosByIdpel, "SELECT meter_no FROM meters WHERE idpel = ?"},
    {Sql::kMeterNosByMsisdn, "SELECT meter_no FROM subscriptions WHERE msisdn = ?"},
    {Sql::kPhonesOfMeter, "SELECT msisdn, language FROM subscriptions WHERE meter_no = ? ORDER BY msisdn"},
    {Sql::kSubscriptionUpdate,
     "UPDATE subscriptions SET language = coalesce(?, language), pin_hash = coalesce(?, pin_hash), "
     "failed_pin_attempts = coalesce(?, failed_pin_attempts), locked_until_ms = coalesce(?, locked_until_ms) "
     "WHERE msisdn = ? AND meter_no = ?"},
    {Sql::kSubscriptionsOfMsisdn,
     "SELECT " PINTAR_SUBSCRIPTION_COLUMNS " FROM subscriptions WHERE msisdn = ? ORDER BY meter_no"},
    {Sql::kMeterNoByModem, "SELECT meter_no FROM meters WHERE modem_msisdn = ?"},
    {Sql::kMeterEventsRecent,
     "SELECT " PINTAR_METER_EVENT_COLUMNS " FROM meter_events WHERE meter_no = ? ORDER BY at_ms DESC, seq DESC "
     "LIMIT ?"},
    {Sql::kVendDetailInsert,
     "INSERT INTO vend_details (" PINTAR_VEND_DETAIL_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
    {Sql::kVendDetailGet, "SELECT " PINTAR_VEND_DETAIL_COLUMNS " FROM vend_details WHERE txn_id = ?"},
    {Sql::kTidMax, "SELECT max(tid) FROM tid_issues WHERE meter_no = ?"},
    {Sql::kTidInsert, "INSERT INTO tid_issues (meter_no, tid, txn_id, at_ms) VALUES (?, ?, ?, ?)"},
    {Sql::kModemCommandPut,
     "INSERT INTO modem_commands (" PINTAR_MODEM_COMMAND_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
     "ON CONFLICT (meter_no, seq) DO UPDATE SET kind = excluded.kind, txn_id = excluded.txn_id, "
     "state = excluded.state, attempts = excluded.attempts, result = excluded.result, "
     "created_ms = excluded.created_ms, updated_ms = excluded.updated_ms"},
    {Sql::kModemCommandGet, "SELECT " PINTAR_MODEM_COMMAND_COLUMNS " FROM modem_commands WHERE meter_no = ? AND seq = ?"},
    {Sql::kModemCommandForTxn,
     "SELECT " PINTAR_MODEM_COMMAND_COLUMNS " FROM modem_commands WHERE txn_id = ? ORDER BY seq DESC LIMIT 1"},
    {Sql::kModemSeqMax, "SELECT coalesce(max(seq), 0) FROM modem_commands WHERE meter_no = ?"},
    {Sql::kModemCommandsInState,
     "SELECT " PINTAR_MODEM_COMMAND_COLUMNS " FROM modem_commands WHERE state = ? ORDER BY meter_no, seq"},
    {Sql::kMessagesInState,
     "SELECT " PINTAR_MESSAGE_COLUMNS " FROM messages WHERE direction = ? AND delivery_state = ? "
     "ORDER BY created_ms, rowid LIMIT ?"},
    {Sql::kMessagesOfTxn, "SELECT " PINTAR_MESSAGE_COLUMNS " FROM messages WHERE txn_id = ? ORDER BY created_ms, rowid"},
    {Sql::kCounterWindowGet, "SELECT highest, seen FROM counter_windows WHERE key_id = ? AND direction = ?"},
    {Sql::kCounterWindowPut,
     "INSERT INTO counter_windows (key_id, direction, highest, seen) VALUES (?, ?, ?, ?) "
     "ON CONFLICT (key_id, direction) DO UPDATE SET highest = excluded.highest, seen = excluded.seen"},
    {Sql::kAuditOfSubject, "SELECT at_ms, actor, action, subject, detail FROM audit WHERE subject = ? ORDER BY seq"},
    {Sql::kTransactionsByMeter, PINTAR_TRANSACTION_QUERY("meter_no = ?1")},
    {Sql::kTransactionsByMsisdn, PINTAR_TRANSACTION_QUERY("msisdn = ?2")},
    {Sql::kTransactionsByState, PINTAR_TRANSACTION_QUERY("state IN (SELECT value FROM json_each(?3))")},
    {Sql::kTransactionsByCreated, PINTAR_TRANSACTION_QUERY("created_ms >= ?4")},
    {Sql::kTransactionsByMeters, PINTAR_TRANSACTION_QUERY("meter_no IN (SELECT value FROM json_each(?9))")},
    {Sql::kTransactionsByToken,
     PINTAR_TRANSACTION_QUERY("txn_id IN (SELECT txn_id FROM transactions WHERE token = ?10)")},
    {Sql::kTransactionsByReference,
     PINTAR_TRANSACTION_QUERY("txn_id IN (SELECT txn_id FROM transactions WHERE reference = ?11)")},
    {Sql::kMigrationInsert, "INSERT INTO meter_migrations (meter_no, one_way_meter_no, migrated_ms) VALUES (?, ?, ?)"},
    {Sql::kMigrationOfMeter, "SELECT one_way_meter_no, migrated_ms FROM meter_migrations WHERE meter_no = ?"},
    {Sql::kMeterNoByOneWayMeter, "SELECT meter_no FROM meter_migrations WHERE one_way_meter_no = ?"},
};

#undef PINTAR_TRANSACTION_QUERY
#undef PINTAR_MODEM_COMMAND_COLUMNS
#undef PINTAR_VEND_DETAIL_COLUMNS
#undef PINTAR_METER_EVENT_COLUMNS
#undef PINTAR_MESSAGE_COLUMNS
#undef PINTAR_SUBSCRIPTION_COLUMNS
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
