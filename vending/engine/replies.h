// The catalogue of SMS the vending engine sends customers: one table (replies.cpp), message id
// x language -> template, and a formatter for its named fields ("{token}").
//
// Every template is GSM 03.38 default alphabet without escapes (one septet per character),
// and render() passes field values through gsm_safe(), so a reply is never forced into UCS-2
// (70 characters) by a name PLN sent. Each template fits one SMS (160 septets) with the
// longest value reply_fields() lists for each of its fields, except the ones
// kMayExceedOneSms names (replies_test.cpp renders every one of them to prove it).
//
// A PIN is never a field: the prompt says "YA <PIN>" literally. The amount-not-allowed reply
// lists the allowed amounts but does not repeat the customer's (it may be a misplaced PIN).
//
// Pure functions over constant tables, any thread.
#ifndef PINTAR_VENDING_ENGINE_REPLIES_H_
#define PINTAR_VENDING_ENGINE_REPLIES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/records.h"
#include "vending/engine/sms_command.h"

namespace pintar::engine {

enum class ReplyId : uint8_t {
  kTokenReceipt,      // token, meter, kwh, amount, charges, ref
  kKeyChangeFirst,    // kcts, meter: enter these before the credit token (base date 1993 rollover)
  kConfirmPrompt,     // meter, name, tariff, power, amount, admin, kwh, minutes
  kNothingToConfirm,  // YA without a pending purchase, or after its window
  kInquiry,           // meter, idpel, name, tariff, power (CEK)
  kInquiryUnsold,     // the same and unsold: amounts PLN sold but never delivered
  kBalance,           // meter, credit (kWh), time: what the meter last reported (SALDO)
  kBalanceUnknown,    // meter: the meter never reported
  kResendNothing,     // meter: ULANG with no token sold for it
  kChooseMeter,       // example: the phone has several meters, the command must name one
  kNotSubscribed,     // meter: ULANG / SALDO for a meter this phone is not subscribed to
  kWrongPin,          // attempts: wrong PIN, attempts left before the lock
  kLocked,            // minutes: too many wrong PINs
  kPinChanged,
  kLanguageSet,
  kUnknownMeter,      // number: PLN knows no such meter / IDPEL
  kMeterMigrated,     // number, meter: a one-way meter a migration replaced by this two-way meter
  kAmountNotAllowed,  // denominations
  kKwhOverLimit,      // max_kwh: P2APST 0047, this month's kWh limit reached
  kPurchaseRefused,   // reason: any other P2APST refusal (response_codes text); nothing charged
  kPurchasePending,   // meter: outcome unknown, being resolved with PLN; the token follows
  kP2apstDown,        // PLN unreachable: nothing charged, try later
  kTemporaryFailure,  // our own fault (ledger, engine): nothing charged, try later
  kBadFormat,         // example: a known command with wrong words
  kHelp,              // anything else
  kRateLimited,       // minutes: one warning, then silence
  kModemSilent,       // meter, token: the meter never confirmed; key the token in by hand
  kMeterRejectedCrc,  // meter, token: the meter says the token is not for it (CRC / authentication)
  kMeterRejectedUsed,       // meter: already entered (credited once)
  kMeterRejectedOld,        // meter, token: older than the meter's memory
  kMeterRejectedKeyExpired, // meter: the meter's key expired; PLN must change its key
  kMeterRejectedOverLimit,  // meter: the meter's kWh limit
};
inline constexpr size_t kReplyCount = static_cast<size_t>(ReplyId::kMeterRejectedOverLimit) + 1;

// Templates that can exceed one SMS with the longest values: the gateway then sends a
// concatenated SMS. Why each one, in replies.cpp next to kMayExceedOneSms's definition.
extern const std::span<const ReplyId> kMayExceedOneSms;

// A field a template may name, with the longest value the engine passes for it.
struct FieldSpec {
  std::string_view name;
  std::string_view longest;  // worst case for the length test
  size_t truncate_to;        // values longer than this are cut (0: never cut)
  std::string_view meaning;
};
std::span<const FieldSpec> reply_fields();

struct Field {
  std::string_view name;
  std::string value;
};

// The template text, e.g. "Token {token} ..." (for tests and docs).
std::string_view reply_template(ReplyId id, Language language);
std::string_view reply_name(ReplyId id);  // "token_receipt", for logs and the ledger

// Fills every "{name}" of the template from `fields` (gsm_safe, and truncated per
// reply_fields()). InvalidArgument naming the field when the template names one that is
// missing from `fields`; extra fields are ignored.
Result<std::string> render(ReplyId id, Language language, std::span<const Field> fields);

// The charges of a receipt, each in whole rupiah.
struct Charges {
  int64_t power_purchase = 0;  // stroom: what buys the kWh
  int64_t admin = 0;
  int64_t stamp_duty = 0;  // materai
  int64_t ppn = 0;         // VAT
  int64_t ppj = 0;         // PBJT-TL, the local electricity tax
  int64_t instalment = 0;  // angsuran
};
// "stroom Rp46.296 admin Rp2.500 PBJT Rp1.204": each non-zero charge with its name (the
// energy part always), for the receipt's {charges}.
std::string charges_text(Language language, const Charges& charges);
// "1111-...-1111 lalu 2222-...-2222" (then, in English; commas before the last) for {kcts}:
// the key change tokens in the order the meter takes them.
std::string key_change_text(Language language, std::span<const std::string> tokens);
// The token receipt of a sold purchase, rebuilt from the ledger (the same 20 digits as sold:
// a resend, never a new sale): the customer's ULANG and the helpdesk's resend.
// FailedPrecondition when the purchase has no token.
Result<std::string> receipt_text(Language language, const store::TransactionRecord& txn,
                                 const std::optional<store::VendDetail>& detail);
// "Rp20.000, Rp50.000, ..." for {denominations} and {unsold}.
std::string amounts_text(std::span<const int64_t> amounts);
// An example of the command, for {example} in kBadFormat / kChooseMeter.
std::string_view command_example(Keyword keyword);

}  // namespace pintar::engine

#endif  // PINTAR_VENDING_ENGINE_REPLIES_H_
