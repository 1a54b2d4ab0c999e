// ISO 8583 messages of PLN's P2APST host-to-host "2xxx" dialect (ISO 8583:2003 style,
// all ASCII): MTI as 4 digits, primary bitmap as 16 hex characters (32 with a secondary
// bitmap), data elements as listed in kFieldSpecs (iso8583.cpp). See docs/p2apst.md.
//
// decode() is strict: it accepts exactly one well-formed message and reports the first
// problem as InvalidArgument ("bit 48: ..."); it never reads outside its input and never
// throws. encode() checks every field against the same table, so we never send what we
// would refuse to receive. Both are pure functions, safe from any thread.
#ifndef PINTAR_VENDING_P2APST_ISO8583_H_
#define PINTAR_VENDING_P2APST_ISO8583_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace pintar::p2apst {

// Character classes of ISO 8583 data elements.
enum class Charset : uint8_t {
  kN,    // numeric: '0'-'9'
  kAn,   // alphanumeric: letters, digits and space (PLN pads an fields with spaces)
  kAns,  // alphanumeric and special: printable ASCII 0x20-0x7E
};

enum class LengthType : uint8_t {
  kFixed,   // exactly max_length characters
  kLlvar,   // 2-digit length prefix, then up to max_length characters
  kLllvar,  // 3-digit length prefix, then up to max_length characters
};

struct FieldSpec {
  int bit;
  std::string_view name;
  Charset charset;
  LengthType length_type;
  int max_length;
};

// The definition of data element `bit` in the PLN 2xxx dialect; nullptr when the dialect
// does not define it.
const FieldSpec* field_spec(int bit);

// True when every character of `text` belongs to `charset`.
bool in_charset(std::string_view text, Charset charset);

// Message type indicators of the dialect (ISO 8583:2003 numbering).
namespace mti {
inline constexpr std::string_view kNetworkRequest = "2800";
inline constexpr std::string_view kNetworkResponse = "2810";
inline constexpr std::string_view kInquiryRequest = "2100";
inline constexpr std::string_view kInquiryResponse = "2110";
inline constexpr std::string_view kPurchaseRequest = "2200";
inline constexpr std::string_view kPurchaseResponse = "2210";
inline constexpr std::string_view kAdviceRequest = "2220";
inline constexpr std::string_view kAdviceResponse = "2230";
inline constexpr std::string_view kAdviceRepeatRequest = "2221";
inline constexpr std::string_view kAdviceRepeatResponse = "2231";
}  // namespace mti

// Data element numbers used by the client.
namespace bit {
inline constexpr int kProductCode = 2;        // LLVAR n..19 ("PAN"); 99502 = prepaid
inline constexpr int kAmount = 4;             // n16: "360" + minor-unit digit + 12 digits
inline constexpr int kStan = 11;              // n12 systems trace audit number
inline constexpr int kLocalDateTime = 12;     // n14 YYYYMMDDhhmmss
inline constexpr int kSettlementDate = 15;    // n8 YYYYMMDD
inline constexpr int kMerchantType = 26;      // n4 MCC
inline constexpr int kBankCode = 32;          // LLVAR n..7 acquiring institution
inline constexpr int kPartnerCentralId = 33;  // LLVAR n..7 forwarding institution
inline constexpr int kResponseCode = 39;      // an4
inline constexpr int kNetworkCode = 40;       // n3: 001 sign-on, 002 sign-off, 301 echo
inline constexpr int kTerminalId = 41;        // ans16
inline constexpr int kPrivateData = 48;       // LLLVAR ans..999 (product payload)
inline constexpr int kPrivateData3 = 62;      // LLLVAR ans..999 (prepaid: unit, limits, unsold)
inline constexpr int kInfoText = 63;          // LLLVAR ans..999 (receipt footer)
}  // namespace bit

// One message: its MTI and its data elements as text (the exact characters on the wire,
// without length prefixes). Bitmaps are derived from `fields`, never stored.
struct Message {
  std::string mti;
  std::map<int, std::string> fields;

  bool has(int bit_number) const { return fields.contains(bit_number); }
  // The field's text, or an empty view when absent.
  std::string_view get(int bit_number) const;
  // The response MTI for a request MTI ("2200" -> "2210"); nullopt when it is not a request.
  static std::optional<std::string> response_mti(std::string_view request_mti);
};

Result<Message> decode(std::string_view bytes);
Result<std::string> encode(const Message& message);

}  // namespace pintar::p2apst

#endif  // PINTAR_VENDING_P2APST_ISO8583_H_
