#include "vending/p2apst/framing.h"

#include <catch2/catch.hpp>

namespace pintar::p2apst {
namespace {

TEST_CASE("bin2 framing: 2-byte big-endian length excluding the header") {
  const std::string body(300, 'x');
  auto framed = frame(body, {});
  REQUIRE(framed.ok());
  CHECK(framed->size() == 302);
  CHECK(static_cast<unsigned char>((*framed)[0]) == 0x01);
  CHECK(static_cast<unsigned char>((*framed)[1]) == 0x2C);
  FrameReader reader({});
  reader.append(*framed);
  auto got = reader.next();
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK(**got == body);
}

TEST_CASE("ascii4 framing with ETX counts the ETX in the length") {
  FramingOptions options{.header = LengthHeader::kAscii4, .etx = true};
  auto framed = frame("2800ABC", options);
  REQUIRE(framed.ok());
  CHECK(*framed == std::string("00082800ABC\x03"));
  FrameReader reader(options);
  reader.append(*framed);
  auto got = reader.next();
  REQUIRE(got.ok());
  CHECK(got->value() == "2800ABC");
}

TEST_CASE("the reader waits for a whole frame and splits back-to-back frames") {
  const std::string stream = *frame("first", {}) + *frame("second", {});
  FrameReader reader({});
  for (char c : stream.substr(0, 4)) {
    reader.append(std::string_view(&c, 1));
  }
  auto partial = reader.next();
  REQUIRE(partial.ok());
  CHECK(!partial->has_value());
  reader.append(stream.substr(4));
  CHECK(reader.next()->value() == "first");
  CHECK(reader.next()->value() == "second");
  CHECK(!reader.next()->has_value());
}

TEST_CASE("the announced length is checked before any body is awaited") {
  FrameReader reader({.max_frame = 100});
  reader.append(std::string("\x00\x65", 2));  // 101
  CHECK(reader.next().status().message().find("exceeds") != std::string::npos);
  CHECK(!frame(std::string(101, 'x'), {.max_frame = 100}).ok());
  CHECK(!frame(std::string(10000, 'x'), {.header = LengthHeader::kAscii4, .max_frame = 20000}).ok());
}

TEST_CASE("malformed headers and missing ETX are errors") {
  FrameReader ascii({.header = LengthHeader::kAscii4});
  ascii.append("00a1x");
  CHECK(!ascii.next().ok());
  FrameReader etx({.etx = true});
  etx.append(std::string("\x00\x02" "ab", 4));
  CHECK(etx.next().status().message().find("ETX") != std::string::npos);
  FrameReader empty({.etx = true});
  empty.append(std::string("\x00\x00", 2));
  CHECK(!empty.next().ok());
  CHECK(parse_length_header("ascii4").value() == LengthHeader::kAscii4);
  CHECK(!parse_length_header("bin4").ok());
}

}  // namespace
}  // namespace pintar::p2apst
