#include "gateway/gateway_config.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "bridge/curve.h"
#include "common/hex.h"

namespace pintar::gateway {
namespace {

config::Schema schema() {
  config::Schema s;
  s.add(config::common_keys());
  s.add(config_keys());
  return s;
}

Result<GatewayOptions> parse(std::string_view toml) {
  static const config::Schema kSchema = schema();
  auto config = config::Config::parse(toml, "test.toml", kSchema);
  if (!config.ok()) return config.status();
  return options_from(*config);
}

TEST_CASE("[[smsc]] entries become BindOptions", "[gateway_config]") {
  auto options = parse(R"(
state_dir = "/var/lib/pintar"
[gateway]
zmq_endpoint = "ipc:///run/pintar/gateway.sock"
queue_synchronous = "NORMAL"
engine_retry_ms = 500

[[smsc]]
name = "telkomsel"
host = "10.1.2.3"
port = 2776
system_id = "pintar"
password_secret = "hex:736563726574"
mode = "transmitter_receiver"
binds = 2
window = 50
tps = 30
id_format_resp = "hex"
id_format_receipt = "decimal"
vendor_status = { "0x400" = "throttle", "1025" = "permanent" }

[[smsc]]
name = "xl"
host = "10.9.9.9"
system_id = "pintar2"
)");
  REQUIRE(options.ok());
  CHECK(options->queue_path == "/var/lib/pintar/gateway-queue.db");
  CHECK(options->queue_synchronous == sqlite::Synchronous::kNormal);
  CHECK(options->engine.endpoint == "ipc:///run/pintar/gateway.sock");
  CHECK(options->engine.retry == std::chrono::milliseconds(500));
  REQUIRE(options->smscs.size() == 2);
  const auto& t = options->smscs[0];
  CHECK(t.name == "telkomsel");
  CHECK(t.port == 2776);
  CHECK(t.password.size() == 6);
  CHECK(t.mode == smpp::BindMode::kTransmitterReceiver);
  CHECK(t.binds == 2);
  CHECK(t.window == 50);
  CHECK(t.tps == 30);
  CHECK(t.id_format.submit_resp == smpp::IdBase::kHex);
  CHECK(t.id_format.receipt == smpp::IdBase::kDecimal);
  CHECK(t.vendor_status.at(0x400) == smpp::StatusClass::kThrottle);
  CHECK(t.vendor_status.at(0x401) == smpp::StatusClass::kPermanent);
  CHECK(options->smscs[1].window == 10);
  CHECK(options->smscs[1].password.empty());
}

TEST_CASE("bad [[smsc]] entries are refused with the key named", "[gateway_config]") {
  const std::pair<std::string, std::string> cases[] = {
      {"", "no [[smsc]]"},
      {"[[smsc]]\nname=\"a\"\nhost=\"h\"\nsystem_id=\"s\"\n[[smsc]]\nname=\"a\"\nhost=\"h\"\nsystem_id=\"s\"\n",
       "used twice"},
      {"[[smsc]]\nname=\"a\"\nhost=\"h\"\nsystem_id=\"s\"\nvendor_status={\"0x400\"=\"later\"}\n", "vendor_status"},
      {"[[smsc]]\nname=\"a\"\nhost=\"h\"\nsystem_id=\"s\"\nvendor_status={\"banana\"=\"throttle\"}\n", "banana"},
      {"[[smsc]]\nname=\"a\"\nhost=\"h\"\nsystem_id=\"s\"\npassword_secret=\"env:PINTAR_NO_SUCH_VARIABLE\"\n",
       "password_secret"},
      {"[[smsc]]\nname=\"a\"\nhost=\"h\"\nsystem_id=\"waytoolongsystemid\"\n", "system_id"},
      {"[[smsc]]\nname=\"a\"\nhost=\"h\"\n", "system_id"},
  };
  for (const auto& [toml, expected] : cases) {
    INFO(toml);
    auto options = parse(toml);
    REQUIRE_FALSE(options.ok());
    CHECK_THAT(options.status().message(), Catch::Contains(expected));
  }
}

TEST_CASE("the engine link: ipc:// by default, tcp:// only with CURVE and pinned engine keys", "[gateway_config]") {
  const std::string smsc = "[[smsc]]\nname=\"a\"\nhost=\"h\"\nsystem_id=\"s\"\n";
  auto defaults = parse(smsc);
  REQUIRE(defaults.ok());
  CHECK(defaults->engine.endpoint.starts_with("ipc://"));
  CHECK_FALSE(defaults->engine.curve_secret_key);
  CHECK(defaults->engine.max_message_bytes == 65536);

  auto gateway_keys = bridge::generate_curve_keypair();
  auto engine_keys = bridge::generate_curve_keypair();
  REQUIRE(gateway_keys.ok());
  REQUIRE(engine_keys.ok());
  const std::string secret_hex = hex_encode(gateway_keys->secret_key.bytes());
  const std::string engine_key = bridge::z85(engine_keys->public_key);

  auto curve = parse(fmt::format(
      "[gateway]\nzmq_endpoint=\"tcp://10.0.0.5:5570\"\nzmq_curve_secret=\"hex:{}\"\nzmq_engine_keys=[\"{}\"]\n"
      "zmq_max_message_bytes=4096\n{}",
      secret_hex, engine_key, smsc));
  REQUIRE(curve.ok());
  REQUIRE(curve->engine.curve_secret_key);
  CHECK(curve->engine.curve_secret_key->size() == 32);
  CHECK(curve->engine.engine_keys == std::vector<std::string>{engine_key});
  CHECK(curve->engine.max_message_bytes == 4096);

  const std::vector<std::pair<std::string, std::string>> refused{
      {"[gateway]\nzmq_endpoint=\"tcp://127.0.0.1:5570\"\n", "tcp:// is open"},
      {"[gateway]\nzmq_endpoint=\"inproc://x\"\n", "neither ipc:// nor tcp://"},
      {fmt::format("[gateway]\nzmq_endpoint=\"tcp://127.0.0.1:1\"\nzmq_curve_secret=\"hex:{}\"\n", secret_hex),
       "no engine key"},
      {fmt::format("[gateway]\nzmq_curve_secret=\"hex:{}\"\nzmq_engine_keys=[\"short\"]\n", secret_hex),
       "zmq_engine_keys[0]"},
      {"[gateway]\nzmq_curve_secret=\"hex:0011\"\nzmq_engine_keys=[]\n", "zmq_curve_secret"},
  };
  for (const auto& [toml, expected] : refused) {
    INFO(toml);
    auto options = parse(toml + smsc);
    REQUIRE_FALSE(options.ok());
    CHECK_THAT(options.status().message(), Catch::Contains(expected));
    // A key's value never appears in the error.
    CHECK_THAT(options.status().message(), !Catch::Contains(secret_hex));
  }
}

}  // namespace
}  // namespace pintar::gateway
