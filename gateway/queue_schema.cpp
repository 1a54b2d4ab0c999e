// The gateway queue's schema (its migrations) and every statement it runs (gateway/queue.h).
#include <iterator>

#include "gateway/queue_impl.h"

namespace pintar::gateway::queue_internal {
namespace {

// Forward-only schema migrations (sqlite/migrations.h); step N takes the file from revision
// N-1 to N (PRAGMA user_version). Never edit a released entry: append a new one.
// Ids are AUTOINCREMENT: readers page through rows by "id > last seen", so an id must never
// be reused after its row was acknowledged and deleted.
constexpr std::string_view kRevisionSql[] = {
    R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE mo(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  smsc TEXT NOT NULL, source TEXT NOT NULL, destination TEXT NOT NULL, text TEXT NOT NULL,
  data_coding INTEGER NOT NULL, received_at_ms INTEGER NOT NULL);
CREATE TABLE mt(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  engine_id TEXT NOT NULL UNIQUE,
  smsc TEXT NOT NULL, source TEXT NOT NULL, destination TEXT NOT NULL, text TEXT NOT NULL,
  want_receipt INTEGER NOT NULL,
  state INTEGER NOT NULL DEFAULT 0,          -- 0 waiting for submit_sm_resp, 1 submitted, 2 failed
  command_status INTEGER, reason TEXT,
  created_at_ms INTEGER NOT NULL);
CREATE INDEX mt_unsubmitted ON mt(id) WHERE state = 0;
CREATE TABLE mt_message_id(
  smsc TEXT NOT NULL, message_id TEXT NOT NULL,
  mt_id INTEGER NOT NULL REFERENCES mt(id) ON DELETE CASCADE, part INTEGER NOT NULL,
  PRIMARY KEY(smsc, message_id)) WITHOUT ROWID;
CREATE INDEX mt_message_id_mt ON mt_message_id(mt_id);
CREATE TABLE mt_result(                      -- outcomes not yet acknowledged by the engine
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  mt_id INTEGER NOT NULL REFERENCES mt(id) ON DELETE CASCADE);
CREATE TABLE receipt(                        -- deliverable receipts not yet acknowledged
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  smsc TEXT NOT NULL, message_id TEXT NOT NULL, state TEXT NOT NULL, error TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL,
  mt_id INTEGER, part INTEGER NOT NULL DEFAULT 0);
CREATE TABLE receipt_unmatched(              -- receipts whose message id is not known yet
  id INTEGER PRIMARY KEY,
  smsc TEXT NOT NULL, message_id TEXT NOT NULL, state TEXT NOT NULL, error TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL);
CREATE INDEX receipt_unmatched_id ON receipt_unmatched(smsc, message_id);
)sql",
    // Revision 2: an SMSC may reuse message ids (a counter restarted per connection, or
    // wrapped), so every MT keeps its own ids, keyed by (mt, part) instead of (smsc, id), and
    // a receipt goes to the newest MT holding the id whose part has not had a final state yet
    // (`final`). Unmatched receipts remember whether theirs was final for when they match.
    R"sql(
CREATE TABLE mt_message_id_v2(
  mt_id INTEGER NOT NULL REFERENCES mt(id) ON DELETE CASCADE, part INTEGER NOT NULL,
  smsc TEXT NOT NULL, message_id TEXT NOT NULL,
  final INTEGER NOT NULL DEFAULT 0,          -- 1 once a receipt with a final state was credited
  PRIMARY KEY(mt_id, part)) WITHOUT ROWID;
INSERT INTO mt_message_id_v2(mt_id, part, smsc, message_id) SELECT mt_id, part, smsc, message_id FROM mt_message_id;
DROP TABLE mt_message_id;
ALTER TABLE mt_message_id_v2 RENAME TO mt_message_id;
CREATE INDEX mt_message_id_by_id ON mt_message_id(smsc, message_id);
ALTER TABLE receipt_unmatched ADD COLUMN final INTEGER NOT NULL DEFAULT 1;
)sql",
    // Revision 3: an MO is never doubled nor lost (see the header). mo_seen holds the key of
    // every deliver_sm stored within the de-duplication window; mo_fragment/mo_part hold the
    // parts of long MOs not yet complete, each part committed before its deliver_sm_resp.
    R"sql(
ALTER TABLE mo ADD COLUMN user_data BLOB NOT NULL DEFAULT x'';
ALTER TABLE mo ADD COLUMN parts INTEGER NOT NULL DEFAULT 1;
ALTER TABLE mo ADD COLUMN incomplete INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mo ADD COLUMN idempotency_key TEXT NOT NULL DEFAULT '';
CREATE TABLE mo_seen(key BLOB PRIMARY KEY, received_at_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX mo_seen_age ON mo_seen(received_at_ms);
CREATE TABLE mo_fragment(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  smsc TEXT NOT NULL, source TEXT NOT NULL, destination TEXT NOT NULL,
  reference INTEGER NOT NULL, total INTEGER NOT NULL, data_coding INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL, deadline_ms INTEGER NOT NULL,
  UNIQUE(smsc, source, destination, reference, total));
CREATE INDEX mo_fragment_source ON mo_fragment(smsc, source);
CREATE INDEX mo_fragment_deadline ON mo_fragment(deadline_ms);
CREATE TABLE mo_part(
  fragment INTEGER NOT NULL REFERENCES mo_fragment(id) ON DELETE CASCADE,
  sequence INTEGER NOT NULL, user_data BLOB NOT NULL, key BLOB NOT NULL,
  PRIMARY KEY(fragment, sequence)) WITHOUT ROWID;
)sql",
};
static_assert(std::size(kRevisionSql) == GatewayQueue::kSchemaVersion);

// One step per revision; each revision's text is one multi-statement string (released so).
constexpr std::string_view kRevision1[] = {kRevisionSql[0]};
constexpr std::string_view kRevision2[] = {kRevisionSql[1]};
constexpr std::string_view kRevision3[] = {kRevisionSql[2]};
constexpr sqlite::Migration kMigrations[] = {
    {1, "MO, MT, message ids, results, receipts", kRevision1},
    {2, "message ids per MT part; a receipt goes to the newest MT awaiting it", kRevision2},
    {3, "MO de-duplication keys and long-MO parts", kRevision3},
};
static_assert(std::size(kMigrations) == GatewayQueue::kSchemaVersion);

constexpr std::string_view kStatements[kSqlCount] = {
    "INSERT INTO mo(smsc, source, destination, text, data_coding, received_at_ms, user_data, parts, incomplete, "
    "idempotency_key) VALUES(?,?,?,?,?,?,?,?,?,?)",
    "DELETE FROM mo WHERE id = ?",
    "SELECT id, smsc, source, destination, text, data_coding, received_at_ms, user_data, parts, incomplete, "
    "idempotency_key FROM mo WHERE id > ? ORDER BY id LIMIT ?",
    "INSERT INTO mt(engine_id, smsc, source, destination, text, want_receipt, created_at_ms) VALUES(?,?,?,?,?,?,?) "
    "ON CONFLICT(engine_id) DO NOTHING",
    "SELECT id FROM mt WHERE engine_id = ?",
    "SELECT id, engine_id, smsc, source, destination, text, want_receipt, created_at_ms FROM mt WHERE state = 0 "
    "ORDER BY id",
    "SELECT id, engine_id, smsc, source, destination, text, want_receipt, created_at_ms FROM mt WHERE id = ? "
    "AND state = 0",
    "UPDATE mt SET state = ?2, command_status = ?3, reason = ?4 WHERE id = ?1 AND state = 0",
    "INSERT INTO mt_result(mt_id) VALUES(?)",
    "DELETE FROM mt_result WHERE seq = ?",
    // Message ids joined by the unit separator (0x1F), in part order.
    "SELECT r.seq, m.engine_id, m.state, m.command_status, m.reason, "
    "(SELECT group_concat(message_id, char(31)) FROM "
    "(SELECT message_id FROM mt_message_id WHERE mt_id = r.mt_id ORDER BY part)) "
    "FROM mt_result r JOIN mt m ON m.id = r.mt_id WHERE r.seq > ? ORDER BY r.seq LIMIT ?",
    "INSERT OR REPLACE INTO mt_message_id(mt_id, part, smsc, message_id) SELECT id, ?3, smsc, ?2 FROM mt WHERE id = ?1",
    // The newest MT holding the id whose part still awaits a final state (see revision 2).
    "SELECT mt_id, part FROM mt_message_id WHERE smsc = ? AND message_id = ? AND final = 0 ORDER BY mt_id DESC LIMIT 1",
    "INSERT INTO receipt(smsc, message_id, state, error, received_at_ms, mt_id, part) VALUES(?,?,?,?,?,?,?)",
    "INSERT INTO receipt_unmatched(smsc, message_id, state, error, received_at_ms, final) VALUES(?,?,?,?,?,?)",
    "INSERT INTO receipt(smsc, message_id, state, error, received_at_ms, mt_id, part) "
    "SELECT u.smsc, u.message_id, u.state, u.error, u.received_at_ms, i.mt_id, i.part "
    "FROM receipt_unmatched u JOIN mt_message_id i ON i.smsc = u.smsc AND i.message_id = u.message_id "
    "WHERE i.mt_id = ? ORDER BY u.id",
    "DELETE FROM receipt_unmatched WHERE id IN (SELECT u.id FROM receipt_unmatched u JOIN mt_message_id i "
    "ON i.smsc = u.smsc AND i.message_id = u.message_id WHERE i.mt_id = ?)",
    "INSERT INTO receipt(smsc, message_id, state, error, received_at_ms) "
    "SELECT smsc, message_id, state, error, received_at_ms FROM receipt_unmatched WHERE received_at_ms < ? ORDER BY id",
    "DELETE FROM receipt_unmatched WHERE received_at_ms < ?",
    "DELETE FROM receipt WHERE id = ?",
    "SELECT r.id, r.smsc, r.message_id, r.state, r.error, r.received_at_ms, m.engine_id, r.part FROM receipt r "
    "LEFT JOIN mt m ON m.id = r.mt_id WHERE r.id > ? ORDER BY r.id LIMIT ?",
    "DELETE FROM mt WHERE state <> 0 AND created_at_ms < ? AND id NOT IN (SELECT mt_id FROM mt_result)",
    "UPDATE mt_message_id SET final = 1 WHERE mt_id = ? AND part = ?",
    // Before kDeleteMatched: the parts of MT ?1 that a waiting final receipt settles.
    "UPDATE mt_message_id SET final = 1 WHERE mt_id = ?1 AND EXISTS(SELECT 1 FROM receipt_unmatched u "
    "WHERE u.smsc = mt_message_id.smsc AND u.message_id = mt_message_id.message_id AND u.final)",
    "SELECT received_at_ms FROM mo_seen WHERE key = ?",
    "INSERT INTO mo_seen(key, received_at_ms) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET received_at_ms = ?2",
    // A few keys older than the window go with every MO: pruning never needs a pass of its own.
    "DELETE FROM mo_seen WHERE key IN (SELECT key FROM mo_seen WHERE received_at_ms < ? ORDER BY received_at_ms "
    "LIMIT 16)",
    "SELECT id FROM mo_fragment WHERE smsc = ? AND source = ? AND destination = ? AND reference = ? AND total = ?",
    "SELECT count(*) FROM mo_fragment WHERE smsc = ? AND source = ?",
    "SELECT coalesce(sum(length(user_data)), 0) FROM mo_part",
    "INSERT INTO mo_fragment(smsc, source, destination, reference, total, data_coding, received_at_ms, deadline_ms) "
    "VALUES(?,?,?,?,?,?,?,?)",
    "INSERT OR REPLACE INTO mo_part(fragment, sequence, user_data, key) VALUES(?,?,?,?)",
    "SELECT count(*) FROM mo_part WHERE fragment = ?",
    "SELECT smsc, source, destination, data_coding, received_at_ms, total FROM mo_fragment WHERE id = ?",
    "SELECT user_data, key FROM mo_part WHERE fragment = ? ORDER BY sequence",
    "DELETE FROM mo_fragment WHERE id = ?",
    "SELECT id FROM mo_fragment WHERE deadline_ms <= ? ORDER BY deadline_ms LIMIT 64",
    "SELECT min(deadline_ms) FROM mo_fragment",
    "SELECT value FROM meta WHERE key = 'instance'",
    "INSERT INTO meta(key, value) VALUES('instance', ?)",
};

// kStatements is sized by the enum: a text missing at the end would be an empty statement.
static_assert(!kStatements[kSqlCount - 1].empty(), "kStatements must hold one text per Sql value");

}  // namespace

std::string_view sql_text(Sql id) { return kStatements[id]; }

const sqlite::Schema& schema() {
  static const sqlite::Schema kSchema{.name = "gateway queue", .steps = kMigrations, .slot = sqlite::kUserVersion};
  return kSchema;
}

}  // namespace pintar::gateway::queue_internal
