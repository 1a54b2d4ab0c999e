// MT text -> submit_sm short_message parts. The encoding is chosen per message: GSM 03.38
// (data_coding 0) when every character has a GSM form, else UCS-2 (data_coding 8). A text
// that does not fit one message (160 septets / 70 UCS-2 units) is split into parts with a
// concatenation UDH, information element 0x00 with an 8-bit reference (TS 23.040 §9.2.3.24.1):
// 153 septets or 67 UCS-2 units per part; an escape pair or a surrogate pair is never cut.
// Pure, thread-safe.
#ifndef PINTAR_SMPP_SPLIT_H_
#define PINTAR_SMPP_SPLIT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace pintar::smpp {

struct MtParts {
  uint8_t data_coding = 0;
  bool udhi = false;                      // esm_class 0x40 on every part
  std::vector<std::string> short_messages;  // UDH included
};

inline constexpr size_t kMaxParts = 255;

// InvalidArgument for an empty text or one needing more than kMaxParts parts.
Result<MtParts> encode_mt(std::string_view text_utf8, uint8_t reference);

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_SPLIT_H_
