#include "smpp/message_id.h"

#include <catch2/catch.hpp>

namespace pintar::smpp {
namespace {

TEST_CASE("hex and decimal ids of one message normalise to the same text") {
  CHECK(normalise_message_id("0000001A", IdBase::kHex) == "26");
  CHECK(normalise_message_id("1a", IdBase::kHex) == "26");
  CHECK(normalise_message_id("00000026", IdBase::kDecimal) == "26");
  CHECK(normalise_message_id(" 26\0", IdBase::kDecimal) == "26");
  CHECK(normalise_message_id("00000000", IdBase::kHex) == "0");
}

TEST_CASE("opaque ids and non-numbers stay distinct") {
  CHECK(normalise_message_id(" Ab-12 ", IdBase::kOpaque) == "Ab-12");
  CHECK(normalise_message_id("XYZ", IdBase::kHex) == "xyz");
  CHECK(normalise_message_id("12A", IdBase::kDecimal) == "12a");
  CHECK(normalise_message_id("FFFFFFFFFFFFFFFFFF", IdBase::kHex) == "ffffffffffffffffff");
  CHECK(normalise_message_id("", IdBase::kHex).empty());
}

}  // namespace
}  // namespace pintar::smpp
