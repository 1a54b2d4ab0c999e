// The buying procedure of one customer purchase, as `pintar p2apst purchase` and the
// vending engine run it (the engine with buy_async):
//   1. resume every purchase an earlier run left unresolved; if one stays unresolved, no
//      new sale is made (ended_at kResume, earlier_unresolved); skipped unless resume_first;
//   2. inquire the subscriber; a refusal ends it (ended_at kInquiry, inquiry->inquiry empty);
//   3. choose the buying option: an unsold token of exactly this amount is taken (option 1,
//      PLN charges nothing); while unsold tokens of other amounts wait, a new token is
//      refused unless new_token (ended_at kChoice, unsold_waiting);
//   4. purchase (ended_at kPurchase, purchase).
// A failed step sets `error` and ends the procedure there; `ended_at` says which step,
// since the same code means different things at different steps (an InvalidArgument from
// the inquiry is the customer's number, from the purchase a bug). Thread rules: prepaid.h.
#ifndef PINTAR_VENDING_P2APST_BUY_H_
#define PINTAR_VENDING_P2APST_BUY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "vending/p2apst/prepaid.h"

namespace pintar::p2apst {

struct BuyRequest {
  std::string number;  // meter (11 digits) or IDPEL (12 digits)
  LookupBy by = LookupBy::kMeter;
  int64_t amount = 0;      // whole rupiah, bit 4
  bool new_token = false;  // buy a new token even though unsold ones of other amounts wait
  // Step 1 resumes every unresolved purchase in the journal and refuses a new sale while one
  // stays unresolved: right for one operator at the CLI. The engine, with many sales in
  // flight at once, turns it off (another customer's purchase in flight is not "earlier")
  // and resumes its own after a restart with Prepaid::resume_txn_async().
  bool resume_first = true;
  std::string txn_id = {};  // the vending transaction, stored with the purchase's intent
};

enum class BuyStage : uint8_t { kResume, kInquiry, kChoice, kPurchase };

struct BuyOutcome {
  BuyStage ended_at = BuyStage::kResume;
  Status error;                           // non-ok: the step `ended_at` failed
  std::vector<PurchaseOutcome> resumed;   // step 1, in journal order
  bool earlier_unresolved = false;        // step 1 left one unresolved (or for a person)
  std::optional<InquiryOutcome> inquiry;  // step 2
  BuyingOption option = BuyingOption::kNewToken;
  std::vector<int64_t> unsold_waiting;    // step 3 refused: the amounts of the unsold tokens
  std::optional<PurchaseOutcome> purchase;  // step 4
};

// True when the outcome is neither settled nor final (the customer's money is pending).
bool still_pending(const PurchaseOutcome& outcome);

void buy_async(Prepaid& prepaid, BuyRequest request, std::function<void(BuyOutcome)> done);
BuyOutcome buy(Prepaid& prepaid, const BuyRequest& request);

}  // namespace pintar::p2apst

#endif  // PINTAR_VENDING_P2APST_BUY_H_
