#include "vending/sts/amount.h"

#include <catch2/catch.hpp>

namespace pintar::sts {
namespace {

TEST_CASE("TransferAmount known answers", "[sts][amount]") {
  // IEC 62055-41 clause 6.3.6 encoding; values confirmed by the STS 531-1-0-02 conformance
  // tokens (CTSA12/13, as transcribed in NectarAPI/tokens-service tests).
  const std::pair<uint64_t, uint16_t> cases[] = {
      {1, 0x0001},     {10, 0x000A},     {256, 0x0100},      {16383, 0x3FFF},       {16384, 0x4000},
      {180224, 0x8000}, {18201624, 0xFFFF}, {20000, 0x416A},   {163830, 0x7999},      {163840, 0x799A},
      {180223, 0x8000}, {1818623, 0xC000}, {1818624, 0xC000},  {18201620, 0xFFFF},   {0, 0x0000},
  };
  for (const auto& [units, field] : cases) {
    INFO(units);
    CHECK(encode_amount(units).value() == field);
  }
}

TEST_CASE("amounts round up, never down", "[sts][amount]") {
  for (uint64_t units = 0; units <= 18'201'624; units += 997) {
    const uint16_t field = encode_amount(units).value();
    const uint32_t given = decode_amount(field);
    INFO(units);
    CHECK(given >= units);
    // ... and by less than one step of the chosen exponent (or the gap to the next one).
    CHECK(given - units < 1000 + 10);
    if (field > 0) CHECK(decode_amount(static_cast<uint16_t>(field - 1)) < units);  // the smallest that holds it
  }
  CHECK(decode_amount(0xFFFF) == kMaxTransferAmount);
  CHECK_FALSE(encode_amount(kMaxTransferAmount + 1).ok());
}

}  // namespace
}  // namespace pintar::sts
