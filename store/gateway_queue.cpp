#include "store/gateway_queue.h"

#include <sqlite3.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "common/crypto.h"
#include "common/hex.h"
#include "common/private_file.h"

namespace pintar::store {
namespace {

// Forward-only schema migrations; migration i takes the file from revision i to i+1
// (PRAGMA user_version). Never edit a released entry: append a new one.
// Ids are AUTOINCREMENT: readers page through rows by "id > last seen", so an id must never
// be reused after its row was acknowledged and deleted.
constexpr std::string_view kMigrations[] = {
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
static_assert(std::size(kMigrations) == GatewayQueue::kSchemaVersion);

// Every statement the queue runs, prepared once.
enum Sql : size_t {
  kBegin, kCommit, kRollback, kSavepoint, kRelease, kRollbackTo,
  kInsertMo, kDeleteMo, kSelectMos,
  kInsertMt, kSelectMtByEngineId, kSelectUnsubmitted, kSelectUnsubmittedById, kSetMtState, kInsertResult, kDeleteResult,
  kSelectResults, kInsertMessageId,
  kFindMessageId, kInsertReceipt, kInsertUnmatched, kMatchUnmatched, kDeleteMatched,
  kReleaseUnmatched, kDeleteReleased, kDeleteReceipt, kSelectReceipts, kPrune,
  kMarkFinal, kMarkMatchedFinal,
  kSelectSeen, kUpsertSeen, kPruneSeen, kFindFragment, kCountSourceFragments, kFragmentBytes, kInsertFragment,
  kInsertPart, kCountParts, kSelectFragment, kSelectParts, kDeleteFragment, kExpiredFragments, kNextDeadline,
  kSqlCount
};
constexpr std::string_view kStatements[kSqlCount] = {
    "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK", "SAVEPOINT op", "RELEASE op", "ROLLBACK TO op",
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
};

// One prepared statement, reset and unbound after every use (RAII through Use).
class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }
  sqlite3_stmt*& handle() { return stmt_; }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Octets bound as a BLOB (user data may hold any octet, NUL included).
struct Blob {
  std::string_view data;
};

// Binds parameters in order, steps, and resets the statement when it goes out of scope.
class Use {
 public:
  Use(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  ~Use() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  template <typename... Args>
  Use& bind(const Args&... args) {
    (bind_one(args), ...);
    return *this;
  }
  // SQLITE_ROW -> true, SQLITE_DONE -> false, anything else -> error.
  Result<bool> step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return error(rc);
  }
  Status run() {
    auto row = step();
    return row.ok() ? Status() : row.status();
  }
  int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, column)) : std::string();
  }

 private:
  void bind_one(int64_t v) { sqlite3_bind_int64(stmt_, ++index_, v); }
  void bind_one(int v) { sqlite3_bind_int64(stmt_, ++index_, v); }
  void bind_one(uint32_t v) { sqlite3_bind_int64(stmt_, ++index_, v); }
  void bind_one(size_t v) { sqlite3_bind_int64(stmt_, ++index_, static_cast<int64_t>(v)); }
  void bind_one(bool v) { sqlite3_bind_int(stmt_, ++index_, v ? 1 : 0); }
  void bind_one(std::nullptr_t) { sqlite3_bind_null(stmt_, ++index_); }
  void bind_one(std::string_view v) { sqlite3_bind_text(stmt_, ++index_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
  void bind_one(const std::string& v) { bind_one(std::string_view(v)); }
  void bind_one(const std::optional<int64_t>& v) { v ? bind_one(*v) : bind_one(nullptr); }
  void bind_one(Blob v) {
    sqlite3_bind_blob(stmt_, ++index_, v.data.empty() ? "" : v.data.data(), static_cast<int>(v.data.size()),
                      SQLITE_TRANSIENT);
  }
  Status error(int rc) const {
    const StatusCode code = (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) ? StatusCode::kCorruption : StatusCode::kIoError;
    return Status(code, fmt::format("{} ({})", sqlite3_errmsg(db_), sqlite3_errstr(rc)));
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int index_ = 0;
};

enum MtState : int { kWaiting = 0, kSubmitted = 1, kFailed = 2 };

// Starts an asynchronous operation and blocks until its completion runs.
template <typename T>
Result<T> wait_for(std::function<void(std::function<void(Result<T>)>)> start) {
  std::promise<Result<T>> promise;
  auto future = promise.get_future();
  start([&promise](Result<T> result) { promise.set_value(std::move(result)); });
  return future.get();
}

Status without_value(const Result<bool>& result) { return result.status(); }

// The same for an operation whose completion takes a bare Status.
Status wait_for_status(const std::function<void(std::function<void(Status)>)>& start) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  start([&promise](Status status) { promise.set_value(std::move(status)); });
  return future.get();
}

// Steps a query to its end, turning each row into a T.
template <typename T, typename RowFn>
Result<std::vector<T>> collect(Use& select, RowFn to_value) {
  std::vector<T> out;
  for (;;) {
    auto more = select.step();
    if (!more.ok()) return more.status();
    if (!*more) return out;
    out.push_back(to_value(select));
  }
}

}  // namespace

class GatewayQueue::Impl {
 public:
  // One queued operation: runs inside the batch's transaction; `after_commit` (if set by
  // the operation) runs once the batch's outcome is known.
  struct Op {
    std::function<Status()> run;
    std::function<void(Status)> after_commit;
  };

  explicit Impl(GatewayQueueOptions options) : options_(std::move(options)) {}
  ~Impl() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (writer_.joinable()) writer_.join();
    statements_.clear();
    sqlite3_close_v2(db_);
  }

  Status open() {
    // MOs hold PINs in flight ("TOKEN <meter> <amount> <PIN>").
    PINTAR_RETURN_IF_ERROR(create_private_file(options_.path));
    const int rc = sqlite3_open_v2(options_.path.c_str(), &db_,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) return Status::io_error(fmt::format("{}: {}", options_.path, sqlite3_errstr(rc)));
    sqlite3_busy_timeout(db_, options_.busy_timeout_ms);
    if (options_.synchronous != "FULL" && options_.synchronous != "NORMAL") {
      return Status::invalid_argument(fmt::format("synchronous must be FULL or NORMAL, not {}", options_.synchronous));
    }
    PINTAR_RETURN_IF_ERROR(exec("PRAGMA journal_mode=WAL"));
    PINTAR_RETURN_IF_ERROR(exec(fmt::format("PRAGMA synchronous={}", options_.synchronous)));
    PINTAR_RETURN_IF_ERROR(exec("PRAGMA foreign_keys=ON"));
    // An MO's text may hold the customer's PIN ("TOKEN <meter> <amount> <PIN>") until the
    // engine takes it over: a deleted row is overwritten, not left in free pages.
    PINTAR_RETURN_IF_ERROR(exec("PRAGMA secure_delete=ON"));
    // ...and no page image of it reaches a temporary file: savepoint sub-journals and sorts in memory.
    PINTAR_RETURN_IF_ERROR(exec("PRAGMA temp_store=MEMORY"));
    PINTAR_RETURN_IF_ERROR(migrate());
    statements_ = std::vector<Statement>(kSqlCount);
    for (size_t i = 0; i < kSqlCount; ++i) {
      const int prc = sqlite3_prepare_v3(db_, kStatements[i].data(), static_cast<int>(kStatements[i].size()),
                                         SQLITE_PREPARE_PERSISTENT, &statements_[i].handle(), nullptr);
      if (prc != SQLITE_OK) return Status::internal(fmt::format("preparing statement {}: {}", i, sqlite3_errmsg(db_)));
    }
    PINTAR_RETURN_IF_ERROR(load_instance_id());
    writer_ = std::thread([this] { write_loop(); });
    return Status();
  }

  const std::string& instance_id() const { return instance_id_; }

  Use use(Sql sql) { return Use(db_, statements_[sql].get()); }
  int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }

  void post(Op op) {
    {
      std::lock_guard lock(mutex_);
      ops_.push_back(std::move(op));
    }
    wake_.notify_one();
  }

  // An operation whose body yields a Result that its completion receives after the commit.
  template <typename T>
  static Op durable(std::function<Result<T>()> body, std::function<void(Result<T>)> done) {
    auto result = std::make_shared<std::optional<Result<T>>>();
    return {[body = std::move(body), result] {
              *result = body();
              return (*result)->status();
            },
            [result, done = std::move(done)](Status status) {
              if (!status.ok()) return done(std::move(status));
              done(std::move(**result));
            }};
  }

  // --- MOs (writer thread, inside a batch; see the header's "never doubled nor lost") ---

  Result<AddedMo> store_mo(const MoRecord& mo) {
    const std::string key = deliver_key(mo);
    {
      auto seen = use(kSelectSeen);
      auto row = seen.bind(Blob{key}).step();
      if (!row.ok()) return row.status();
      if (*row && seen.integer(0) >= mo.received_at_ms - options_.mo_dedup_window_ms) {
        return AddedMo{.duplicate = true, .idempotency_key = hex_encode(key)};
      }
    }
    if (mo.total <= 1) {
      PINTAR_RETURN_IF_ERROR(insert_mo(mo, mo.user_data, hex_encode(key)));
      PINTAR_RETURN_IF_ERROR(remember(key, mo.received_at_ms));
      return AddedMo{.id = last_insert_id()};
    }
    AddedMo added{.held = true};
    int64_t fragment = 0;
    {
      auto find = use(kFindFragment);
      auto row = find.bind(mo.smsc, mo.source, mo.destination, mo.reference, mo.total).step();
      if (!row.ok()) return row.status();
      if (*row) fragment = find.integer(0);
    }
    if (fragment == 0) {
      auto count = scalar(use(kCountSourceFragments).bind(mo.smsc, mo.source));
      if (!count.ok()) return count.status();
      if (static_cast<size_t>(*count) >= options_.max_fragments_per_source) {
        return Status::resource_exhausted(fmt::format("{} incomplete long MOs from this source already",
                                                      options_.max_fragments_per_source));
      }
    }
    auto bytes = scalar(use(kFragmentBytes).bind());
    if (!bytes.ok()) return bytes.status();
    if (static_cast<size_t>(*bytes) + mo.user_data.size() > options_.max_fragment_bytes) {
      return Status::resource_exhausted(
          fmt::format("incomplete long MOs hold {} octets already (cap {})", *bytes, options_.max_fragment_bytes));
    }
    if (fragment == 0) {
      PINTAR_RETURN_IF_ERROR(use(kInsertFragment)
                                 .bind(mo.smsc, mo.source, mo.destination, mo.reference, mo.total, mo.data_coding,
                                       mo.received_at_ms, mo.deadline_ms)
                                 .run());
      fragment = last_insert_id();
      added.deadline_ms = mo.deadline_ms;
    }
    PINTAR_RETURN_IF_ERROR(use(kInsertPart).bind(fragment, mo.sequence, Blob{mo.user_data}, Blob{key}).run());
    PINTAR_RETURN_IF_ERROR(remember(key, mo.received_at_ms));
    auto parts = scalar(use(kCountParts).bind(fragment));
    if (!parts.ok()) return parts.status();
    if (*parts < mo.total) return added;
    auto id = join(fragment, /*incomplete=*/false);
    if (!id.ok()) return id.status();
    return AddedMo{.id = *id};
  }

  Result<ExpiredFragments> expire(int64_t now_ms) {
    ExpiredFragments expired;
    for (;;) {  // in pages, so that one statement is never stepped while others change the table
      auto ids = collect<int64_t>(use(kExpiredFragments).bind(now_ms), [](const Use& row) { return row.integer(0); });
      if (!ids.ok()) return ids.status();
      for (const int64_t fragment : *ids) {
        auto id = join(fragment, /*incomplete=*/true);
        if (!id.ok()) return id.status();
        ++expired.joined;
      }
      if (ids->size() < 64) break;
    }
    auto next = use(kNextDeadline);
    auto row = next.step();
    if (!row.ok()) return row.status();
    if (*row && !next.is_null(0)) expired.next_deadline_ms = next.integer(0);
    return expired;
  }

  // Runs `body` on the writer thread inside a batch and waits for the commit.
  template <typename T>
  Result<T> call(std::function<Result<T>()> body) {
    return wait_for<T>([&](std::function<void(Result<T>)> done) { post(durable<T>(std::move(body), std::move(done))); });
  }

 private:
  // The de-duplication key of one deliver_sm: SHA-256 over its fields, each length-prefixed
  // so that no two different field lists hash alike. Raw 32 octets.
  static std::string deliver_key(const MoRecord& mo) {
    std::string in;
    const auto field = [&in](std::string_view value) {
      for (int shift = 24; shift >= 0; shift -= 8) in.push_back(static_cast<char>(value.size() >> shift & 0xFF));
      in.append(value);
    };
    field(mo.smsc);
    field(mo.source);
    field(mo.destination);
    field(fmt::format("{} {} {} {} {}", mo.esm_class, mo.data_coding, mo.reference, mo.total, mo.sequence));
    field(mo.udh);
    field(mo.user_data);
    field(mo.text);
    const auto digest = crypto::sha256(crypto::as_bytes(in));
    return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
  }

  Status remember(const std::string& key, int64_t at_ms) {
    PINTAR_RETURN_IF_ERROR(use(kUpsertSeen).bind(Blob{key}, at_ms).run());
    return use(kPruneSeen).bind(at_ms - options_.mo_dedup_window_ms).run();
  }

  Status insert_mo(const MoRecord& mo, std::string_view user_data, const std::string& key_hex, int parts = 1,
                   bool incomplete = false) {
    return use(kInsertMo)
        .bind(mo.smsc, mo.source, mo.destination, mo.text, mo.data_coding, mo.received_at_ms, Blob{user_data}, parts,
              incomplete, key_hex)
        .run();
  }

  static Result<int64_t> scalar(Use& select) {
    auto row = select.step();
    if (!row.ok()) return row.status();
    return *row ? select.integer(0) : 0;
  }

  // Joins the parts of `fragment` (sequence order) into one MO row and forgets the set; the
  // MO's key is the SHA-256 of its parts' keys in that order. Returns the MO's id.
  Result<int64_t> join(int64_t fragment, bool incomplete) {
    MoRecord mo;
    {
      auto select = use(kSelectFragment);
      auto row = select.bind(fragment).step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::internal("long MO fragment vanished");
      mo = {.smsc = select.text(0), .source = select.text(1), .destination = select.text(2),
            .data_coding = static_cast<int>(select.integer(3)), .received_at_ms = select.integer(4)};
    }
    std::string keys;
    int parts = 0;
    {
      auto select = use(kSelectParts);
      select.bind(fragment);
      for (;;) {
        auto row = select.step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        mo.user_data += select.text(0);
        keys += select.text(1);
        ++parts;
      }
    }
    if (options_.decode_text) mo.text = options_.decode_text(mo.data_coding, mo.user_data);
    const auto digest = crypto::sha256(crypto::as_bytes(keys));
    PINTAR_RETURN_IF_ERROR(insert_mo(mo, mo.user_data, hex_encode(digest), parts, incomplete));
    const int64_t id = last_insert_id();
    PINTAR_RETURN_IF_ERROR(use(kDeleteFragment).bind(fragment).run());
    return id;
  }

  Status exec(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      Status status = Status::io_error(fmt::format("{}: {}", options_.path, message ? message : "error"));
      sqlite3_free(message);
      return status;
    }
    return Status();
  }

  Result<int64_t> user_version() {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &stmt, nullptr) != SQLITE_OK) {
      return Status::io_error(fmt::format("{}: {}", options_.path, sqlite3_errmsg(db_)));
    }
    int64_t version = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    return version;
  }

  Status migrate() {
    auto version = user_version();
    if (!version.ok()) return version.status();
    if (*version > kSchemaVersion) {
      return Status::failed_precondition(
          fmt::format("{}: gateway queue schema revision {} is newer than this pintar understands ({}); "
                      "run the newer pintar or restore a matching backup",
                      options_.path, *version, kSchemaVersion));
    }
    for (int64_t v = *version; v < kSchemaVersion; ++v) {
      PINTAR_RETURN_IF_ERROR(exec("BEGIN IMMEDIATE"));
      Status status = exec(std::string(kMigrations[v]));
      if (status.ok()) status = exec(fmt::format("PRAGMA user_version={}", v + 1));
      if (status.ok()) status = exec("COMMIT");
      if (!status.ok()) {
        (void)exec("ROLLBACK");
        return status.with_context(fmt::format("migrating to revision {}", v + 1));
      }
    }
    return Status();
  }

  Status load_instance_id() {
    PINTAR_RETURN_IF_ERROR(exec("BEGIN IMMEDIATE"));
    Status status = [&]() -> Status {
      Statement stmt;
      if (sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = 'instance'", -1, &stmt.handle(), nullptr) !=
          SQLITE_OK) {
        return Status::io_error(fmt::format("{}: {}", options_.path, sqlite3_errmsg(db_)));
      }
      {
        Use select(db_, stmt.get());
        auto row = select.step();
        if (!row.ok()) return row.status();
        if (*row) instance_id_ = select.text(0);
      }
      if (!instance_id_.empty()) return Status();
      uint8_t random[4];
      PINTAR_RETURN_IF_ERROR(crypto::random_bytes(random));
      instance_id_ = hex_encode(random);
      return exec(fmt::format("INSERT INTO meta(key, value) VALUES('instance', '{}')", instance_id_));
    }();
    if (status.ok()) return exec("COMMIT");
    (void)exec("ROLLBACK");
    return status;
  }

  void write_loop() {
    std::vector<Op> batch;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || !ops_.empty(); });
        if (ops_.empty()) return;  // stopping and drained
        while (!ops_.empty() && batch.size() < options_.max_batch) {
          batch.push_back(std::move(ops_.front()));
          ops_.pop_front();
        }
      }
      run_batch(batch);
      batch.clear();
    }
  }

  void run_batch(std::vector<Op>& batch) {
    Status status = use(kBegin).run();
    std::vector<Status> outcomes(batch.size());
    if (status.ok()) {
      for (size_t i = 0; i < batch.size() && status.ok(); ++i) {
        (void)use(kSavepoint).run();
        outcomes[i] = batch[i].run();
        if (!outcomes[i].ok()) (void)use(kRollbackTo).run();
        (void)use(kRelease).run();
        // After SQLITE_FULL or an I/O error SQLite may have rolled the whole transaction
        // back (sqlite3_get_autocommit says so): the operations still to come would each
        // commit on their own in autocommit while their completions report the batch's
        // failure (an MO stored yet refused: a duplicate). The batch ends here, all of it.
        if (sqlite3_get_autocommit(db_) != 0) {
          status = outcomes[i].ok() ? Status::io_error("the gateway queue transaction was rolled back") : outcomes[i];
        }
      }
      if (status.ok()) status = use(kCommit).run();
      if (!status.ok() && sqlite3_get_autocommit(db_) == 0) (void)use(kRollback).run();
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].after_commit) batch[i].after_commit(status.ok() ? outcomes[i] : status.with_context(options_.path));
    }
  }

  GatewayQueueOptions options_;
  sqlite3* db_ = nullptr;
  std::vector<Statement> statements_;
  std::string instance_id_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Op> ops_;
  bool stopping_ = false;
  std::thread writer_;
};

Result<std::unique_ptr<GatewayQueue>> GatewayQueue::open(const GatewayQueueOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  PINTAR_RETURN_IF_ERROR(impl->open());
  return std::unique_ptr<GatewayQueue>(new GatewayQueue(std::move(impl)));
}

GatewayQueue::GatewayQueue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GatewayQueue::~GatewayQueue() = default;

const std::string& GatewayQueue::instance_id() const { return impl_->instance_id(); }

void GatewayQueue::add_mo(MoRecord mo, std::function<void(Result<AddedMo>)> done) {
  impl_->post(Impl::durable<AddedMo>([this, mo = std::move(mo)] { return impl_->store_mo(mo); }, std::move(done)));
}

void GatewayQueue::expire_fragments(int64_t now_ms, std::function<void(Result<ExpiredFragments>)> done) {
  impl_->post(Impl::durable<ExpiredFragments>([this, now_ms] { return impl_->expire(now_ms); }, std::move(done)));
}

void GatewayQueue::add_mt(MtRecord mt, std::function<void(Result<AddedMt>)> done) {
  impl_->post(Impl::durable<AddedMt>(
      [this, mt = std::move(mt)]() -> Result<AddedMt> {
        PINTAR_RETURN_IF_ERROR(impl_->use(kInsertMt)
                                   .bind(mt.engine_id, mt.smsc, mt.source, mt.destination, mt.text, mt.want_receipt,
                                         mt.created_at_ms)
                                   .run());
        if (impl_->changes() == 1) return AddedMt{.id = impl_->last_insert_id(), .inserted = true};
        auto select = impl_->use(kSelectMtByEngineId);
        auto row = select.bind(mt.engine_id).step();
        if (!row.ok()) return row.status();
        if (!*row) return Status::internal("mt vanished after a conflicting insert");
        return AddedMt{.id = select.integer(0), .inserted = false};
      },
      std::move(done)));
}

void GatewayQueue::add_receipt(ReceiptRecord r, std::function<void(Status)> done) {
  impl_->post({[this, r = std::move(r)]() -> Status {
                 auto find = impl_->use(kFindMessageId);
                 auto row = find.bind(r.smsc, r.message_id).step();
                 if (!row.ok()) return row.status();
                 // No MT awaits it (unknown id, or every MT with it already final): it waits
                 // for an MT to record the id, as a receipt overtaking its submit_sm_resp does.
                 if (!*row) {
                   return impl_->use(kInsertUnmatched)
                       .bind(r.smsc, r.message_id, r.state, r.error, r.received_at_ms, r.is_final)
                       .run();
                 }
                 const int64_t mt_id = find.integer(0), part = find.integer(1);
                 PINTAR_RETURN_IF_ERROR(impl_->use(kInsertReceipt)
                                            .bind(r.smsc, r.message_id, r.state, r.error, r.received_at_ms, mt_id, part)
                                            .run());
                 return r.is_final ? impl_->use(kMarkFinal).bind(mt_id, part).run() : Status();
               },
               std::move(done)});
}

void GatewayQueue::record_submitted(int64_t mt_id, std::vector<std::string> message_ids,
                                    std::function<void(Status)> committed) {
  impl_->post({[this, mt_id, ids = std::move(message_ids)]() -> Status {
                 PINTAR_RETURN_IF_ERROR(impl_->use(kSetMtState).bind(mt_id, int{kSubmitted}, nullptr, nullptr).run());
                 if (impl_->changes() == 0) return Status();  // already settled (a duplicate outcome)
                 for (size_t part = 0; part < ids.size(); ++part) {
                   PINTAR_RETURN_IF_ERROR(impl_->use(kInsertMessageId).bind(mt_id, ids[part], part + 1).run());
                 }
                 PINTAR_RETURN_IF_ERROR(impl_->use(kInsertResult).bind(mt_id).run());
                 PINTAR_RETURN_IF_ERROR(impl_->use(kMatchUnmatched).bind(mt_id).run());
                 PINTAR_RETURN_IF_ERROR(impl_->use(kMarkMatchedFinal).bind(mt_id).run());
                 return impl_->use(kDeleteMatched).bind(mt_id).run();
               },
               std::move(committed)});
}

void GatewayQueue::record_failed(int64_t mt_id, uint32_t command_status, std::string reason,
                                 std::function<void(Status)> committed) {
  impl_->post({[this, mt_id, command_status, reason = std::move(reason)]() -> Status {
                 PINTAR_RETURN_IF_ERROR(
                     impl_->use(kSetMtState).bind(mt_id, int{kFailed}, command_status, reason).run());
                 if (impl_->changes() == 0) return Status();
                 return impl_->use(kInsertResult).bind(mt_id).run();
               },
               std::move(committed)});
}

void GatewayQueue::ack_mo(int64_t id) {
  impl_->post({[this, id] { return impl_->use(kDeleteMo).bind(id).run(); }, {}});
}
void GatewayQueue::ack_result(int64_t seq) {
  impl_->post({[this, seq] { return impl_->use(kDeleteResult).bind(seq).run(); }, {}});
}
void GatewayQueue::ack_receipt(int64_t id) {
  impl_->post({[this, id] { return impl_->use(kDeleteReceipt).bind(id).run(); }, {}});
}

void GatewayQueue::mos_after(int64_t id, size_t limit, Done<std::vector<QueuedMo>> done) {
  impl_->post(Impl::durable<std::vector<QueuedMo>>([this, id, limit] {
    return collect<QueuedMo>(impl_->use(kSelectMos).bind(id, limit), [](const Use& row) {
      return QueuedMo{.id = row.integer(0),
                      .mo = {.smsc = row.text(1), .source = row.text(2), .destination = row.text(3),
                             .text = row.text(4), .data_coding = static_cast<int>(row.integer(5)),
                             .received_at_ms = row.integer(6), .user_data = row.text(7),
                             .parts = static_cast<int>(row.integer(8)), .incomplete = row.integer(9) != 0,
                             .idempotency_key = row.text(10)}};
    });
  }, std::move(done)));
}

void GatewayQueue::results_after(int64_t seq, size_t limit, Done<std::vector<MtResult>> done) {
  impl_->post(Impl::durable<std::vector<MtResult>>([this, seq, limit] {
    return collect<MtResult>(impl_->use(kSelectResults).bind(seq, limit), [](const Use& row) {
      MtResult result{.seq = row.integer(0),
                      .engine_id = row.text(1),
                      .submitted = row.integer(2) == kSubmitted,
                      .message_ids = {},
                      .command_status = static_cast<uint32_t>(row.integer(3)),
                      .reason = row.text(4)};
      const std::string ids = row.text(5);
      for (size_t start = 0; !ids.empty() && start <= ids.size();) {
        const size_t end = std::min(ids.find('\x1f', start), ids.size());
        result.message_ids.push_back(ids.substr(start, end - start));
        start = end + 1;
      }
      return result;
    });
  }, std::move(done)));
}

void GatewayQueue::receipts_after(int64_t id, size_t limit, Done<std::vector<QueuedReceipt>> done) {
  impl_->post(Impl::durable<std::vector<QueuedReceipt>>([this, id, limit] {
    return collect<QueuedReceipt>(impl_->use(kSelectReceipts).bind(id, limit), [](const Use& row) {
      return QueuedReceipt{.id = row.integer(0),
                           .receipt = {.smsc = row.text(1), .message_id = row.text(2), .state = row.text(3),
                                       .error = row.text(4), .received_at_ms = row.integer(5)},
                           .engine_id = row.is_null(6) ? std::nullopt : std::optional(row.text(6)),
                           .part = static_cast<int>(row.integer(7))};
    });
  }, std::move(done)));
}

Result<std::vector<QueuedMo>> GatewayQueue::mos_after(int64_t id, size_t limit) {
  return wait_for<std::vector<QueuedMo>>([&](auto done) { mos_after(id, limit, std::move(done)); });
}
Result<std::vector<MtResult>> GatewayQueue::results_after(int64_t seq, size_t limit) {
  return wait_for<std::vector<MtResult>>([&](auto done) { results_after(seq, limit, std::move(done)); });
}
Result<std::vector<QueuedReceipt>> GatewayQueue::receipts_after(int64_t id, size_t limit) {
  return wait_for<std::vector<QueuedReceipt>>([&](auto done) { receipts_after(id, limit, std::move(done)); });
}

namespace {
QueuedMt queued_mt(const Use& row) {
  return QueuedMt{.id = row.integer(0),
                  .mt = {.engine_id = row.text(1), .smsc = row.text(2), .source = row.text(3),
                         .destination = row.text(4), .text = row.text(5), .want_receipt = row.integer(6) != 0,
                         .created_at_ms = row.integer(7)}};
}
}  // namespace

Result<std::vector<QueuedMt>> GatewayQueue::unsubmitted_mts() {
  return impl_->call<std::vector<QueuedMt>>(
      [&] { return collect<QueuedMt>(impl_->use(kSelectUnsubmitted).bind(), queued_mt); });
}

void GatewayQueue::unsubmitted_mts(std::vector<int64_t> ids, Done<std::vector<QueuedMt>> done) {
  impl_->post(Impl::durable<std::vector<QueuedMt>>([this, ids = std::move(ids)]() -> Result<std::vector<QueuedMt>> {
    std::vector<QueuedMt> out;
    out.reserve(ids.size());
    for (const int64_t id : ids) {
      auto found = collect<QueuedMt>(impl_->use(kSelectUnsubmittedById).bind(id), queued_mt);
      if (!found.ok()) return found.status();
      for (auto& mt : *found) out.push_back(std::move(mt));
    }
    return out;
  }, std::move(done)));
}

void GatewayQueue::release_unmatched_receipts(int64_t before_ms, std::function<void(Status)> done) {
  impl_->post({[this, before_ms]() -> Status {
                 PINTAR_RETURN_IF_ERROR(impl_->use(kReleaseUnmatched).bind(before_ms).run());
                 return impl_->use(kDeleteReleased).bind(before_ms).run();
               },
               std::move(done)});
}

void GatewayQueue::prune(int64_t before_ms, std::function<void(Status)> done) {
  impl_->post({[this, before_ms] { return impl_->use(kPrune).bind(before_ms).run(); }, std::move(done)});
}

Status GatewayQueue::release_unmatched_receipts(int64_t before_ms) {
  return wait_for_status([&](auto done) { release_unmatched_receipts(before_ms, std::move(done)); });
}

Status GatewayQueue::prune(int64_t before_ms) {
  return wait_for_status([&](auto done) { prune(before_ms, std::move(done)); });
}

Status GatewayQueue::flush() {
  return without_value(impl_->call<bool>([]() -> Result<bool> { return true; }));
}

Result<AddedMo> GatewayQueue::add_mo_sync(MoRecord mo) {
  return wait_for<AddedMo>([&](auto done) { add_mo(std::move(mo), std::move(done)); });
}
Result<ExpiredFragments> GatewayQueue::expire_fragments_sync(int64_t now_ms) {
  return wait_for<ExpiredFragments>([&](auto done) { expire_fragments(now_ms, std::move(done)); });
}
Result<AddedMt> GatewayQueue::add_mt_sync(MtRecord mt) {
  return wait_for<AddedMt>([&](auto done) { add_mt(std::move(mt), std::move(done)); });
}
Status GatewayQueue::add_receipt_sync(ReceiptRecord receipt) {
  return without_value(wait_for<bool>([&](auto done) {
    add_receipt(std::move(receipt), [done = std::move(done)](Status status) {
      if (!status.ok()) return done(std::move(status));
      done(true);
    });
  }));
}

}  // namespace pintar::store
