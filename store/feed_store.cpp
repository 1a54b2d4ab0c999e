#include "store/feed_store.h"

#include <array>
#include <mutex>

#include <fmt/format.h>

#include "sqlite/connection.h"
#include "store/side_connection.h"
#include "store/rows.h"

namespace pintar::store {
namespace {

enum Statement : size_t { kRecordsAfter, kLastSeq, kCursor, kCursors, kAdvance, kCount };

// kRecordsAfter selects read_transaction()'s 13 columns from column 1, after the feed's seq.
constexpr std::string_view kSql[] = {
    "SELECT f.seq, t.txn_id, t.version, t.idempotency_key, t.meter_no, t.msisdn, t.amount_rupiah, "
    "t.energy_deci_kwh, t.token, t.state, t.reference, t.reason, t.created_ms, t.recorded_ms, "
    "coalesce(m.idpel, ''), EXISTS (SELECT 1 FROM feed_records n WHERE n.txn_id = f.txn_id "
    "AND n.state = 'needs_manual' AND n.seq < f.seq) "
    "FROM feed_records f JOIN transactions t ON t.seq = f.txn_seq LEFT JOIN meters m ON m.meter_no = t.meter_no "
    "WHERE f.seq > ? ORDER BY f.seq LIMIT ?",
    "SELECT coalesce(max(seq), 0) FROM feed_records",
    "SELECT consumer, delivered_seq, updated_ms FROM feed_cursors WHERE consumer = ?",
    "SELECT consumer, delivered_seq, updated_ms FROM feed_cursors ORDER BY consumer",
    // Only forward: a lagging second process cannot move a cursor back.
    "INSERT INTO feed_cursors (consumer, delivered_seq, updated_ms) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (consumer) DO UPDATE SET delivered_seq = ?2, updated_ms = ?3 WHERE delivered_seq < ?2",
};
static_assert(std::size(kSql) == kCount);

FeedCursor read_cursor(const sqlite::Statement& row) {
  return {.consumer = row.text(0), .delivered_seq = row.integer(1), .updated_ms = row.integer(2)};
}

}  // namespace

struct FeedStore::Impl {
  std::mutex mutex;
  sqlite::Connection db;
  std::array<sqlite::Statement, kCount> sql;

  Result<int64_t> last_seq() {
    sqlite::Cursor cursor(sql[kLastSeq].bind());
    auto found = cursor.next();
    if (!found.ok()) return found.status();
    return cursor->integer(0);
  }
};

FeedStore::FeedStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FeedStore::~FeedStore() = default;

Result<std::unique_ptr<FeedStore>> FeedStore::open(const LedgerOptions& options) {
  auto impl = std::make_unique<Impl>();
  auto db = open_side_connection(options, options.synchronous, kSql, impl->sql);
  if (!db.ok()) return db.status();
  impl->db = std::move(*db);
  return std::unique_ptr<FeedStore>(new FeedStore(std::move(impl)));
}

Result<std::vector<FeedRecord>> FeedStore::records_after(int64_t after_seq, size_t limit) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Cursor cursor(impl_->sql[kRecordsAfter].bind(after_seq, static_cast<int64_t>(limit)));
  std::vector<FeedRecord> records;
  for (;;) {
    auto more = cursor.next();
    if (!more.ok()) return more.status();
    if (!*more) return records;
    const sqlite::Statement& row = cursor.statement();
    FeedRecord r{.seq = row.integer(0)};
    r.purchase = read_transaction(row, 1);
    r.idpel = row.text(14);
    r.resolved = row.integer(15) != 0;
    records.push_back(std::move(r));
  }
}

Result<int64_t> FeedStore::last_seq() {
  std::lock_guard lock(impl_->mutex);
  return impl_->last_seq();
}

Result<FeedCursor> FeedStore::cursor(std::string_view consumer) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Cursor cursor(impl_->sql[kCursor].bind(consumer));
  auto found = cursor.next();
  if (!found.ok()) return found.status();
  if (!*found) return FeedCursor{.consumer = std::string(consumer)};
  return read_cursor(cursor.statement());
}

Result<std::vector<FeedCursor>> FeedStore::cursors() {
  std::lock_guard lock(impl_->mutex);
  sqlite::Cursor cursor(impl_->sql[kCursors].bind());
  std::vector<FeedCursor> out;
  for (;;) {
    auto more = cursor.next();
    if (!more.ok()) return more.status();
    if (!*more) return out;
    out.push_back(read_cursor(cursor.statement()));
  }
}

Status FeedStore::advance(std::string_view consumer, int64_t seq, int64_t now_ms) {
  std::lock_guard lock(impl_->mutex);
  auto last = impl_->last_seq();
  if (!last.ok()) return last.status();
  if (seq < 0 || seq > *last) {
    return Status::invalid_argument(fmt::format("feed cursor {} cannot move to {}: the last record is {}", consumer,
                                                seq, *last));
  }
  return impl_->sql[kAdvance].bind(consumer, seq, now_ms).run().with_context(fmt::format("feed cursor {}", consumer));
}

}  // namespace pintar::store
