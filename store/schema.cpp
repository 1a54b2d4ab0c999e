#include "store/schema.h"

#include <charconv>

#include <fmt/format.h>

#include "store/chain.h"
#include "store/rows.h"

namespace pintar::store {
namespace {

// Format checks shared by several tables are spelt out in each CHECK: SQLite has no
// domains, and a CHECK must not depend on anything that a later step could change.

// Revision 1: reference data, as the subscriber import fills it.
constexpr std::string_view kRevision1[] = {
    R"sql(CREATE TABLE meta (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) WITHOUT ROWID)sql",
    R"sql(CREATE TABLE customers (
      idpel TEXT PRIMARY KEY CHECK (length(idpel) = 12 AND idpel NOT GLOB '*[^0-9]*'),
      name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
      tariff TEXT NOT NULL CHECK (length(tariff) BETWEEN 1 AND 8),
      power_va INTEGER NOT NULL CHECK (typeof(power_va) = 'integer' AND power_va > 0),
      region TEXT NOT NULL CHECK (length(region) BETWEEN 1 AND 16),
      created_ms INTEGER NOT NULL CHECK (created_ms >= 0)
    ) WITHOUT ROWID)sql",
    R"sql(CREATE TABLE modems (
      msisdn TEXT PRIMARY KEY
        CHECK (length(msisdn) BETWEEN 10 AND 15 AND msisdn GLOB '62*' AND msisdn NOT GLOB '*[^0-9]*'),
      key_id TEXT NOT NULL CHECK (length(key_id) BETWEEN 1 AND 32),
      created_ms INTEGER NOT NULL CHECK (created_ms >= 0)
    ) WITHOUT ROWID)sql",
    R"sql(CREATE TABLE meters (
      meter_no TEXT PRIMARY KEY CHECK (length(meter_no) = 11 AND meter_no NOT GLOB '*[^0-9]*'),
      idpel TEXT NOT NULL REFERENCES customers (idpel),
      sgc TEXT NOT NULL CHECK (length(sgc) = 6 AND sgc NOT GLOB '*[^0-9]*'),
      ti INTEGER NOT NULL CHECK (typeof(ti) = 'integer' AND ti BETWEEN 0 AND 99),
      krn INTEGER NOT NULL CHECK (typeof(krn) = 'integer' AND krn BETWEEN 1 AND 9),
      kt INTEGER NOT NULL CHECK (typeof(kt) = 'integer' AND kt BETWEEN 0 AND 3),
      ea INTEGER NOT NULL CHECK (ea IN (7, 9, 11)),
      dkga INTEGER NOT NULL CHECK (typeof(dkga) = 'integer' AND dkga BETWEEN 1 AND 4),
      base_date INTEGER NOT NULL CHECK (base_date IN (1993, 2014, 2035)),
      kdpm TEXT NOT NULL CHECK (length(kdpm) BETWEEN 1 AND 8),
      modem_msisdn TEXT NOT NULL UNIQUE REFERENCES modems (msisdn),
      created_ms INTEGER NOT NULL CHECK (created_ms >= 0)
    ) WITHOUT ROWID)sql",
    "CREATE INDEX meters_by_idpel ON meters (idpel)",
    R"sql(CREATE TABLE subscriptions (
      msisdn TEXT NOT NULL
        CHECK (length(msisdn) BETWEEN 10 AND 15 AND msisdn GLOB '62*' AND msisdn NOT GLOB '*[^0-9]*'),
      meter_no TEXT NOT NULL REFERENCES meters (meter_no),
      language TEXT NOT NULL CHECK (language IN ('id', 'en')),
      pin_hash BLOB NOT NULL CHECK (typeof(pin_hash) = 'blob' AND length(pin_hash) = 32),
      created_ms INTEGER NOT NULL CHECK (created_ms >= 0),
      PRIMARY KEY (msisdn, meter_no)
    ) WITHOUT ROWID)sql",
    "CREATE INDEX subscriptions_by_meter ON subscriptions (meter_no)",
};

// Revision 2: the hash-chained, append-only tables (see chain.h) and their chain heads.
constexpr std::string_view kRevision2[] = {
    R"sql(CREATE TABLE transactions (
      seq INTEGER PRIMARY KEY CHECK (seq > 0),
      txn_id TEXT NOT NULL CHECK (length(txn_id) BETWEEN 1 AND 64),
      version INTEGER NOT NULL CHECK (typeof(version) = 'integer' AND version >= 1),
      idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 128),
      meter_no TEXT NOT NULL CHECK (length(meter_no) = 11 AND meter_no NOT GLOB '*[^0-9]*'),
      msisdn TEXT NOT NULL CHECK (length(msisdn) BETWEEN 3 AND 20 AND msisdn NOT GLOB '*[^0-9]*'),
      amount_rupiah INTEGER NOT NULL CHECK (typeof(amount_rupiah) = 'integer' AND amount_rupiah >= 0),
      energy_deci_kwh INTEGER NOT NULL CHECK (typeof(energy_deci_kwh) = 'integer' AND energy_deci_kwh >= 0),
      token TEXT CHECK (token IS NULL OR (length(token) = 20 AND token NOT GLOB '*[^0-9]*')),
      state TEXT NOT NULL CHECK (length(state) BETWEEN 1 AND 32 AND state NOT GLOB '*[^a-z_]*'),
      reference TEXT CHECK (reference IS NULL OR length(reference) BETWEEN 1 AND 64),
      reason TEXT CHECK (reason IS NULL OR length(reason) <= 256),
      created_ms INTEGER NOT NULL CHECK (typeof(created_ms) = 'integer' AND created_ms >= 0),
      recorded_ms INTEGER NOT NULL CHECK (typeof(recorded_ms) = 'integer' AND recorded_ms >= 0),
      row_hash BLOB NOT NULL CHECK (typeof(row_hash) = 'blob' AND length(row_hash) = 32),
      UNIQUE (txn_id, version)
    ))sql",
    // One transaction per idempotency key; later versions repeat the key (checked below).
    "CREATE UNIQUE INDEX transactions_by_idempotency_key ON transactions (idempotency_key) WHERE version = 1",
    // Helpdesk lookups by meter, phone and token; SLA reports and the daily file by time.
    "CREATE INDEX transactions_by_meter ON transactions (meter_no, created_ms)",
    "CREATE INDEX transactions_by_msisdn ON transactions (msisdn, created_ms)",
    "CREATE INDEX transactions_by_token ON transactions (token) WHERE token IS NOT NULL",
    "CREATE INDEX transactions_by_recorded ON transactions (recorded_ms)",
    R"sql(CREATE TRIGGER transactions_version_follows BEFORE INSERT ON transactions
      WHEN NEW.version > 1 AND NOT EXISTS (
        SELECT 1 FROM transactions WHERE txn_id = NEW.txn_id AND version = NEW.version - 1
          AND idempotency_key = NEW.idempotency_key AND created_ms = NEW.created_ms)
      BEGIN SELECT RAISE(ABORT, 'a transaction version must follow the previous version of the same transaction'); END)sql",
    R"sql(CREATE TRIGGER transactions_append_only_update BEFORE UPDATE ON transactions
      BEGIN SELECT RAISE(ABORT, 'transactions are append-only'); END)sql",
    R"sql(CREATE TRIGGER transactions_append_only_delete BEFORE DELETE ON transactions
      BEGIN SELECT RAISE(ABORT, 'transactions are append-only'); END)sql",
    R"sql(CREATE TABLE audit (
      seq INTEGER PRIMARY KEY CHECK (seq > 0),
      at_ms INTEGER NOT NULL CHECK (typeof(at_ms) = 'integer' AND at_ms >= 0),
      actor TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 64),
      action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
      subject TEXT NOT NULL CHECK (length(subject) <= 128),
      detail TEXT NOT NULL CHECK (length(detail) <= 1024),
      row_hash BLOB NOT NULL CHECK (typeof(row_hash) = 'blob' AND length(row_hash) = 32)
    ))sql",
    "CREATE INDEX audit_by_subject ON audit (subject)",
    R"sql(CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END)sql",
    R"sql(CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END)sql",
    // The last row of each chain, moved in the same SQLite transaction as the row: lets
    // `ledger verify` notice rows cut off the end, which no hash inside the chain can.
    R"sql(CREATE TABLE chain_heads (
      chain TEXT PRIMARY KEY,
      seq INTEGER NOT NULL CHECK (seq >= 0),
      row_hash BLOB NOT NULL CHECK (length(row_hash) = 32)
    ) WITHOUT ROWID)sql",
    "INSERT INTO chain_heads (chain, seq, row_hash) VALUES ('transactions', 0, zeroblob(32)), ('audit', 0, zeroblob(32))",
};

// Revision 3: SMS traffic and meter events.
constexpr std::string_view kRevision3[] = {
    R"sql(CREATE TABLE messages (
      message_id TEXT PRIMARY KEY CHECK (length(message_id) BETWEEN 1 AND 64),
      direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
      msisdn TEXT NOT NULL CHECK (length(msisdn) BETWEEN 3 AND 20 AND msisdn NOT GLOB '*[^0-9]*'),
      body TEXT NOT NULL CHECK (length(body) <= 1600),
      txn_id TEXT CHECK (txn_id IS NULL OR length(txn_id) BETWEEN 1 AND 64),
      smpp_message_id TEXT CHECK (smpp_message_id IS NULL OR length(smpp_message_id) BETWEEN 1 AND 65),
      delivery_state TEXT NOT NULL
        CHECK (length(delivery_state) BETWEEN 1 AND 32 AND delivery_state NOT GLOB '*[^a-z_]*'),
      created_ms INTEGER NOT NULL CHECK (typeof(created_ms) = 'integer' AND created_ms >= 0),
      updated_ms INTEGER NOT NULL CHECK (typeof(updated_ms) = 'integer' AND updated_ms >= created_ms)
    ))sql",
    "CREATE INDEX messages_by_msisdn ON messages (msisdn, created_ms)",
    "CREATE INDEX messages_by_smpp_message_id ON messages (smpp_message_id) WHERE smpp_message_id IS NOT NULL",
    "CREATE INDEX messages_by_txn ON messages (txn_id) WHERE txn_id IS NOT NULL",
    "CREATE INDEX messages_by_created ON messages (created_ms)",
    R"sql(CREATE TABLE meter_events (
      seq INTEGER PRIMARY KEY,
      meter_no TEXT NOT NULL CHECK (length(meter_no) = 11 AND meter_no NOT GLOB '*[^0-9]*'),
      at_ms INTEGER NOT NULL CHECK (typeof(at_ms) = 'integer' AND at_ms >= 0),
      kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 32 AND kind NOT GLOB '*[^a-z_]*'),
      detail TEXT NOT NULL CHECK (length(detail) <= 1024)
    ))sql",
    "CREATE INDEX meter_events_by_meter ON meter_events (meter_no, at_ms)",
};

// Revision 4: the P2APST purchase journal (store/p2apst_journal.h), written before each ISO
// 8583 message about a purchase leaves so that a crash resumes it with advice.
constexpr std::string_view kRevision4[] = {
    R"sql(CREATE TABLE p2apst_purchases (
      id INTEGER PRIMARY KEY,
      created_ms INTEGER NOT NULL CHECK (typeof(created_ms) = 'integer' AND created_ms >= 0),
      updated_ms INTEGER NOT NULL CHECK (typeof(updated_ms) = 'integer' AND updated_ms >= 0),
      meter TEXT NOT NULL CHECK (length(meter) = 11 AND meter NOT GLOB '*[^0-9]*'),
      amount INTEGER NOT NULL CHECK (typeof(amount) = 'integer' AND amount > 0),
      bit48 TEXT NOT NULL CHECK (length(bit48) = 145),
      local_time TEXT NOT NULL CHECK (length(local_time) = 14 AND local_time NOT GLOB '*[^0-9]*'),
      state TEXT NOT NULL CHECK (state IN ('intent', 'sent', 'advice_sent', 'completed', 'declined', 'no_sale',
                                           'not_sent', 'needs_manual')),
      advice_count INTEGER NOT NULL CHECK (typeof(advice_count) = 'integer' AND advice_count >= 0),
      stan TEXT CHECK (stan IS NULL OR (length(stan) = 12 AND stan NOT GLOB '*[^0-9]*')),
      response_code TEXT CHECK (response_code IS NULL OR length(response_code) = 4),
      response_bit48 TEXT CHECK (response_bit48 IS NULL OR length(response_bit48) = 241)
    ))sql",
    R"sql(CREATE INDEX p2apst_purchases_unresolved ON p2apst_purchases (id)
      WHERE state IN ('intent', 'sent', 'advice_sent'))sql",
};

// Revision 5: keyed chains (chain_key.h) and the purchase journal under a chain. The row
// MAC columns stay NULL for rows written before a chain key was given; chain_heads says from
// which row on a chain is keyed. The chain's first entries, one per existing purchase row,
// are made by chain_existing_purchases() in the same transaction.
constexpr std::string_view kRevision5[] = {
    "ALTER TABLE transactions ADD COLUMN row_mac BLOB CHECK (row_mac IS NULL OR length(row_mac) = 32)",
    "ALTER TABLE audit ADD COLUMN row_mac BLOB CHECK (row_mac IS NULL OR length(row_mac) = 32)",
    "ALTER TABLE chain_heads ADD COLUMN keyed_from INTEGER CHECK (keyed_from IS NULL OR keyed_from >= 1)",
    "ALTER TABLE chain_heads ADD COLUMN head_mac BLOB CHECK (head_mac IS NULL OR length(head_mac) = 32)",
    R"sql(CREATE TABLE p2apst_journal_chain (
      seq INTEGER PRIMARY KEY CHECK (seq > 0),
      purchase_id INTEGER NOT NULL,
      entry BLOB NOT NULL,
      row_hash BLOB NOT NULL CHECK (typeof(row_hash) = 'blob' AND length(row_hash) = 32),
      row_mac BLOB CHECK (row_mac IS NULL OR length(row_mac) = 32)
    ))sql",
    "CREATE INDEX p2apst_journal_chain_by_purchase ON p2apst_journal_chain (purchase_id, seq)",
    R"sql(CREATE TRIGGER p2apst_journal_chain_append_only_update BEFORE UPDATE ON p2apst_journal_chain
      BEGIN SELECT RAISE(ABORT, 'the purchase journal chain is append-only'); END)sql",
    R"sql(CREATE TRIGGER p2apst_journal_chain_append_only_delete BEFORE DELETE ON p2apst_journal_chain
      BEGIN SELECT RAISE(ABORT, 'the purchase journal chain is append-only'); END)sql",
    "INSERT INTO chain_heads (chain, seq, row_hash) VALUES ('p2apst_purchases', 0, zeroblob(32))",
};

// Revision 6: what the vending engine keeps besides transaction versions (store/ledger.h):
// PIN lockout, meter readings with a dedup key, the P2APST details of a sale, the STS TIDs
// issued per meter, modem commands, the modem counter windows, the purchase journal's
// transaction id, and an index of each transaction's newest version.
constexpr std::string_view kRevision6[] = {
    "ALTER TABLE subscriptions ADD COLUMN failed_pin_attempts INTEGER NOT NULL DEFAULT 0 "
    "CHECK (typeof(failed_pin_attempts) = 'integer' AND failed_pin_attempts >= 0)",
    "ALTER TABLE subscriptions ADD COLUMN locked_until_ms INTEGER NOT NULL DEFAULT 0 "
    "CHECK (typeof(locked_until_ms) = 'integer' AND locked_until_ms >= 0)",
    "ALTER TABLE meter_events ADD COLUMN credit_deci_kwh INTEGER "
    "CHECK (credit_deci_kwh IS NULL OR typeof(credit_deci_kwh) = 'integer')",
    "ALTER TABLE meter_events ADD COLUMN energy_deci_kwh INTEGER "
    "CHECK (energy_deci_kwh IS NULL OR (typeof(energy_deci_kwh) = 'integer' AND energy_deci_kwh >= 0))",
    "ALTER TABLE meter_events ADD COLUMN dedup_key TEXT CHECK (dedup_key IS NULL OR length(dedup_key) BETWEEN 1 AND 64)",
    // A modem repeating a report (it did not see our answer) must be recorded once.
    "CREATE UNIQUE INDEX meter_events_by_dedup_key ON meter_events (dedup_key) WHERE dedup_key IS NOT NULL",
    // Key change tokens: 20 digits each, comma separated, in the order they are entered.
    R"sql(CREATE TABLE vend_details (
      txn_id TEXT PRIMARY KEY CHECK (length(txn_id) BETWEEN 1 AND 64),
      admin_rupiah INTEGER NOT NULL CHECK (typeof(admin_rupiah) = 'integer' AND admin_rupiah >= 0),
      stamp_duty_rupiah INTEGER NOT NULL CHECK (typeof(stamp_duty_rupiah) = 'integer' AND stamp_duty_rupiah >= 0),
      ppn_rupiah INTEGER NOT NULL CHECK (typeof(ppn_rupiah) = 'integer' AND ppn_rupiah >= 0),
      ppj_rupiah INTEGER NOT NULL CHECK (typeof(ppj_rupiah) = 'integer' AND ppj_rupiah >= 0),
      instalment_rupiah INTEGER NOT NULL CHECK (typeof(instalment_rupiah) = 'integer' AND instalment_rupiah >= 0),
      power_purchase_rupiah INTEGER NOT NULL
        CHECK (typeof(power_purchase_rupiah) = 'integer' AND power_purchase_rupiah >= 0),
      p2apst_token TEXT CHECK (p2apst_token IS NULL OR (length(p2apst_token) = 20 AND p2apst_token NOT GLOB '*[^0-9]*')),
      key_change_tokens TEXT NOT NULL CHECK (key_change_tokens = '' OR ((length(key_change_tokens) + 1) % 21 = 0
        AND key_change_tokens NOT GLOB '*[^0-9,]*' AND key_change_tokens NOT GLOB '*,,*'
        AND key_change_tokens NOT GLOB ',*' AND key_change_tokens NOT GLOB '*,')),
      tid INTEGER CHECK (tid IS NULL OR (typeof(tid) = 'integer' AND tid BETWEEN 0 AND 16777215)),
      customer_name TEXT NOT NULL CHECK (length(customer_name) <= 64),
      tariff TEXT NOT NULL CHECK (length(tariff) <= 8),
      power_va INTEGER NOT NULL CHECK (typeof(power_va) = 'integer' AND power_va >= 0),
      p2apst_reference TEXT NOT NULL CHECK (length(p2apst_reference) <= 64)
    ) WITHOUT ROWID)sql",
    // STS TIDs issued per meter (IEC 62055-41: 24 bits in the token, minutes since the base
    // date). Stored on the meter's own scale, which for a base-1993 meter keeps counting past
    // 2^24 - 1 across the rollover's key change (vending/engine/token_maker.h), hence 31 bits. The
    // writer refuses a TID not above the meter's highest with FailedPrecondition; this
    // trigger is the backstop for any other writer.
    R"sql(CREATE TABLE tid_issues (
      meter_no TEXT NOT NULL CHECK (length(meter_no) = 11 AND meter_no NOT GLOB '*[^0-9]*'),
      tid INTEGER NOT NULL CHECK (typeof(tid) = 'integer' AND tid BETWEEN 0 AND 2147483647),
      txn_id TEXT NOT NULL CHECK (length(txn_id) BETWEEN 1 AND 64),
      at_ms INTEGER NOT NULL CHECK (typeof(at_ms) = 'integer' AND at_ms >= 0),
      PRIMARY KEY (meter_no, tid)
    ) WITHOUT ROWID)sql",
    R"sql(CREATE TRIGGER tid_issues_increase BEFORE INSERT ON tid_issues
      WHEN EXISTS (SELECT 1 FROM tid_issues WHERE meter_no = NEW.meter_no AND tid >= NEW.tid)
      BEGIN SELECT RAISE(ABORT, 'a TID must be above every TID issued for the meter'); END)sql",
    R"sql(CREATE TRIGGER tid_issues_append_only_update BEFORE UPDATE ON tid_issues
      BEGIN SELECT RAISE(ABORT, 'issued TIDs are append-only'); END)sql",
    // A deleted TID could be issued again, which the meter would refuse.
    R"sql(CREATE TRIGGER tid_issues_append_only_delete BEFORE DELETE ON tid_issues
      BEGIN SELECT RAISE(ABORT, 'issued TIDs are append-only'); END)sql",
    // The modem's answer is kept as text; 20 digits in a row would be a token, which must
    // not be stored here.
    R"sql(CREATE TABLE modem_commands (
      meter_no TEXT NOT NULL CHECK (length(meter_no) = 11 AND meter_no NOT GLOB '*[^0-9]*'),
      seq INTEGER NOT NULL CHECK (typeof(seq) = 'integer' AND seq >= 1),
      kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 32 AND kind NOT GLOB '*[^a-z_]*'),
      txn_id TEXT CHECK (txn_id IS NULL OR length(txn_id) BETWEEN 1 AND 64),
      state TEXT NOT NULL CHECK (length(state) BETWEEN 1 AND 32 AND state NOT GLOB '*[^a-z_]*'),
      attempts INTEGER NOT NULL CHECK (typeof(attempts) = 'integer' AND attempts >= 0),
      result TEXT NOT NULL CHECK (length(result) <= 256 AND result NOT GLOB
        '*[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]*'),
      created_ms INTEGER NOT NULL CHECK (typeof(created_ms) = 'integer' AND created_ms >= 0),
      updated_ms INTEGER NOT NULL CHECK (typeof(updated_ms) = 'integer' AND updated_ms >= created_ms),
      PRIMARY KEY (meter_no, seq)
    ) WITHOUT ROWID)sql",
    "CREATE INDEX modem_commands_by_txn ON modem_commands (txn_id, seq) WHERE txn_id IS NOT NULL",
    "CREATE INDEX modem_commands_by_state ON modem_commands (state, meter_no, seq)",
    // seen: the 64-bit window bitmap, stored as the signed integer with the same bits.
    R"sql(CREATE TABLE counter_windows (
      key_id TEXT NOT NULL CHECK (length(key_id) BETWEEN 1 AND 32),
      direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
      highest INTEGER NOT NULL CHECK (typeof(highest) = 'integer' AND highest BETWEEN 0 AND 4294967295),
      seen INTEGER NOT NULL CHECK (typeof(seen) = 'integer'),
      PRIMARY KEY (key_id, direction)
    ) WITHOUT ROWID)sql",
    "ALTER TABLE p2apst_purchases ADD COLUMN txn_id TEXT CHECK (txn_id IS NULL OR length(txn_id) BETWEEN 1 AND 64)",
    "CREATE INDEX p2apst_purchases_by_txn ON p2apst_purchases (txn_id, id) WHERE txn_id IS NOT NULL",
    // The newest version of each transaction, kept by the trigger below, so that searches
    // by meter, phone, state or time walk an index instead of every version. Derived data:
    // not chained (the versions are), rebuilt from transactions by this migration.
    R"sql(CREATE TABLE transaction_latest (
      txn_id TEXT PRIMARY KEY,
      seq INTEGER NOT NULL UNIQUE,
      version INTEGER NOT NULL,
      meter_no TEXT NOT NULL,
      msisdn TEXT NOT NULL,
      state TEXT NOT NULL,
      created_ms INTEGER NOT NULL
    ) WITHOUT ROWID)sql",
    "CREATE INDEX transaction_latest_by_meter ON transaction_latest (meter_no, created_ms, txn_id)",
    "CREATE INDEX transaction_latest_by_msisdn ON transaction_latest (msisdn, created_ms, txn_id)",
    "CREATE INDEX transaction_latest_by_state ON transaction_latest (state, created_ms, txn_id)",
    "CREATE INDEX transaction_latest_by_created ON transaction_latest (created_ms, txn_id)",
    R"sql(CREATE TRIGGER transactions_track_latest AFTER INSERT ON transactions
      BEGIN
        INSERT OR REPLACE INTO transaction_latest (txn_id, seq, version, meter_no, msisdn, state, created_ms)
          VALUES (NEW.txn_id, NEW.seq, NEW.version, NEW.meter_no, NEW.msisdn, NEW.state, NEW.created_ms);
      END)sql",
    R"sql(INSERT INTO transaction_latest (txn_id, seq, version, meter_no, msisdn, state, created_ms)
      SELECT txn_id, seq, version, meter_no, msisdn, state, created_ms FROM transactions t
      WHERE version = (SELECT max(version) FROM transactions WHERE txn_id = t.txn_id))sql",
    "CREATE INDEX messages_by_state ON messages (direction, delivery_state, created_ms)",
};

constexpr std::string_view kRevision7[] = {
    // The helpdesk finds a purchase by the reference a customer reads off a receipt.
    "CREATE INDEX transactions_by_reference ON transactions (reference) WHERE reference IS NOT NULL",
    // The helpdesk's API keys (store/helpdesk_keys.h): only a hash of each secret is kept.
    // Not chained: adding and revoking a key is recorded in the audit log.
    R"sql(CREATE TABLE helpdesk_keys (
      key_id TEXT PRIMARY KEY CHECK (length(key_id) = 16 AND key_id NOT GLOB '*[^0-9a-f]*'),
      name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
      role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
      secret_hash BLOB NOT NULL CHECK (length(secret_hash) = 32),
      created_ms INTEGER NOT NULL CHECK (created_ms >= 0),
      revoked_ms INTEGER CHECK (revoked_ms IS NULL OR revoked_ms >= 0)
    ) WITHOUT ROWID)sql",
};

// Revision 8: migrations to two-way (store/registry_change.h, TwoWayMigration): which
// one-way (keypad-only) meter, never registered here, each two-way meter replaced. A
// one-way meter is replaced once; the new meter replaces at most one.
constexpr std::string_view kRevision8[] = {
    R"sql(CREATE TABLE meter_migrations (
      meter_no TEXT PRIMARY KEY REFERENCES meters (meter_no),
      one_way_meter_no TEXT NOT NULL UNIQUE
        CHECK (length(one_way_meter_no) = 11 AND one_way_meter_no NOT GLOB '*[^0-9]*'),
      migrated_ms INTEGER NOT NULL CHECK (typeof(migrated_ms) = 'integer' AND migrated_ms >= 0)
    ) WITHOUT ROWID)sql",
};

// Revision 9: the real-time feed to PLN (store/feed_store.h, docs/pln-feed.md). A purchase
// version that reaches an end state gets the next feed sequence number, in the same
// transaction that writes it: the numbers have no gaps (an INTEGER PRIMARY KEY without
// AUTOINCREMENT is the largest plus one, and a rolled-back write takes its number back),
// and each (purchase, end state) is numbered once, so a second version in the same state
// (a resend's) is not fed again. A needs_manual purchase later resolved is fed twice: once
// needs_manual, once with its outcome. Each consumer's durable cursor is the last number it
// has delivered. Purchases that ended before this revision are numbered by the migration,
// in ledger order, so the feed starts with them.
#define PINTAR_FEED_END_STATES "('completed', 'refused', 'needs_manual', 'cancelled', 'expired')"
constexpr std::string_view kRevision9[] = {
    R"sql(CREATE TABLE feed_records (
      seq INTEGER PRIMARY KEY CHECK (seq > 0),
      txn_seq INTEGER NOT NULL UNIQUE REFERENCES transactions (seq),
      txn_id TEXT NOT NULL,
      state TEXT NOT NULL,
      UNIQUE (txn_id, state)
    ))sql",
    R"sql(CREATE TABLE feed_cursors (
      consumer TEXT PRIMARY KEY CHECK (length(consumer) BETWEEN 1 AND 32),
      delivered_seq INTEGER NOT NULL CHECK (delivered_seq >= 0),
      updated_ms INTEGER NOT NULL CHECK (updated_ms >= 0)
    ) WITHOUT ROWID)sql",
    "CREATE TRIGGER transactions_feed AFTER INSERT ON transactions WHEN NEW.state IN " PINTAR_FEED_END_STATES
    " BEGIN INSERT OR IGNORE INTO feed_records (txn_seq, txn_id, state) VALUES (NEW.seq, NEW.txn_id, NEW.state); END",
    "INSERT OR IGNORE INTO feed_records (txn_seq, txn_id, state) SELECT seq, txn_id, state FROM transactions "
    "WHERE state IN " PINTAR_FEED_END_STATES " ORDER BY seq",
    R"sql(CREATE TRIGGER feed_records_append_only_update BEFORE UPDATE ON feed_records
      BEGIN SELECT RAISE(ABORT, 'feed records are append-only'); END)sql",
    R"sql(CREATE TRIGGER feed_records_append_only_delete BEFORE DELETE ON feed_records
      BEGIN SELECT RAISE(ABORT, 'feed records are append-only'); END)sql",
};
#undef PINTAR_FEED_END_STATES

// Chains the purchase rows a revision 4 file holds, as they are (plain hashes: no key here).
Status chain_existing_purchases(sqlite::Connection& db) {
  auto rows = db.prepare("SELECT " PINTAR_PURCHASE_CHAIN_COLUMNS_REVISION5 " FROM p2apst_purchases ORDER BY id");
  if (!rows.ok()) return rows.status();
  auto insert = db.prepare("INSERT INTO p2apst_journal_chain (seq, purchase_id, entry, row_hash) VALUES (?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  crypto::Sha256Digest hash = kGenesisHash;
  int64_t seq = 0;
  for (;;) {
    auto more = rows->step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    const std::string entry = purchase_entry(*rows, 0, kPurchaseChainColumnsRevision5);
    hash = chain_hash(hash, canonical_entry(kPurchaseJournalChain, ++seq, entry));
    PINTAR_RETURN_IF_ERROR(
        insert->bind(seq, rows->integer(0), crypto::as_bytes(entry), std::span<const uint8_t>(hash)).run());
  }
  rows->reset();
  auto head = db.prepare("UPDATE chain_heads SET seq = ?, row_hash = ? WHERE chain = 'p2apst_purchases'");
  if (!head.ok()) return head.status();
  return head->bind(seq, std::span<const uint8_t>(hash)).run();
}

constexpr Migration kMigrations[] = {
    {1, "customers, meters, modems, subscriptions", kRevision1},
    {2, "hash-chained transactions and audit log", kRevision2},
    {3, "messages and meter events", kRevision3},
    {4, "P2APST purchase journal", kRevision4},
    {5, "keyed chains; the purchase journal chained", kRevision5, chain_existing_purchases},
    {6, "vending engine state: vend details, TIDs, modem commands, counter windows, PIN lockout", kRevision6},
    {7, "helpdesk: API keys, purchases by reference", kRevision7},
    {8, "migrations of one-way meters to two-way", kRevision8},
    {9, "the real-time feed to PLN: numbered end states, consumer cursors", kRevision9},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latest_revision() { return kMigrations[std::size(kMigrations) - 1].revision; }

Result<int> schema_revision(sqlite::Connection& db) {
  auto has_meta = db.prepare("SELECT count(*), sum(name = 'meta') FROM sqlite_schema WHERE type = 'table'");
  if (!has_meta.ok()) return has_meta.status();
  auto row = has_meta->step();
  if (!row.ok()) return row.status();
  const int64_t tables = has_meta->integer(0);
  const bool meta = has_meta->integer(1) > 0;
  has_meta->reset();
  if (tables == 0) return 0;
  if (!meta) return Status::corruption("the file holds tables but is not a pintar ledger (no meta table)");

  auto revision = db.prepare("SELECT value FROM meta WHERE key = 'schema_revision'");
  if (!revision.ok()) return revision.status();
  auto found = revision->step();
  if (!found.ok()) return found.status();
  if (!*found) return Status::corruption("the meta table has no schema_revision");
  const std::string text = revision->text(0);
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1) {
    return Status::corruption(fmt::format("schema_revision '{}' is not a revision number", text));
  }
  return value;
}

namespace {

Result<int> read_schema_revision(sqlite::Connection& db) { return schema_revision(db); }

Status write_schema_revision(sqlite::Connection& db, int revision) {
  auto set = db.prepare("INSERT INTO meta (key, value) VALUES ('schema_revision', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!set.ok()) return set.status();
  return set->bind(std::to_string(revision)).run();
}

}  // namespace

Status migrate(sqlite::Connection& db, std::string_view file_name, int target) {
  const sqlite::Schema schema{.name = "ledger",
                              .steps = kMigrations,
                              .slot = {.read = read_schema_revision, .write = write_schema_revision}};
  return sqlite::migrate(db, schema, file_name, target);
}

}  // namespace pintar::store
