#include "vending/sts/misty1.h"

#include <catch2/catch.hpp>

#include "common/hex.h"

namespace pintar::sts {
namespace {

Misty1 cipher_for(std::string_view key_hex) {
  const std::vector<uint8_t> key = hex_decode(key_hex).value();
  return Misty1(std::span<const uint8_t, 16>(key.data(), 16));
}

TEST_CASE("MISTY1 RFC 2994 test data", "[sts][misty1]") {
  // RFC 2994 section 4 (test data): key, expanded key and two blocks.
  const Misty1 misty = cipher_for("00112233445566778899aabbccddeeff");
  const std::array<uint16_t, 8> expanded = {0xcf51, 0x8e7f, 0x5e29, 0x673a, 0xcdbc, 0x07d6, 0xbf35, 0x5e11};
  CHECK(misty.expanded_key() == expanded);
  CHECK(misty.encrypt(0x0123456789abcdef) == 0x8b1da5f56ab3d07c);
  CHECK(misty.encrypt(0xfedcba9876543210) == 0x04b68240b13be95d);
  CHECK(misty.decrypt(0x8b1da5f56ab3d07c) == 0x0123456789abcdef);
  CHECK(misty.decrypt(0x04b68240b13be95d) == 0xfedcba9876543210);
}

TEST_CASE("MISTY1 ISO/IEC 18033-3 vectors", "[sts][misty1]") {
  // ISO/IEC 18033-3 MISTY1 examples as quoted in public test suites.
  CHECK(cipher_for("414afd99bb577ee69df58cc8fb4e6888").encrypt(0x9fc302e281310e90) == 0x15c270974b9b9163);
  CHECK(cipher_for("3c54aed9a5389c947167db9d97c6967a").encrypt(0x032c4a4a100ee807) == 0x3346cb8c779cf2de);
}

TEST_CASE("MISTY1 decrypt inverts encrypt", "[sts][misty1]") {
  const Misty1 misty = cipher_for("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
  uint64_t x = 0x0123456789ABCDEF;
  for (int i = 0; i < 500; ++i) {
    x = x * 6364136223846793005 + 1442695040888963407;
    CHECK(misty.decrypt(misty.encrypt(x)) == x);
  }
}

}  // namespace
}  // namespace pintar::sts
