// Prepaid (product 99502) transactions over a Link: inquiry, purchase, and the advice
// procedure that settles a purchase whose answer never came.
//
// Purchase safety, the rule everything here serves: a 2200 is sent at most once, ever.
// If its answer does not come, the purchase is asked about with an advice (2220, the same
// bit 4, 12 and 48) and, while those go unanswered, repeat advices (2221) every
// advice.repeat_interval, up to advice.repeat_count of them; then it is left as
// needs_manual. An advice answered 0000 with a token completes the sale; 0063/0096 means
// PLN never made it. While the link is down no advice is used up: the purchase is
// returned unresolved and the next resume_unresolved() carries on. The journal records every step before the message leaves, so
// resume_unresolved() after a crash continues with advice, never with a new 2200.
// The transitions are the pure step of purchase_step.h (docs/p2apst.md draws its table);
// this class drives it over the Link: journal write, message, answer, next step.
//
// Cut-off (PLN's daily closing window) is answered locally with response code 0090
// before anything is sent, and the same way when PLN answers 0090: a normal outcome
// with the customer text from response_codes.h, not an error.
//
// The *_async methods return at once and call `done` exactly once, on the threads the Link
// names (link.h: keep callbacks short); any number may run at once, so one thread serves
// many customers while a purchase whose answer is lost waits out its timeout and advices
// (up to timeout + (1 + repeat_count) x repeat_interval) on the clock. The plain methods
// wait for the async ones (never call them from a callback). This object and the journal
// must outlive every operation; Link::stop() ends them all at once (as unresolved).
#ifndef PINTAR_VENDING_P2APST_PREPAID_H_
#define PINTAR_VENDING_P2APST_PREPAID_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "vending/p2apst/link.h"
#include "vending/p2apst/p2apst_config.h"
#include "vending/p2apst/prepaid_records.h"
#include "vending/p2apst/purchase_journal.h"
#include "vending/p2apst/purchase_step.h"
#include "vending/p2apst/response_codes.h"

namespace pintar::p2apst {

inline constexpr std::string_view kPrepaidProductCode = "99502";

struct InquiryOutcome {
  std::string response_code;              // bit 39, or "0090" from the local cut-off check
  bool answered_locally = false;          // true: PLN was not asked
  std::optional<InquiryResponse> inquiry;  // when approved
  std::optional<PrepaidData3> data3;       // when approved and bit 62 was present
  const ResponseCode& meaning() const { return lookup_response_code(response_code); }
};

struct PurchaseOutcome {
  int64_t journal_id = 0;  // 0 when nothing was recorded (local cut-off answer)
  PurchaseState state = PurchaseState::kNotSent;
  std::string response_code;
  bool answered_locally = false;
  std::optional<PurchaseResponse> receipt;  // when completed: token, kWh, charges
  std::optional<PrepaidData3> data3;
  const ResponseCode& meaning() const { return lookup_response_code(response_code); }
};

// Buying option 1 when the inquiry reported an unsold token of exactly this amount: the
// customer already paid for it, so it is handed over instead of selling a new one.
BuyingOption choose_buying_option(const std::optional<PrepaidData3>& data3, int64_t amount);

class Prepaid {
 public:
  // `link` and `journal` must outlive this object.
  Prepaid(Link& link, PurchaseJournal& journal, Options options);

  template <typename T>
  using Done = std::function<void(Result<T>)>;

  // Looks a subscriber up by meter number (11 digits) or IDPEL (12 digits).
  void inquiry_async(std::string_view number, LookupBy by, Done<InquiryOutcome> done);
  Result<InquiryOutcome> inquiry(std::string_view number, LookupBy by);
  // Buys `amount` rupiah (bit 4) with the PLN references of `inquiry`. Errors only when
  // nothing was sent (FailedPrecondition: not signed on) or the journal failed; every
  // other result, including "still unresolved" after Cancelled, is an outcome. `txn_id`
  // (the vending transaction, empty from the CLI) is stored with the intent, so that
  // resume_txn_async() finds this purchase after a crash.
  void purchase_async(const InquiryResponse& inquiry, int64_t amount, BuyingOption option, Done<PurchaseOutcome> done,
                      std::string txn_id = {});
  Result<PurchaseOutcome> purchase(const InquiryResponse& inquiry, int64_t amount, BuyingOption option);
  // The purchase the journal holds for vending transaction `txn_id`, after a crash: a
  // settled one as it was settled (a completed one with its receipt, from the stored
  // answer), an unresolved one continued with advice like resume_unresolved() does.
  // nullopt: no purchase was ever recorded for it, so none can have left. Concerns this
  // transaction only, so any number of engines' sales go on meanwhile.
  void resume_txn_async(std::string txn_id, Done<std::optional<PurchaseOutcome>> done);
  // Continues every purchase a previous run left unresolved, all at once; the outcomes are
  // in journal order (oldest first). The first error, if any, is the result (the others
  // still ran to their end and are in the journal).
  void resume_unresolved_async(Done<std::vector<PurchaseOutcome>> done);
  Result<std::vector<PurchaseOutcome>> resume_unresolved();

 private:
  class Run;  // one purchase driven through purchase_step()

  Message financial(std::string_view mti, std::string stan, std::string local_time, std::string bit48) const;
  Result<PurchaseOutcome> settle(const PurchaseRecord& record, PurchaseState state, const Message* answer);

  Link& link_;
  PurchaseJournal& journal_;
  const Options options_;
};

}  // namespace pintar::p2apst

#endif  // PINTAR_VENDING_P2APST_PREPAID_H_
