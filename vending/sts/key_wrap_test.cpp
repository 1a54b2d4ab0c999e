#include "vending/sts/key_wrap.h"

#include <catch2/catch.hpp>

#include "common/hex.h"

namespace pintar::sts {
namespace {

TEST_CASE("vending keys wrap and unwrap under the KEK", "[sts][keywrap]") {
  const Secret kek = Secret::load("hex:000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F").value();
  const std::vector<uint8_t> vk = hex_decode("ABABABABABABABAB949494949494949401234567").value();
  const auto wrapped = wrap_key(kek, vk, "sts-vk sgc=123457 krn=1");
  REQUIRE(wrapped.ok());
  CHECK(wrapped->size() == 1 + 12 + vk.size() + 16);
  // The key does not appear in the wrapped form, and two wraps differ (random nonce).
  CHECK(std::search(wrapped->begin(), wrapped->end(), vk.begin(), vk.begin() + 8) == wrapped->end());
  CHECK(*wrapped != wrap_key(kek, vk, "sts-vk sgc=123457 krn=1").value());

  const auto unwrapped = unwrap_key(kek, *wrapped, "sts-vk sgc=123457 krn=1");
  REQUIRE(unwrapped.ok());
  CHECK(std::vector<uint8_t>(unwrapped->bytes().begin(), unwrapped->bytes().end()) == vk);

  SECTION("another record's context fails") {
    CHECK(unwrap_key(kek, *wrapped, "sts-vk sgc=123457 krn=2").status().code() == StatusCode::kCorruption);
  }
  SECTION("a flipped bit anywhere fails") {
    for (size_t i = 0; i < wrapped->size(); ++i) {
      std::vector<uint8_t> altered = *wrapped;
      altered[i] ^= 0x01;
      CHECK_FALSE(unwrap_key(kek, altered, "sts-vk sgc=123457 krn=1").ok());
    }
  }
  SECTION("the wrong KEK fails") {
    const Secret other = Secret::load("hex:FF0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F").value();
    CHECK_FALSE(unwrap_key(other, *wrapped, "sts-vk sgc=123457 krn=1").ok());
  }
  SECTION("truncated input and short KEKs are refused") {
    CHECK_FALSE(unwrap_key(kek, std::span(*wrapped).first(20), "sts-vk sgc=123457 krn=1").ok());
    const Secret short_kek = Secret::load("hex:0001").value();
    CHECK(wrap_key(short_kek, vk, "x").status().code() == StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace pintar::sts
