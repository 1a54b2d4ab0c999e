#include "store/pin.h"

#include <catch2/catch.hpp>

#include "common/hex.h"

namespace pintar::store {
namespace {

PinHasher hasher_with(uint8_t fill) { return PinHasher::create(Secret(std::vector<uint8_t>(32, fill))).value(); }

TEST_CASE("a PIN hash is HMAC-SHA-256 over the length-prefixed fields", "[store][pin]") {
  const PinHasher pins = hasher_with(0x0b);
  auto hash = pins.hash("6281234567890", "14012345678", "123456");
  REQUIRE(hash.ok());
  // The same bytes through OpenSSL's one-shot HMAC, built by hand from the documented layout.
  const std::string message = std::string("\0\0\0\x0dpintar.pin.v1", 17) + std::string("\0\0\0\x0d" "6281234567890", 17) +
                              std::string("\0\0\0\x0b" "14012345678", 15) + std::string("\0\0\0\x06" "123456", 10);
  CHECK(*hash == crypto::hmac_sha256(std::vector<uint8_t>(32, 0x0b), crypto::as_bytes(message)));
}

TEST_CASE("PIN hashes depend on key, phone, meter and PIN", "[store][pin]") {
  const PinHasher pins = hasher_with(1);
  const auto base = *pins.hash("6281234567890", "14012345678", "123456");
  CHECK(pins.matches("6281234567890", "14012345678", "123456", base));
  CHECK_FALSE(pins.matches("6281234567890", "14012345678", "123457", base));
  CHECK_FALSE(pins.matches("6281234567891", "14012345678", "123456", base));
  CHECK_FALSE(pins.matches("6281234567890", "14012345679", "123456", base));
  CHECK_FALSE(hasher_with(2).matches("6281234567890", "14012345678", "123456", base));
}

TEST_CASE("malformed PINs and short keys are refused without echoing them", "[store][pin]") {
  const PinHasher pins = hasher_with(1);
  for (std::string_view pin : {"12345", "1234567", "12345a", "", "１２３４５６"}) {
    auto hash = pins.hash("6281234567890", "14012345678", pin);
    CHECK(hash.status().code() == StatusCode::kInvalidArgument);
    if (!pin.empty()) CHECK(hash.status().message().find(pin) == std::string::npos);
    CHECK_FALSE(pins.matches("6281234567890", "14012345678", pin, crypto::Sha256Digest{}));
  }
  CHECK(PinHasher::create(Secret(std::vector<uint8_t>(31, 1))).status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pintar::store
