#include "bridge/curve.h"

#include <catch2/catch.hpp>

namespace pintar::bridge {
namespace {

TEST_CASE("Z85 keys: parsed, printed, derived, and a secret key in either form", "[curve]") {
  auto pair = generate_curve_keypair();
  REQUIRE(pair.ok());
  CHECK(pair->secret_key.size() == 32);
  const std::string text = z85(pair->public_key);
  CHECK(text.size() == 40);
  auto parsed = parse_z85_key(text);
  REQUIRE(parsed.ok());
  CHECK(*parsed == pair->public_key);
  auto derived = curve_public_key(pair->secret_key);
  REQUIRE(derived.ok());
  CHECK(*derived == pair->public_key);

  CHECK_THAT(parse_z85_key("short").status().message(), Catch::Contains("40 Z85 characters, not 5"));
  CHECK_THAT(parse_z85_key(std::string(40, '"')).status().message(), Catch::Contains("not Z85"));

  // As the credential store hands it over: raw octets, or Z85 text with a newline.
  auto from_raw = curve_secret_key(pair->secret_key);
  REQUIRE(from_raw.ok());
  CHECK(*from_raw == pair->secret_key);
  char secret_text[41];
  zmq_z85_encode(secret_text, pair->secret_key.bytes().data(), 32);
  const std::string line = std::string(secret_text) + "\n";
  auto from_text = curve_secret_key(Secret(std::vector<uint8_t>(line.begin(), line.end())));
  REQUIRE(from_text.ok());
  CHECK(*from_text == pair->secret_key);
  auto too_short = curve_secret_key(Secret(std::vector<uint8_t>(31, 1)));
  REQUIRE_FALSE(too_short.ok());
  CHECK_THAT(too_short.status().message(), Catch::Contains("not 31 octets"));
}

TEST_CASE("a secret key printed as Z85 reads back, and client keys must be one pair", "[curve][security]") {
  auto pair = generate_curve_keypair();
  auto server = generate_curve_keypair();
  REQUIRE((pair.ok() && server.ok()));
  const Secret text = z85_secret(pair->secret_key);
  CHECK(text.size() == kZ85KeyLength);
  auto back = curve_secret_key(text);
  REQUIRE(back.ok());
  CHECK(*back == pair->secret_key);

  CurveClientKeys keys{.public_key = z85(pair->public_key), .secret_key = text,
                       .server_public_key = z85(server->public_key)};
  CHECK(validate(keys).ok());
  keys.secret_key = pair->secret_key;  // the 32 octets work as well
  CHECK(validate(keys).ok());
  keys.public_key = z85(server->public_key);
  const Status mixed = validate(keys);
  CHECK(mixed.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(mixed.message(), Catch::Contains("does not belong"));
  keys.public_key = "short";
  CHECK_THAT(validate(keys).message(), Catch::Contains("curve public_key"));
}

}  // namespace
}  // namespace pintar::bridge
