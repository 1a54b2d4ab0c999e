// SqlitePurchaseJournal: vending/p2apst's PurchaseJournal kept in the ledger file, table
// p2apst_purchases (schema revision 4, store/schema.cpp; txn_id since revision 6). It is
// what makes a P2APST purchase survive a crash: mark_sent() returns only after its
// transaction is committed with synchronous = FULL, i.e. on disk, before the message it
// announces is written. find_by_txn() finds a vending transaction's purchase after a crash.
//
// It uses its own connection to the ledger file (WAL; SQLite's lock orders it with the
// Ledger's writer and with other processes), with its statements prepared once at open.
// It does not go through the Ledger's group-commit writer on purpose: each mark_sent() must
// be on disk before its message leaves, and P2APST traffic is a few purchases a second, so
// there is nothing to group. Every update carries its expected state in the WHERE clause
// (the compare-and-swap of PurchaseJournal), so handles in other processes on the same file
// cannot overwrite each other. Every change also appends the row's new version to the chain
// p2apst_purchases (table p2apst_journal_chain, chain.h; keyed when LedgerOptions has the
// chain key) in the same transaction, so `ledger verify` catches a row edited behind pintar.
// Thread-safe: calls are serialised.
#ifndef PINTAR_STORE_P2APST_JOURNAL_H_
#define PINTAR_STORE_P2APST_JOURNAL_H_

#include <array>
#include <memory>
#include <mutex>

#include "common/clock.h"
#include "common/status.h"
#include "store/chain_head.h"
#include "store/sqlite_db.h"
#include "store/sqlite_ledger.h"
#include "vending/p2apst/purchase_journal.h"

namespace pintar::store {

class SqlitePurchaseJournal final : public p2apst::PurchaseJournal {
 public:
  // Opens (creating and migrating when allowed) the ledger file of `options`.
  static Result<std::unique_ptr<SqlitePurchaseJournal>> open(const LedgerOptions& options,
                                                            Clock& clock = Clock::real());

  Result<int64_t> record_intent(const p2apst::PurchaseRecord& intent) override;
  Status mark_sent(int64_t id, p2apst::PurchaseState from, p2apst::PurchaseState state, std::string_view stan,
                   int advice_count) override;
  Status record_outcome(int64_t id, p2apst::PurchaseState from, p2apst::PurchaseState state,
                        std::string_view response_code, std::string_view response_bit48) override;
  Result<std::vector<p2apst::PurchaseRecord>> list_unresolved() override;
  Result<p2apst::PurchaseRecord> get(int64_t id) override;
  Result<std::optional<p2apst::PurchaseRecord>> find_by_txn(std::string_view txn_id) override;

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

  SqlitePurchaseJournal(sqlite::Connection db, std::array<sqlite::Statement, kSqlCount> statements,
                        std::shared_ptr<const ChainKey> key, Clock& clock)
      : db_(std::move(db)), statements_(std::move(statements)), key_(std::move(key)), clock_(clock) {}
  // Runs work() in BEGIN IMMEDIATE ... COMMIT; rolls back when it fails.
  template <typename T, typename Work>
  Result<T> in_transaction(Work work);
  // Appends the row's current version to the purchase journal chain (inside a transaction).
  Status chain_version(int64_t id);
  Status update(sqlite::Statement& statement, int64_t id, p2apst::PurchaseState from, p2apst::PurchaseState to);
  Result<p2apst::PurchaseRecord> get_locked(int64_t id);
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
