#include "meters/sts_reason.h"

#include <catch2/catch.hpp>

namespace pintar::meters {
namespace {

using sts::MeterResult;

sts::MeterDecoder sample_meter(std::string_view key_hex) {
  return sts::MeterDecoder::create({.key = sts::DecoderKey::from_hex(sts::EncryptionAlgorithm::kEa07, key_hex).value(),
                                    .tables = sts::StaTables::sample()})
      .value();
}

TEST_CASE("a real meter's verdicts map to the documented REJ reasons", "[meters][sts]") {
  // The EA07 sample-table vector token (vending/sts/sta_test.cpp) for key 0ABC12DEF3456789.
  constexpr std::string_view kToken = "51043465443420856213";
  sts::MeterDecoder meter = sample_meter("0ABC12DEF3456789");
  CHECK(reason_for(meter.enter(kToken).result) == std::nullopt);  // accepted: ACC
  CHECK(reason_for(meter.enter(kToken).result) == MeterReason::kUsed);
  CHECK(reason_for(meter.enter("1234").result) == MeterReason::kFormat);
  sts::MeterDecoder other = sample_meter("1111111111111111");
  CHECK(reason_for(other.enter(kToken).result) == MeterReason::kCrc);
}

TEST_CASE("every meter result has an answer", "[meters][sts]") {
  CHECK(reason_for(MeterResult::kKeyChangePending) == std::nullopt);
  CHECK(reason_for(MeterResult::kKeyChanged) == std::nullopt);
  CHECK(reason_for(MeterResult::kOldError) == MeterReason::kOld);
  CHECK(reason_for(MeterResult::kKeyExpiredError) == MeterReason::kKeyExpired);
  CHECK(reason_for(MeterResult::kFunctionError) == MeterReason::kFunction);
  CHECK(reason_for(MeterResult::kAuthenticationError) == MeterReason::kCrc);
  CHECK(meter_reason_name(*reason_for(MeterResult::kKeyExpiredError)) == "KEY-EXPIRED");
}

}  // namespace
}  // namespace pintar::meters
