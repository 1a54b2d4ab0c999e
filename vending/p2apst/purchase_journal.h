// PurchaseJournal: the durable record of every prepaid purchase, written BEFORE each
// message about it leaves, so that a crash at any point can be resumed without ever
// sending a second 2200 (see prepaid.h). The ledger (store/) implements it in SQLite;
// MemoryPurchaseJournal is for tests and for runs that accept losing it.
//
// State of a purchase (docs/p2apst.md, "Purchase safety"):
//   intent        recorded; nothing sent yet
//   sent          the 2200 is about to leave or has left (STAN recorded)
//   advice_sent   advice number advice_count (1 = the 2220, then 2221s) is about to leave or has
//   completed     a 2210/2230/2231 with 0000 and a token (response_bit48 holds it)
//   declined      PLN answered the 2200 with a refusal: no sale
//   no_sale       an advice was answered 0063/0096: PLN never made the sale
//   not_sent      provably never left (nothing to resolve)
//   needs_manual  every advice went unanswered: a person must settle it with PLN
// Implementations must be safe to call from several threads.
#ifndef PINTAR_VENDING_P2APST_PURCHASE_JOURNAL_H_
#define PINTAR_VENDING_P2APST_PURCHASE_JOURNAL_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "common/status.h"

namespace pintar::p2apst {

enum class PurchaseState : uint8_t {
  kIntent,
  kSent,
  kAdviceSent,
  kCompleted,
  kDeclined,
  kNoSale,
  kNotSent,
  kNeedsManual,
};

inline constexpr std::array<std::string_view, 8> kPurchaseStateNames = {
    "intent", "sent", "advice_sent", "completed", "declined", "no_sale", "not_sent", "needs_manual",
};

// "advice_sent" etc.: the names stored in the ledger. Header-only, like the whole
// interface, so that store/ can implement it without linking this library.
constexpr std::string_view state_name(PurchaseState state) { return kPurchaseStateNames[static_cast<size_t>(state)]; }
inline Result<PurchaseState> parse_state(std::string_view name) {
  const auto* it = std::find(kPurchaseStateNames.begin(), kPurchaseStateNames.end(), name);
  if (it == kPurchaseStateNames.end()) return Status::invalid_argument("unknown purchase state '" + std::string(name) + "'");
  return static_cast<PurchaseState>(it - kPurchaseStateNames.begin());
}
// intent, sent and advice_sent: the outcome is not known yet.
constexpr bool is_unresolved(PurchaseState state) {
  return state == PurchaseState::kIntent || state == PurchaseState::kSent || state == PurchaseState::kAdviceSent;
}

// The advice count a row must hold before mark_sent(..., state, ..., advice_count).
constexpr int expected_advice_count(PurchaseState state, int advice_count) {
  return state == PurchaseState::kAdviceSent ? advice_count - 1 : advice_count;
}
// The FailedPrecondition of a guarded update that found the row elsewhere.
inline Status state_conflict(int64_t id, PurchaseState from, PurchaseState to, PurchaseState actual,
                             int actual_advice_count) {
  return Status::failed_precondition(fmt::format(
      "P2APST purchase {} is {} ({} advices sent), not {}: another process moved it; {} not recorded", id,
      state_name(actual), actual_advice_count, state_name(from), state_name(to)));
}

struct PurchaseRecord {
  int64_t id = 0;
  std::string meter;       // from bit 48, for look-ups
  int64_t amount = 0;      // bit 4, whole rupiah
  std::string bit48;       // the 145-character purchase request, repeated unchanged in every advice
  std::string local_time;  // bit 12 of the 2200, repeated in every advice
  PurchaseState state = PurchaseState::kIntent;
  int advice_count = 0;         // advices sent so far (the 2220 is 1)
  std::string stan;             // bit 11 of the latest message sent
  std::string response_code;    // bit 39 that settled it
  std::string response_bit48;   // the 241-character answer of a completed purchase (token inside)
  // The vending transaction this purchase is for (empty for CLI purchases); stored with
  // record_intent and never changed, so find_by_txn can find the purchase after a crash.
  std::string txn_id;
};

class PurchaseJournal {
 public:
  virtual ~PurchaseJournal() = default;

  // Stores a new purchase in state intent (fields id, state, stan and responses are
  // ignored); returns its id.
  virtual Result<int64_t> record_intent(const PurchaseRecord& intent) = 0;
  // Every update below is a compare-and-swap on the state the caller last saw (`from`):
  // when the row is no longer there, the update changes nothing and returns
  // FailedPrecondition (NotFound for an unknown id). So a second process working from a
  // stale copy can neither send a second advice of the same number nor write no_sale over
  // a completed purchase; the caller must not send the message it was about to announce.
  //
  // Durably records that a message with `stan` is about to leave: `state` is kSent (the
  // 2200, `from` kIntent, advice_count 0) or kAdviceSent (advice number `advice_count`,
  // `from` kSent or kAdviceSent, and the row must hold advice_count - 1 advices).
  // Returns only once it is durable.
  virtual Status mark_sent(int64_t id, PurchaseState from, PurchaseState state, std::string_view stan,
                           int advice_count) = 0;
  // Records the final state (completed, declined, no_sale, not_sent, needs_manual) of a
  // purchase still in `from`.
  virtual Status record_outcome(int64_t id, PurchaseState from, PurchaseState state, std::string_view response_code,
                                std::string_view response_bit48) = 0;
  // Every purchase in intent, sent or advice_sent, oldest first.
  virtual Result<std::vector<PurchaseRecord>> list_unresolved() = 0;
  virtual Result<PurchaseRecord> get(int64_t id) = 0;
  // The newest purchase (highest id) recorded for a non-empty txn_id; nullopt when none.
  // This is what lets the engine, after a crash between "purchase sent" and its own next
  // version, find the purchase of its transaction instead of buying again.
  virtual Result<std::optional<PurchaseRecord>> find_by_txn(std::string_view txn_id) = 0;
};

class MemoryPurchaseJournal final : public PurchaseJournal {
 public:
  Result<int64_t> record_intent(const PurchaseRecord& intent) override;
  Status mark_sent(int64_t id, PurchaseState from, PurchaseState state, std::string_view stan,
                   int advice_count) override;
  Status record_outcome(int64_t id, PurchaseState from, PurchaseState state, std::string_view response_code,
                        std::string_view response_bit48) override;
  Result<std::vector<PurchaseRecord>> list_unresolved() override;
  Result<PurchaseRecord> get(int64_t id) override;
  Result<std::optional<PurchaseRecord>> find_by_txn(std::string_view txn_id) override;

 private:
  Result<PurchaseRecord*> find_locked(int64_t id);

  std::mutex mutex_;
  std::vector<PurchaseRecord> records_;  // id = index + 1
};

}  // namespace pintar::p2apst

#endif  // PINTAR_VENDING_P2APST_PURCHASE_JOURNAL_H_
