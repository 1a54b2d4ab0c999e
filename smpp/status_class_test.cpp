#include "smpp/status_class.h"

#include <catch2/catch.hpp>

namespace pintar::smpp {
namespace {

TEST_CASE("command_status classes follow the table") {
  CHECK(classify_status(0x00) == StatusClass::kOk);
  CHECK(classify_status(0x58) == StatusClass::kThrottle);  // ESME_RTHROTTLED
  CHECK(classify_status(0x14) == StatusClass::kThrottle);  // ESME_RMSGQFUL
  CHECK(classify_status(0x0E) == StatusClass::kBindFailure);
  CHECK(classify_status(0x0F) == StatusClass::kBindFailure);
  CHECK(classify_status(0x0B) == StatusClass::kPermanent);  // ESME_RINVDSTADR
  CHECK(classify_status(0x08) == StatusClass::kTemporary);  // ESME_RSYSERR
  CHECK(classify_status(0x400) == StatusClass::kTemporary);  // unknown vendor code: bounded retries
}

TEST_CASE("vendor table overrides the standard classes") {
  const std::map<uint32_t, StatusClass> vendor = {{0x400, StatusClass::kPermanent},
                                                  {0x401, StatusClass::kThrottle},
                                                  {0x08, StatusClass::kPermanent}};
  CHECK(classify_status(0x400, vendor) == StatusClass::kPermanent);
  CHECK(classify_status(0x401, vendor) == StatusClass::kThrottle);
  CHECK(classify_status(0x08, vendor) == StatusClass::kPermanent);
  CHECK(classify_status(0x402, vendor) == StatusClass::kTemporary);
}

TEST_CASE("status names and class spellings") {
  CHECK(status_name(0x58) == "ESME_RTHROTTLED");
  CHECK(status_name(0x400) == "vendor 0x00000400");
  CHECK(status_name(0x1234) == "0x00001234");
  CHECK(parse_status_class("throttle") == StatusClass::kThrottle);
  CHECK(parse_status_class("permanent") == StatusClass::kPermanent);
  CHECK(!parse_status_class("ok").has_value());
}

}  // namespace
}  // namespace pintar::smpp
