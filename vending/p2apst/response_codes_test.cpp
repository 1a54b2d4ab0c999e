#include "vending/p2apst/response_codes.h"

#include <catch2/catch.hpp>

namespace pintar::p2apst {
namespace {

TEST_CASE("every response code the issue lists maps to its cause") {
  CHECK(lookup_response_code("0000").cause == Cause::kApproved);
  CHECK(lookup_response_code("0009").cause == Cause::kWrongSubscriber);
  CHECK(lookup_response_code("0011").cause == Cause::kSignOnFirst);
  CHECK(lookup_response_code("0011").retryable);
  CHECK(lookup_response_code("0013").cause == Cause::kInvalidAmount);
  CHECK(lookup_response_code("0014").cause == Cause::kUnknownSubscriber);
  CHECK(lookup_response_code("0015").cause == Cause::kMeterIdpelMismatch);
  CHECK(lookup_response_code("0016").cause == Cause::kSubscriberBlocked);
  CHECK(lookup_response_code("0077").cause == Cause::kSubscriberSuspended);
  CHECK(lookup_response_code("0030").cause == Cause::kBadMessage);
  CHECK(lookup_response_code("0041").cause == Cause::kBelowMinimum);
  CHECK(lookup_response_code("0042").cause == Cause::kAboveMaximum);
  CHECK(lookup_response_code("0046").cause == Cause::kDepositInsufficient);
  CHECK(lookup_response_code("0047").cause == Cause::kKwhOverLimit);
  CHECK(lookup_response_code("0063").cause == Cause::kNoSuchPurchase);
  CHECK(lookup_response_code("0096").cause == Cause::kNoSuchPurchase);
  CHECK(lookup_response_code("0068").cause == Cause::kPlnTimeout);
  CHECK(lookup_response_code("0090").cause == Cause::kCutOff);
  CHECK(lookup_response_code("0097").cause == Cause::kPartnerMismatch);
  CHECK(lookup_response_code("0098").cause == Cause::kReferenceMismatch);
  CHECK_FALSE(lookup_response_code("0014").retryable);
}

TEST_CASE("unknown codes get a generic text, never an empty one") {
  const ResponseCode& rc = lookup_response_code("7777");
  CHECK(rc.cause == Cause::kUnknownCode);
  CHECK(rc.code.empty());
  CHECK(!rc.text_id.empty());
  CHECK(!rc.text_en.empty());
  CHECK(cause_name(Cause::kCutOff) == "cut_off");
  CHECK(cause_name(Cause::kUnknownCode) == "unknown_code");
}

TEST_CASE("the cut-off text tells the customer when to come back") {
  CHECK(std::string(lookup_response_code("0090").text_id).find("00:30") != std::string::npos);
  CHECK(std::string(lookup_response_code("0090").text_en).find("00:30") != std::string::npos);
}

}  // namespace
}  // namespace pintar::p2apst
