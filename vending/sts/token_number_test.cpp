#include "vending/sts/token_number.h"

#include <catch2/catch.hpp>

namespace pintar::sts {
namespace {

TEST_CASE("20-digit form: limits and round trip", "[sts][digits]") {
  CHECK(to_string({0, 0}) == "00000000000000000000");
  CHECK(to_string({~uint64_t{0}, 0}) == "18446744073709551615");  // 2^64 - 1
  CHECK(to_string({~uint64_t{0}, 3}) == "73786976294838206463");  // 2^66 - 1
  CHECK(to_string({0, 1}) == "18446744073709551616");
  for (const TokenNumber n : {TokenNumber{0, 0}, TokenNumber{1, 0}, TokenNumber{9'999'999'999, 0},
                              TokenNumber{10'000'000'000, 2}, TokenNumber{0x8000000000000000, 3},
                              TokenNumber{0x123456789ABCDEF0, 1}, TokenNumber{~uint64_t{0}, 3}}) {
    auto parsed = parse_token_number(to_string(n));
    REQUIRE(parsed.ok());
    CHECK(*parsed == n);
  }
}

TEST_CASE("display form groups by four", "[sts][digits]") {
  CHECK(display_form({0x1234, 0}) == "0000-0000-0000-0000-4660");
  auto parsed = parse_token_number("5104-3465-4434 2085 6213");
  REQUIRE(parsed.ok());
  CHECK(to_string(*parsed) == "51043465443420856213");
}

TEST_CASE("bad token text is refused with a clear message", "[sts][digits]") {
  CHECK(parse_token_number("").status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(parse_token_number("1234").status().message(), Catch::Contains("20 digits, not 4"));
  CHECK_THAT(parse_token_number("123456789012345678901").status().message(), Catch::Contains("not 21"));
  CHECK_THAT(parse_token_number("5104346544342085621x").status().message(), Catch::Contains("character 20"));
  CHECK_THAT(parse_token_number("73786976294838206464").status().message(), Catch::Contains("too large"));
  CHECK_THAT(parse_token_number("99999999999999999999").status().message(), Catch::Contains("too large"));
}

TEST_CASE("class transposition swaps bits 28/27 with 65/64", "[sts][transpose]") {
  const uint64_t block = uint64_t{1} << 28;  // bit 28 set, bit 27 clear
  const TokenNumber n = transpose_class(1, block);
  CHECK(n.high == 2);                   // old bit 28 -> bit 65
  CHECK(n.low == uint64_t{1} << 27);    // class bit 0 -> bit 27, class bit 1 (0) -> bit 28
  const Untransposed u = untranspose_class(n);
  CHECK(u.token_class == 1);
  CHECK(u.block == block);
}

}  // namespace
}  // namespace pintar::sts
