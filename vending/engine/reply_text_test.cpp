#include "vending/engine/reply_text.h"

#include <cstdint>
#include <limits>
#include <string>

#include <catch2/catch.hpp>

namespace pintar::engine {
namespace {

TEST_CASE("rupiah are written with thousands dots") {
  CHECK(format_rupiah(0) == "Rp0");
  CHECK(format_rupiah(999) == "Rp999");
  CHECK(format_rupiah(1000) == "Rp1.000");
  CHECK(format_rupiah(50000) == "Rp50.000");
  CHECK(format_rupiah(1000000) == "Rp1.000.000");
  CHECK(format_rupiah(-1500) == "-Rp1.500");
  CHECK(format_thousands(1300) == "1.300");
  CHECK(format_thousands(std::numeric_limits<int64_t>::min()) == "-9.223.372.036.854.775.808");
}

TEST_CASE("energy in tenths of a kWh has one decimal") {
  CHECK(format_kwh(326) == "32.6");
  CHECK(format_kwh(5) == "0.5");
  CHECK(format_kwh(0) == "0.0");
  CHECK(format_kwh(12345) == "1234.5");
  CHECK(format_kwh(-5) == "-0.5");
}

TEST_CASE("a token is shown in five groups of four, anything else unchanged") {
  CHECK(format_token("12345678901234567890") == "1234-5678-9012-3456-7890");
  CHECK(format_token("1234567890123456789") == "1234567890123456789");
  CHECK(format_token("1234567890123456789x") == "1234567890123456789x");
}

TEST_CASE("gsm_safe keeps the one-septet ASCII and replaces the rest, one '?' per character") {
  CHECK(gsm_safe("BUDI SANTOSO @$_!") == "BUDI SANTOSO @$_!");
  CHECK(gsm_safe("A[B]{C}|~^\\`") == "A?B" + std::string(2, '?') + "C" + std::string(6, '?'));
  CHECK(gsm_safe("J\xC3\xBCrgen \xE2\x82\xAC") == "J?rgen ?");  // u-umlaut, euro sign
  CHECK(gsm_safe("a\tb\x01") == "a?b?");
  CHECK(gsm_safe("line\nnext") == "line\nnext");
}

}  // namespace
}  // namespace pintar::engine
