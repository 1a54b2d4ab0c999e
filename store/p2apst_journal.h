// P2apstPurchases: the table p2apst_purchases of the ledger file (schema revision 4,
// store/schema.cpp; txn_id since revision 6), which keeps the P2APST purchase journal: what
// makes a P2APST purchase survive a crash. vending/engine/ledger_purchase_journal.h turns it
// into vending/p2apst's PurchaseJournal; this folder knows the rows, not the protocol, so the
// state is the column's text ("intent", "sent", "advice_sent", "completed", ...).
//
// mark_sent() returns only after its transaction is committed with synchronous = FULL, i.e.
// on disk, before the message it announces is written. find_by_txn() finds a vending
// transaction's purchase after a crash.
//
// It uses its own connection to the ledger file (WAL; SQLite's lock orders it with the
// Ledger's writer and with other processes), with its statements prepared once at open.
// It does not go through the Ledger's group-commit writer on purpose: each mark_sent() must
// be on disk before its message leaves, and P2APST traffic is a few purchases a second, so
// there is nothing to group. Every update carries its expected state in the WHERE clause
// (a compare-and-swap), so handles in other processes on the same file cannot overwrite each
// other: an update that finds the row in another state changes nothing and hands back the
// row as it is. Every change also appends the row's new version to the chain
// p2apst_purchases (table p2apst_journal_chain, chain.h; keyed when LedgerOptions has the
// chain key) in the same transaction, so `ledger verify` catches a row edited behind pintar.
// Thread-safe: calls are serialised. Errors: NotFound for an unknown id; InvalidArgument for
// a row the table's CHECKs refuse; kIoError/kCorruption from SQLite.
#ifndef PINTAR_STORE_P2APST_JOURNAL_H_
#define PINTAR_STORE_P2APST_JOURNAL_H_

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "sqlite/connection.h"
#include "store/chain_head.h"
#include "store/sqlite_ledger.h"

namespace pintar::store {

// One row of p2apst_purchases (the columns, as stored).
struct P2apstPurchaseRow {
  int64_t id = 0;
  std::string meter{};
  int64_t amount = 0;            // whole rupiah
  std::string bit48{};             // the 145-character purchase request
  std::string local_time{};        // bit 12 of the 2200
  std::string state{};             // intent, sent, advice_sent, completed, declined, no_sale, not_sent, needs_manual
  int advice_count = 0;
  std::string stan{};              // "" when none yet
  std::string response_code{};     // ""
  std::string response_bit48{};    // ""
  std::string txn_id{};            // "" for a purchase of no vending transaction (the CLI's)
};

class P2apstPurchases {
 public:
  // Opens (creating and migrating when allowed) the ledger file of `options`.
  static Result<std::unique_ptr<P2apstPurchases>> open(const LedgerOptions& options, Clock& clock = Clock::real());

  // A new row in state intent (id, state, advice count, stan and responses ignored); its id.
  Result<int64_t> insert_intent(const P2apstPurchaseRow& intent);
  // The compare-and-swaps: applied only while the row is in `from` (mark_sent: and holds
  // `from_advice_count` advices). nullopt when applied; the row as it is when not.
  Result<std::optional<P2apstPurchaseRow>> mark_sent(int64_t id, std::string_view from, int from_advice_count,
                                                     std::string_view to, std::string_view stan, int advice_count);
  Result<std::optional<P2apstPurchaseRow>> record_outcome(int64_t id, std::string_view from, std::string_view to,
                                                          std::string_view response_code,
                                                          std::string_view response_bit48);
  // Rows in intent, sent or advice_sent, oldest first.
  Result<std::vector<P2apstPurchaseRow>> list_unresolved();
  Result<P2apstPurchaseRow> get(int64_t id);
  // The newest row of `txn_id`; nullopt when none (or txn_id is empty).
  Result<std::optional<P2apstPurchaseRow>> find_by_txn(std::string_view txn_id);

 private:
  enum Sql : size_t {
    kInsert,
    kMarkSent,
    kRecordOutcome,
    kListUnresolved,
    kGet,
    kFindByTxn,
    kChainRow,
    kChainInsert,
    kHeadGet,
    kHeadPut,
    kBegin,
    kCommit,
    kRollback,
    kSqlCount
  };

  P2apstPurchases(sqlite::Connection db, std::array<sqlite::Statement, kSqlCount> statements,
                  std::shared_ptr<const ChainKey> key, Clock& clock)
      : db_(std::move(db)), statements_(std::move(statements)), key_(std::move(key)), clock_(clock) {}
  // Runs work() in BEGIN IMMEDIATE ... COMMIT; rolls back when it fails.
  template <typename T, typename Work>
  Result<T> in_transaction(Work work);
  // Appends the row's current version to the purchase journal chain (inside a transaction).
  Status chain_version(int64_t id);
  Result<std::optional<P2apstPurchaseRow>> update(sqlite::Statement& statement, int64_t id);
  Result<P2apstPurchaseRow> get_locked(int64_t id);
  sqlite::Statement& statement(Sql id) { return statements_[id]; }
  int64_t now_ms() const;

  std::mutex mutex_;
  sqlite::Connection db_;  // declared before the statements: they are finalised first
  std::array<sqlite::Statement, kSqlCount> statements_;
  const std::shared_ptr<const ChainKey> key_;
  Clock& clock_;
};

}  // namespace pintar::store

#endif  // PINTAR_STORE_P2APST_JOURNAL_H_
