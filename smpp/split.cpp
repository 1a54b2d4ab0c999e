#include "smpp/split.h"

#include <fmt/format.h>

#include "smpp/text.h"

namespace pintar::smpp {

namespace {

constexpr size_t kGsmSingle = 160, kGsmPart = 153;          // septets
constexpr size_t kUcs2Single = 140, kUcs2Part = 134;        // octets (70 / 67 units)
constexpr uint8_t kGsmEscape = 0x1B;

// Where the next part may end at most `limit` octets after `begin`, without cutting an escape
// pair (GSM) or a surrogate pair (UCS-2).
size_t part_end(const std::string& payload, size_t begin, size_t limit, bool ucs2) {
  size_t end = std::min(payload.size(), begin + limit);
  if (end == payload.size()) return end;
  if (ucs2) {
    const auto high = static_cast<uint8_t>(payload[end - 2]);
    if (high >= 0xD8 && high <= 0xDB) end -= 2;
  } else if (static_cast<uint8_t>(payload[end - 1]) == kGsmEscape) {
    // An ESC at the end opens a pair only if it is itself not the second half of one.
    size_t run = 0;
    while (end - run > begin && static_cast<uint8_t>(payload[end - 1 - run]) == kGsmEscape) ++run;
    if (run % 2 == 1) --end;
  }
  return end;
}

}  // namespace

Result<MtParts> encode_mt(std::string_view text_utf8, uint8_t reference) {
  if (text_utf8.empty()) return Status::invalid_argument("empty MT text");
  const std::u32string text = utf8_to_code_points(text_utf8);
  MtParts parts;
  std::string payload;
  size_t single = kGsmSingle, per_part = kGsmPart;
  if (auto septets = gsm7_encode(text)) {
    payload = std::move(*septets);
    parts.data_coding = dcs::kSmscDefault;
  } else {
    payload = ucs2_encode(text);
    parts.data_coding = dcs::kUcs2;
    single = kUcs2Single;
    per_part = kUcs2Part;
  }
  if (payload.size() <= single) {
    parts.short_messages.push_back(std::move(payload));
    return parts;
  }
  std::vector<std::string_view> pieces;
  for (size_t begin = 0; begin < payload.size();) {
    const size_t end = part_end(payload, begin, per_part, parts.data_coding == dcs::kUcs2);
    pieces.push_back(std::string_view(payload).substr(begin, end - begin));
    begin = end;
    if (pieces.size() > kMaxParts) {
      return Status::invalid_argument(fmt::format("MT text needs more than {} parts", kMaxParts));
    }
  }
  parts.udhi = true;
  for (size_t i = 0; i < pieces.size(); ++i) {
    // UDHL 5, IEI 0x00 (concatenated, 8-bit reference), IEDL 3, reference, total, sequence.
    std::string sm = {0x05, 0x00, 0x03, static_cast<char>(reference), static_cast<char>(pieces.size()),
                      static_cast<char>(i + 1)};
    sm.append(pieces[i]);
    parts.short_messages.push_back(std::move(sm));
  }
  return parts;
}

}  // namespace pintar::smpp
