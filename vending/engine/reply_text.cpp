#include "vending/engine/reply_text.h"

#include <fmt/format.h>

namespace pintar::engine {

std::string format_thousands(int64_t value) {
  // Unsigned so that INT64_MIN has a magnitude.
  const bool negative = value < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::string digits = fmt::format("{}", magnitude);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

std::string format_rupiah(int64_t rupiah) {
  if (rupiah < 0) return "-Rp" + format_thousands(rupiah).substr(1);
  return "Rp" + format_thousands(rupiah);
}

std::string format_kwh(int64_t kwh_tenths) {
  const bool negative = kwh_tenths < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(kwh_tenths) : static_cast<uint64_t>(kwh_tenths);
  return fmt::format("{}{}.{}", negative ? "-" : "", magnitude / 10, magnitude % 10);
}

std::string format_token(std::string_view digits) {
  if (digits.size() != 20 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::string(digits);
  }
  return fmt::format("{}-{}-{}-{}-{}", digits.substr(0, 4), digits.substr(4, 4), digits.substr(8, 4),
                     digits.substr(12, 4), digits.substr(16, 4));
}

bool is_gsm_basic_ascii(char c) {
  if (c == '\n' || c == '\r') return true;
  if (c < 0x20 || c > 0x7E) return false;
  switch (c) {
    case '`': case '[': case '\\': case ']': case '^': case '{': case '|': case '}': case '~':
      return false;
    default:
      return true;
  }
}

std::string gsm_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 && byte < 0xC0) continue;  // a UTF-8 continuation: its lead byte gave the '?'
    out += is_gsm_basic_ascii(c) ? c : '?';
  }
  return out;
}

}  // namespace pintar::engine
