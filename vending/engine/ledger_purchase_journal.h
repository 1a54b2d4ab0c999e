// LedgerPurchaseJournal: vending/p2apst's PurchaseJournal kept in the ledger file, on
// store::P2apstPurchases (store/p2apst_journal.h has the durability, chaining and locking
// contract). It translates between the protocol's PurchaseRecord/PurchaseState and the
// table's rows, so that store/ knows nothing of P2APST and vending/p2apst nothing of the
// ledger; the engine (cli/vending_cli.cpp) and `pintar p2apst` (cli/p2apst_cli.cpp) use it.
//
// Errors: as P2apstPurchases; an update that finds the row moved by another handle is
// FailedPrecondition (p2apst::state_conflict), a row whose state the protocol does not
// know is Corruption. Thread-safe as P2apstPurchases.
#ifndef PINTAR_VENDING_ENGINE_LEDGER_PURCHASE_JOURNAL_H_
#define PINTAR_VENDING_ENGINE_LEDGER_PURCHASE_JOURNAL_H_

#include <memory>

#include "common/clock.h"
#include "store/p2apst_journal.h"
#include "vending/p2apst/purchase_journal.h"

namespace pintar::engine {

class LedgerPurchaseJournal final : public p2apst::PurchaseJournal {
 public:
  // Opens (creating and migrating when allowed) the ledger file of `options`.
  static Result<std::unique_ptr<LedgerPurchaseJournal>> open(const store::LedgerOptions& options,
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
  explicit LedgerPurchaseJournal(std::unique_ptr<store::P2apstPurchases> table) : table_(std::move(table)) {}
  std::unique_ptr<store::P2apstPurchases> table_;
};

}  // namespace pintar::engine

#endif  // PINTAR_VENDING_ENGINE_LEDGER_PURCHASE_JOURNAL_H_
