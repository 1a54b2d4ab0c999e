#include "metrics/metrics_config.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>

namespace pintar::metrics {
namespace {

config::Schema schema() {
  config::Schema s;
  s.add(config_keys());
  return s;
}

TEST_CASE("metrics config: defaults are loopback and one port per daemon") {
  auto options = metrics_options(config::Config::defaults(schema()));
  REQUIRE(options.ok());
  CHECK(options->listen == "127.0.0.1");
  CHECK(options->port(Daemon::kGateway) == 9471);
  CHECK(options->port(Daemon::kVending) == 9472);
  CHECK(options->port(Daemon::kHelpdesk) == 9473);
  CHECK(options->port(Daemon::kFeed) == 9474);
}

TEST_CASE("metrics config: ports are read, 0 is allowed (off)") {
  auto config = config::Config::parse("[metrics]\nlisten = \"::1\"\ngateway_port = 0\nvending_port = 19472\n",
                                      "m.toml", schema());
  REQUIRE(config.ok());
  auto options = metrics_options(*config);
  REQUIRE(options.ok());
  CHECK(options->listen == "::1");
  CHECK(options->gateway_port == 0);
  CHECK(options->vending_port == 19472);
  CHECK(options->helpdesk_port == 9473);
}

TEST_CASE("metrics config: an address that is not loopback is refused with a clear error") {
  for (const char* address : {"0.0.0.0", "10.1.2.3", "::", "metrics.example"}) {
    auto config = config::Config::parse(fmt::format("[metrics]\nlisten = \"{}\"\n", address), "m.toml", schema());
    REQUIRE(config.ok());
    auto options = metrics_options(*config);
    REQUIRE_FALSE(options.ok());
    CHECK(options.status().code() == StatusCode::kInvalidArgument);
    CHECK(options.status().message().find("loopback") != std::string::npos);
  }
  auto local = config::Config::parse("[metrics]\nlisten = \"127.0.0.2\"\n", "m.toml", schema());
  REQUIRE(local.ok());
  CHECK(metrics_options(*local).ok());
}

TEST_CASE("metrics config: daemon names") {
  CHECK(daemon_from_name("vending").value() == Daemon::kVending);
  CHECK(daemon_name(Daemon::kHelpdesk) == "helpdesk");
  CHECK(daemon_from_name("store").status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pintar::metrics
