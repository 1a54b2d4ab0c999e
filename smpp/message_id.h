// Message ids as SMSCs print them: hex or decimal, zero padded, either case — often hex in
// submit_sm_resp and decimal in the receipt of the same message. Both are normalised to one
// canonical text so the gateway can match a receipt to its submit. Pure, thread-safe.
#ifndef PINTAR_SMPP_MESSAGE_ID_H_
#define PINTAR_SMPP_MESSAGE_ID_H_

#include <string>
#include <string_view>

namespace pintar::smpp {

enum class IdBase : uint8_t {
  kOpaque,   // not a number: kept as written, minus surrounding spaces/NULs
  kHex,      // hexadecimal, any case, any zero padding
  kDecimal,  // decimal, any zero padding
};

// How one SMSC prints ids, per place (BindOptions::id_format).
struct MessageIdFormat {
  IdBase submit_resp = IdBase::kOpaque;  // message_id of submit_sm_resp
  IdBase receipt = IdBase::kOpaque;      // receipted_message_id TLV and text "id:"
};

// Canonical form: for kHex/kDecimal the value in decimal without padding ("0000001A" hex
// -> "26"); ids too long for 64 bits or with foreign characters fall back to the opaque
// form in lower case, so a mismatch stays a mismatch rather than a collision.
std::string normalise_message_id(std::string_view id, IdBase base);

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_MESSAGE_ID_H_
