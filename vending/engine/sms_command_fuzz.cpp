// Fuzz target: the customer SMS parser and masked_text(). Any bytes must parse to something;
// the mask keeps the length; a PIN the parser read is not readable again from the masked
// text (it is what the ledger and the logs get); amounts stay in range.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "vending/engine/sms_command.h"

using namespace pintar::engine;

namespace {

std::optional<std::string> pin_of(const SmsCommand& command) {
  if (const auto* buy = std::get_if<BuyCommand>(&command); buy != nullptr && buy->pin) {
    return std::string(buy->pin->digits());
  }
  if (const auto* confirm = std::get_if<ConfirmCommand>(&command)) return std::string(confirm->pin.digits());
  if (const auto* change = std::get_if<ChangePinCommand>(&command)) return std::string(change->new_pin.digits());
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const SmsCommand command = parse_sms_command(text);
  if (const auto* error = std::get_if<ParseError>(&command); error != nullptr && error->reason.empty()) std::abort();
  if (const auto* buy = std::get_if<BuyCommand>(&command)) {
    if (buy->amount_rupiah <= 0 || buy->amount_rupiah > kMaxAmountRupiah) std::abort();
    if (buy->subscriber.number.size() != kMeterDigits && buy->subscriber.number.size() != kIdpelDigits) std::abort();
  }
  const std::string masked = masked_text(text);
  if (masked.size() != text.size()) std::abort();
  if (const auto pin = pin_of(command)) {
    if (const auto again = pin_of(parse_sms_command(masked)); again && *again == *pin) std::abort();
  }
  if (auto amount = parse_amount_word(text); amount.ok() && (*amount <= 0 || *amount > kMaxAmountRupiah)) {
    std::abort();
  }
  return 0;
}
