#include "gateway/gateway_config.h"

#include <catch2/catch.hpp>

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
  CHECK(options->queue_synchronous == "NORMAL");
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

}  // namespace
}  // namespace pintar::gateway
