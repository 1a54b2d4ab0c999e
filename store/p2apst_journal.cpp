#include "store/p2apst_journal.h"

#include <fmt/format.h>

#include "store/chain.h"
#include "store/rows.h"
#include "store/side_connection.h"

namespace pintar::store {
namespace {

#define PINTAR_JOURNAL_COLUMNS \
  "id, meter, amount, bit48, local_time, state, advice_count, stan, response_code, response_bit48, txn_id"

// The journal's statements, prepared once at open (indexed by P2apstPurchases::Sql).
constexpr std::string_view kSql[] = {
    "INSERT INTO p2apst_purchases (created_ms, updated_ms, meter, amount, bit48, local_time, state, advice_count, "
    "txn_id) VALUES (?, ?, ?, ?, ?, ?, 'intent', 0, ?) RETURNING id",
    "UPDATE p2apst_purchases SET state = ?, stan = ?, advice_count = ?, updated_ms = ? "
    "WHERE id = ? AND state = ? AND advice_count = ?",
    "UPDATE p2apst_purchases SET state = ?, response_code = ?, response_bit48 = ?, updated_ms = ? "
    "WHERE id = ? AND state = ?",
    "SELECT " PINTAR_JOURNAL_COLUMNS " FROM p2apst_purchases WHERE state IN ('intent', 'sent', 'advice_sent') ORDER BY id",
    "SELECT " PINTAR_JOURNAL_COLUMNS " FROM p2apst_purchases WHERE id = ?",
    "SELECT " PINTAR_JOURNAL_COLUMNS " FROM p2apst_purchases WHERE txn_id = ? ORDER BY id DESC LIMIT 1",
    "SELECT " PINTAR_PURCHASE_CHAIN_COLUMNS " FROM p2apst_purchases WHERE id = ?",
    "INSERT INTO p2apst_journal_chain (seq, purchase_id, entry, row_hash, row_mac) VALUES (?, ?, ?, ?, ?)",
    kChainHeadGetSql,
    kChainHeadPutSql,
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
};
#undef PINTAR_JOURNAL_COLUMNS

P2apstPurchaseRow read_row(const sqlite::Statement& row) {
  P2apstPurchaseRow r;
  r.id = row.integer(0);
  r.meter = row.text(1);
  r.amount = row.integer(2);
  r.bit48 = row.text(3);
  r.local_time = row.text(4);
  r.state = row.text(5);
  r.advice_count = static_cast<int>(row.integer(6));
  r.stan = row.optional_text(7).value_or("");
  r.response_code = row.optional_text(8).value_or("");
  r.response_bit48 = row.optional_text(9).value_or("");
  r.txn_id = row.optional_text(10).value_or("");
  return r;
}

}  // namespace

Result<std::unique_ptr<P2apstPurchases>> P2apstPurchases::open(const LedgerOptions& options, Clock& clock) {
  static_assert(std::size(kSql) == kSqlCount);
  std::array<sqlite::Statement, kSqlCount> statements;
  auto db = open_side_connection(options, sqlite::Synchronous::kFull, kSql, statements);
  if (!db.ok()) return db.status();
  return std::unique_ptr<P2apstPurchases>(
      new P2apstPurchases(std::move(*db), std::move(statements), options.chain_key, clock));
}

int64_t P2apstPurchases::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.wall_now().time_since_epoch()).count();
}

Result<int64_t> P2apstPurchases::insert_intent(const P2apstPurchaseRow& intent) {
  std::lock_guard lock(mutex_);
  const int64_t now = now_ms();
  return in_transaction<int64_t>([&]() -> Result<int64_t> {
    int64_t id = 0;
    {
      sqlite::Cursor cursor(
          statement(kInsert).bind(now, now, intent.meter, intent.amount, intent.bit48, intent.local_time,
                                  // NULL, not '', for a purchase of no transaction (the CLI's)
                                  intent.txn_id.empty() ? std::optional<std::string>() : intent.txn_id));
      auto row = cursor.next();
      if (!row.ok()) return row.status().with_context("p2apst_purchases");
      if (!*row) return Status::internal("INSERT ... RETURNING gave no row");
      id = cursor->integer(0);
    }
    PINTAR_RETURN_IF_ERROR(chain_version(id));
    return id;
  });
}

template <typename T, typename Work>
Result<T> P2apstPurchases::in_transaction(Work work) {
  PINTAR_RETURN_IF_ERROR(statement(kBegin).run());
  Result<T> result = work();
  Status status = result.ok() ? statement(kCommit).run() : result.status();
  if (!status.ok()) {
    (void)statement(kRollback).run();  // fails harmlessly when SQLite already rolled back
    return status;
  }
  return result;
}

Status P2apstPurchases::chain_version(int64_t id) {
  ChainHead head;
  PINTAR_RETURN_IF_ERROR(load_head(statement(kHeadGet), kPurchaseJournalChain, head));
  std::string entry;
  {
    sqlite::Cursor row(statement(kChainRow).bind(id));
    auto found = row.next();
    if (!found.ok()) return found.status();
    if (!*found) return Status::not_found(fmt::format("P2APST purchase {}", id));
    entry = purchase_entry(row.statement());
  }
  auto link = next_link(kPurchaseJournalChain, head, canonical_entry(kPurchaseJournalChain, head.seq + 1, entry),
                        key_.get());
  if (!link.ok()) return link.status();
  std::optional<std::span<const uint8_t>> mac;
  if (link->mac) mac = std::span<const uint8_t>(*link->mac);
  PINTAR_RETURN_IF_ERROR(statement(kChainInsert)
                             .bind(link->seq, id, crypto::as_bytes(entry), std::span<const uint8_t>(link->hash), mac)
                             .run()
                             .with_context("p2apst_journal_chain"));
  advance(head, *link);
  return store_head(statement(kHeadPut), kPurchaseJournalChain, head, key_.get());
}

Result<std::optional<P2apstPurchaseRow>> P2apstPurchases::update(sqlite::Statement& statement, int64_t id) {
  auto done = in_transaction<bool>([&]() -> Result<bool> {
    PINTAR_RETURN_IF_ERROR(statement.run());
    if (db_.changes() != 1) return false;
    PINTAR_RETURN_IF_ERROR(chain_version(id));
    return true;
  });
  if (!done.ok()) return done.status();
  if (*done) return std::optional<P2apstPurchaseRow>();
  // Nothing changed: either no such row (NotFound) or it is no longer in `from`.
  auto actual = get_locked(id);
  if (!actual.ok()) return actual.status();
  return std::optional<P2apstPurchaseRow>(std::move(*actual));
}

Result<std::optional<P2apstPurchaseRow>> P2apstPurchases::mark_sent(int64_t id, std::string_view from,
                                                                    int from_advice_count, std::string_view to,
                                                                    std::string_view stan, int advice_count) {
  std::lock_guard lock(mutex_);
  return update(statement(kMarkSent).bind(to, stan, advice_count, now_ms(), id, from, from_advice_count), id);
}

Result<std::optional<P2apstPurchaseRow>> P2apstPurchases::record_outcome(int64_t id, std::string_view from,
                                                                         std::string_view to,
                                                                         std::string_view response_code,
                                                                         std::string_view response_bit48) {
  std::lock_guard lock(mutex_);
  const auto or_null = [](std::string_view text) {
    return text.empty() ? std::optional<std::string>() : std::optional<std::string>(text);
  };
  return update(
      statement(kRecordOutcome).bind(to, or_null(response_code), or_null(response_bit48), now_ms(), id, from), id);
}

Result<std::vector<P2apstPurchaseRow>> P2apstPurchases::list_unresolved() {
  std::lock_guard lock(mutex_);
  std::vector<P2apstPurchaseRow> out;
  sqlite::Cursor cursor(statement(kListUnresolved));
  for (;;) {
    auto row = cursor.next();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(read_row(cursor.statement()));
  }
}

Result<P2apstPurchaseRow> P2apstPurchases::get(int64_t id) {
  std::lock_guard lock(mutex_);
  return get_locked(id);
}

Result<P2apstPurchaseRow> P2apstPurchases::get_locked(int64_t id) {
  sqlite::Cursor cursor(statement(kGet).bind(id));
  auto row = cursor.next();
  if (!row.ok()) return row.status();
  if (!*row) return Status::not_found(fmt::format("P2APST purchase {}", id));
  return read_row(cursor.statement());
}

Result<std::optional<P2apstPurchaseRow>> P2apstPurchases::find_by_txn(std::string_view txn_id) {
  std::lock_guard lock(mutex_);
  if (txn_id.empty()) return std::optional<P2apstPurchaseRow>();
  sqlite::Cursor cursor(statement(kFindByTxn).bind(txn_id));
  auto row = cursor.next();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<P2apstPurchaseRow>();
  return std::optional<P2apstPurchaseRow>(read_row(cursor.statement()));
}

}  // namespace pintar::store
