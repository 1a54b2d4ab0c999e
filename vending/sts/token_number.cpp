#include "vending/sts/token_number.h"

#include <fmt/format.h>

namespace pintar::sts {
namespace {

constexpr uint64_t kTenToTheTen = 10'000'000'000;
// 2^64 = kTwoTo64Quotient * 10^10 + kTwoTo64Remainder.
constexpr uint64_t kTwoTo64Quotient = 1'844'674'407;
constexpr uint64_t kTwoTo64Remainder = 3'709'551'616;

constexpr std::array<char, 200> make_pairs() {
  std::array<char, 200> pairs{};
  for (int i = 0; i < 100; ++i) {
    pairs[2 * i] = static_cast<char>('0' + i / 10);
    pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
  }
  return pairs;
}
constexpr std::array<char, 200> kDigitPairs = make_pairs();

// Writes value (< 10^10) as exactly 10 digits.
void write_ten_digits(uint64_t value, char* out) {
  for (int i = 8; i >= 0; i -= 2) {
    const uint64_t pair = value % 100;
    value /= 100;
    out[i] = kDigitPairs[2 * pair];
    out[i + 1] = kDigitPairs[2 * pair + 1];
  }
}

}  // namespace

TokenDigits to_digits(const TokenNumber& number) {
  const uint64_t high = number.high & 3u;
  uint64_t quotient = high * kTwoTo64Quotient + number.low / kTenToTheTen;
  uint64_t remainder = high * kTwoTo64Remainder + number.low % kTenToTheTen;
  quotient += remainder / kTenToTheTen;
  remainder %= kTenToTheTen;
  TokenDigits digits;
  write_ten_digits(quotient, digits.data());
  write_ten_digits(remainder, digits.data() + 10);
  return digits;
}

std::string display_form(const TokenNumber& number) {
  const TokenDigits d = to_digits(number);
  const std::string_view s(d.data(), d.size());
  return fmt::format("{}-{}-{}-{}-{}", s.substr(0, 4), s.substr(4, 4), s.substr(8, 4), s.substr(12, 4),
                     s.substr(16, 4));
}

Result<TokenNumber> parse_token_number(std::string_view text) {
  uint64_t halves[2] = {0, 0};
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '-') continue;
    if (c < '0' || c > '9') {
      return Status::invalid_argument(fmt::format("a token has only digits; character {} is not one", i + 1));
    }
    if (count < kTokenDigits) halves[count / 10] = halves[count / 10] * 10 + static_cast<uint64_t>(c - '0');
    ++count;
  }
  if (count != kTokenDigits) {
    return Status::invalid_argument(fmt::format("a token has 20 digits, not {}", count));
  }
  const unsigned __int128 value = static_cast<unsigned __int128>(halves[0]) * kTenToTheTen + halves[1];
  if (value >> 66 != 0) return Status::invalid_argument("the number is too large to be a token (2^66 or more)");
  return TokenNumber{.low = static_cast<uint64_t>(value), .high = static_cast<uint8_t>(value >> 64)};
}

}  // namespace pintar::sts
