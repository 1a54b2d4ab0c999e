// Bit 39 response codes of the PLN 2xxx dialect: one table mapping each 4-digit code to a
// cause, whether the same request may succeed later unchanged, and the text we show the
// customer in Indonesian and English (response_codes.cpp; docs/p2apst.md lists it).
//
// "Retryable" never licenses sending a purchase again: a 2200 is sent once, ever (see
// purchase.h). It tells the caller whether an inquiry or a new customer request can work
// later without the customer changing anything.
#ifndef PINTAR_VENDING_P2APST_RESPONSE_CODES_H_
#define PINTAR_VENDING_P2APST_RESPONSE_CODES_H_

#include <string_view>

namespace pintar::p2apst {

enum class Cause {
  kApproved,
  kOtherError,
  kPartnerBlocked,
  kInvalidAccessTime,
  kWrongSubscriber,
  kSignOnFirst,
  kReversalTooLate,
  kInvalidAmount,
  kUnknownSubscriber,
  kMeterIdpelMismatch,
  kSubscriberBlocked,
  kBadMessage,
  kUnknownBank,
  kUnknownPartner,
  kUnknownProduct,
  kBelowMinimum,
  kAboveMaximum,
  kInvalidAdminCharge,
  kDepositInsufficient,
  kKwhOverLimit,
  kNoSuchPurchase,
  kPlnTimeout,
  kSubscriberSuspended,
  kCutOff,
  kDuplicate,
  kPartnerMismatch,
  kReferenceMismatch,
  kPending,
  kUnknownCode,
};

struct ResponseCode {
  std::string_view code;  // bit 39, 4 characters
  Cause cause;
  bool retryable;
  std::string_view text_id;  // Bahasa Indonesia, for the customer
  std::string_view text_en;
};

// The table entry for a bit 39 value; codes not in the table map to a kUnknownCode entry
// whose `code` is empty (the caller still has the raw value).
const ResponseCode& lookup_response_code(std::string_view code);

// "kCutOff" -> "cut_off": a stable name for logs and the ledger.
std::string_view cause_name(Cause cause);

}  // namespace pintar::p2apst

#endif  // PINTAR_VENDING_P2APST_RESPONSE_CODES_H_
