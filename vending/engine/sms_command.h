// The customer SMS grammar (issue 10, docs/vending.md "Customer SMS"): an MO text becomes one
// typed command, or a ParseError saying why not. Never silence: every text maps to something
// the engine can answer.
//
// Words are separated by runs of space, '.', '#', '*' (and tab, CR, LF, which phones insert);
// keywords are case-insensitive. Meter numbers have 11 digits, IDPELs 12 (as in the P2APST
// inquiry, docs/p2apst.md: n11 / n12 with p2apst::LookupBy saying which). A PIN is
// store::kPinDigits digits (store::is_valid_pin). Amounts are whole rupiah; see
// parse_amount_word() for the spellings accepted.
//
// PINs: a parsed PIN is held as a Pin, which formats as "<pin>" and wipes its bytes. Error
// reasons never quote the customer's words (a PIN typed in the wrong place must not reach a
// log through them). masked_text() is what may be stored or logged of the MO.
//
// Pure functions, any thread.
#ifndef PINTAR_VENDING_ENGINE_SMS_COMMAND_H_
#define PINTAR_VENDING_ENGINE_SMS_COMMAND_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include <fmt/format.h>

#include "common/secret.h"
#include "common/status.h"
#include "vending/p2apst/prepaid_records.h"

namespace pintar::engine {

inline constexpr size_t kMeterDigits = 11;  // NO METER, p2apst n11
inline constexpr size_t kIdpelDigits = 12;  // ID pelanggan, p2apst n12
// The largest amount the P2APST bit 4 can carry (n12, minor unit 0).
inline constexpr int64_t kMaxAmountRupiah = 999'999'999'999;

// A PIN the customer typed; its digits are only readable through digits(), for the PIN
// hasher. Copying keeps the wiping (Secret).
class Pin {
 public:
  explicit Pin(std::string_view digits);
  std::string_view digits() const;
  bool operator==(const Pin& other) const { return secret_ == other.secret_; }  // constant time

 private:
  Secret secret_;
};

// What a customer names a meter by.
struct SubscriberRef {
  p2apst::LookupBy by = p2apst::LookupBy::kMeter;
  std::string number;  // 11 digits (kMeter) or 12 digits (kIdpel)
  friend bool operator==(const SubscriberRef&, const SubscriberRef&) = default;
};

enum class Language : uint8_t { kId, kEn };
std::string_view language_code(Language language);  // "id", "en" (store::Subscription)
std::optional<Language> language_from_code(std::string_view code);

// TOKEN|BELI <meter|IDPEL> <amount> [PIN]
struct BuyCommand {
  SubscriberRef subscriber;
  int64_t amount_rupiah = 0;  // > 0; whether it is allowed is check_denomination()'s job
  std::optional<Pin> pin;
};
// YA|YES <PIN>: confirms the pending purchase of this phone.
struct ConfirmCommand {
  Pin pin;
};
// CEK|CHECK <meter|IDPEL>
struct InquiryCommand {
  SubscriberRef subscriber;
};
// ULANG|RESEND [meter|IDPEL]: without one, the phone's only (or last) meter.
struct ResendCommand {
  std::optional<SubscriberRef> subscriber;
};
// SALDO|BALANCE [meter|IDPEL]
struct BalanceCommand {
  std::optional<SubscriberRef> subscriber;
};
// PIN <old> <new>
struct ChangePinCommand {
  Pin old_pin;
  Pin new_pin;
};
// BAHASA|LANGUAGE ID|EN
struct LanguageCommand {
  Language language = Language::kId;
};
// BANTUAN|HELP [anything]
struct HelpCommand {};

// The command keywords, for ParseError::command (which usage line to answer with).
enum class Keyword : uint8_t { kBuy, kConfirm, kInquiry, kResend, kBalance, kChangePin, kLanguage, kHelp };
std::string_view keyword_name(Keyword keyword);  // "TOKEN", "YA", "CEK", ...

struct ParseError {
  enum class Kind : uint8_t {
    kEmpty,           // nothing but separators
    kUnknownCommand,  // the first word is no keyword
    kMissingWord,     // a required word is absent
    kBadWord,         // a word has the wrong shape (meter length, PIN length, amount)
    kExtraWords,      // words after the last one the command takes
  };
  Kind kind = Kind::kUnknownCommand;
  std::optional<Keyword> command;  // set unless kEmpty / kUnknownCommand
  std::string reason;              // English, for logs; never quotes the customer's words
};
std::string_view parse_error_kind_name(ParseError::Kind kind);  // "empty", "unknown_command", ...

using SmsCommand = std::variant<BuyCommand, ConfirmCommand, InquiryCommand, ResendCommand, BalanceCommand,
                                ChangePinCommand, LanguageCommand, HelpCommand, ParseError>;

// Parses an MO text (UTF-8 as the gateway delivers it). Total: any byte string gives a result.
SmsCommand parse_sms_command(std::string_view text);

// An amount as one word: "50000", "50.000" / "50,000" (thousands groups of 3), "50rb",
// "50ribu", "50k" (x 1,000), "1jt", "1juta" (x 1,000,000), each optionally after "Rp".
// InvalidArgument (not quoting the word) for anything else, zero, or above kMaxAmountRupiah.
Result<int64_t> parse_amount_word(std::string_view word);

// InvalidArgument listing the allowed amounts ("Rp20.000, Rp50.000, ...") when `amount` is
// not one of `allowed`; the message does not repeat the amount (it may be a misplaced PIN).
Status check_denomination(int64_t amount, std::span<const int64_t> allowed);
// The default denominations.
inline constexpr int64_t kDefaultDenominations[] = {20'000, 50'000, 100'000, 200'000, 500'000, 1'000'000};

// The MO text with the PIN words replaced by '*' character for character (length and
// separators kept), for the ledger and the logs. PIN positions follow from the keyword alone,
// so a text that fails to parse is masked as well:
//   TOKEN/BELI: every word after the amount; the amount itself when it is six plain digits
//     that are not whole thousands ("TOKEN <meter> <PIN>" with the amount forgotten);
//   YA, PIN: every word after the keyword;
//   anything else (other keywords, unknown text, TOKEN without an amount): every run of
//     digits except one exactly 11 or 12 long (a meter or IDPEL the helpdesk needs to see).
std::string masked_text(std::string_view text);

}  // namespace pintar::engine

template <>
struct fmt::formatter<pintar::engine::Pin> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const pintar::engine::Pin&, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format("<pin>", ctx);
  }
};

#endif  // PINTAR_VENDING_ENGINE_SMS_COMMAND_H_
