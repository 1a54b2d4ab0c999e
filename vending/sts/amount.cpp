#include "vending/sts/amount.h"

#include <array>

#include <fmt/format.h>

namespace pintar::sts {
namespace {

constexpr uint32_t kMantissaLimit = 1u << 14;  // 16384
constexpr std::array<uint32_t, 4> kPowerOfTen = {1, 10, 100, 1000};
// offset(e) = sum over n = 1..e of 2^14 * 10^(n-1).
constexpr std::array<uint32_t, 4> kOffset = {0, 16'384, 180'224, 1'818'624};

}  // namespace

Result<uint16_t> encode_amount(uint64_t units) {
  if (units > kMaxTransferAmount) {
    return Status::invalid_argument(
        fmt::format("{} exceeds the largest STS transfer amount {}", units, kMaxTransferAmount));
  }
  const auto value = static_cast<uint32_t>(units);
  for (uint32_t e = 0; e < 4; ++e) {
    const uint32_t top = kOffset[e] + (kMantissaLimit - 1) * kPowerOfTen[e];
    if (value > top) continue;
    const uint32_t above = value > kOffset[e] ? value - kOffset[e] : 0;
    const uint32_t mantissa = (above + kPowerOfTen[e] - 1) / kPowerOfTen[e];  // round up
    return static_cast<uint16_t>(e << 14 | mantissa);
  }
  return Status::internal("unreachable: amount range check");
}

uint32_t decode_amount(uint16_t field) {
  const uint32_t e = field >> 14;
  return (field & (kMantissaLimit - 1)) * kPowerOfTen[e] + kOffset[e];
}

}  // namespace pintar::sts
