#include "common/hex.h"

#include <fmt/format.h>

namespace pintar {
namespace {

int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string encode(std::span<const uint8_t> bytes, const char (&digits)[17]) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0F]);
  }
  return out;
}

}  // namespace

std::string hex_encode(std::span<const uint8_t> bytes) { return encode(bytes, "0123456789ABCDEF"); }
std::string hex_encode_lower(std::span<const uint8_t> bytes) { return encode(bytes, "0123456789abcdef"); }

Result<std::vector<uint8_t>> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) {
    return Status::invalid_argument(fmt::format("hex text has an odd length ({})", text.size()));
  }
  std::vector<uint8_t> out(text.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(text[2 * i]);
    const int lo = nibble(text[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::invalid_argument(fmt::format("not a hex digit at position {}", hi < 0 ? 2 * i + 1 : 2 * i + 2));
    }
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

}  // namespace pintar
