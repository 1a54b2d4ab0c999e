// The 66-bit token number a customer types: class transposition and the 20-digit decimal
// form (IEC 62055-41 clauses 6.1.2 and 6.3). Pure functions, thread-safe.
#ifndef PINTAR_VENDING_STS_TOKEN_NUMBER_H_
#define PINTAR_VENDING_STS_TOKEN_NUMBER_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace pintar::sts {

// A 66-bit value: bits 65..64 in high, bits 63..0 in low.
struct TokenNumber {
  uint64_t low = 0;
  uint8_t high = 0;  // 0..3

  friend bool operator==(const TokenNumber&, const TokenNumber&) = default;
};

inline constexpr size_t kTokenDigits = 20;
using TokenDigits = std::array<char, kTokenDigits>;

// After encryption the two class bits take the places of bits 28 and 27 of the 64-bit
// block, and the two bits they displace move to bits 65 and 64.
constexpr TokenNumber transpose_class(uint8_t token_class, uint64_t block) {
  constexpr uint64_t kClassBits = uint64_t{3} << 27;
  return {.low = (block & ~kClassBits) | uint64_t{token_class & 3u} << 27,
          .high = static_cast<uint8_t>(block >> 27 & 3)};
}

// The reverse, on the meter side.
struct Untransposed {
  uint8_t token_class;
  uint64_t block;
};
constexpr Untransposed untranspose_class(const TokenNumber& number) {
  constexpr uint64_t kClassBits = uint64_t{3} << 27;
  return {.token_class = static_cast<uint8_t>(number.low >> 27 & 3),
          .block = (number.low & ~kClassBits) | uint64_t{number.high & 3u} << 27};
}

// The value as a decimal number, zero-padded to 20 digits. No division of wide integers:
// the 66 bits are split at 10^10 with 64-bit arithmetic.
TokenDigits to_digits(const TokenNumber& number);
inline std::string to_string(const TokenNumber& number) {
  const TokenDigits digits = to_digits(number);
  return std::string(digits.data(), digits.size());
}

// "0123-4567-8901-2345-6789", the conventional display and receipt form.
std::string display_form(const TokenNumber& number);

// Parses 20 decimal digits. Spaces and dashes between digits are ignored (people copy
// the display form). Anything else, another digit count, or a value of 2^66 or more is
// InvalidArgument; the message never repeats the input.
Result<TokenNumber> parse_token_number(std::string_view text);

}  // namespace pintar::sts

#endif  // PINTAR_VENDING_STS_TOKEN_NUMBER_H_
