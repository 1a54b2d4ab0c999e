#include "vending/engine/vending_config.h"

#include <catch2/catch.hpp>

namespace pintar::engine {
namespace {

Result<VendingOptions> from(std::string_view toml) {
  config::Schema schema;
  schema.add(config_keys());
  auto config = config::Config::parse(toml, "test.toml", schema);
  REQUIRE(config.ok());
  return options_from(*config);
}

constexpr std::string_view kKeys = "[vending]\nvending_key = \"file:/k\"\nkek = \"file:/kek\"\n";

TEST_CASE("vending defaults are the issue's") {
  auto o = from(kKeys);
  REQUIRE(o.ok());
  CHECK(o->denominations == std::vector<int64_t>{20'000, 50'000, 100'000, 200'000, 500'000, 1'000'000});
  CHECK(o->confirm_window == std::chrono::seconds(300));
  CHECK(o->same_text_window == std::chrono::seconds(120));
  CHECK(o->pin_attempts == 5);
  CHECK(o->pin_lock == std::chrono::minutes(30));
  CHECK(o->token_source == TokenSource::kLocal);
  CHECK(o->default_language == Language::kId);
  CHECK(o->replay_window == 64);
}

TEST_CASE("vending keys are checked") {
  CHECK_FALSE(from("[vending]\ntoken_source = \"local\"\n").ok());  // local needs the keys
  CHECK(from("[vending]\ntoken_source = \"p2apst\"\n").ok());
  auto unsorted = from(std::string(kKeys) + "denominations = [\"50000\", \"20000\"]\n");
  REQUIRE_FALSE(unsorted.ok());
  CHECK(unsorted.status().message().find("vending.denominations") != std::string::npos);
  CHECK_FALSE(from(std::string(kKeys) + "denominations = []\n").ok());
  CHECK_FALSE(from(std::string(kKeys) + "tariffs = { R1 = \"abc\" }\n").ok());
  CHECK_FALSE(from(std::string(kKeys) + "tariffs = { R1 = \"1444.701\" }\n").ok());
  auto tariffs = from(std::string(kKeys) + "tariffs = { R1 = \"1444.70\", R2 = \"1699.5\" }\ndenominations = [\"20rb\", \"1jt\"]\n");
  REQUIRE(tariffs.ok());
  CHECK(tariffs->tariff_centi_rupiah_per_kwh.at("R1") == 144470);
  CHECK(tariffs->tariff_centi_rupiah_per_kwh.at("R2") == 169950);
  CHECK(tariffs->denominations == std::vector<int64_t>{20'000, 1'000'000});
}

TEST_CASE("kWh quotes round down to 0.1 kWh") {
  // Rp47,500 at Rp1,444.70 per kWh = 32.879 kWh -> 32.8
  CHECK(quote_deci_kwh(47'500, 144470) == 328);
  CHECK(quote_deci_kwh(0, 144470) == 0);
  CHECK(quote_deci_kwh(100, 0) == 0);
}

TEST_CASE("quotes take the taxes on the power purchase out first, as P2APST splits a payment") {
  // Rp50,000 - Rp2,500 admin with PBJT 10%: 47,500 * 10000 / 11000 = Rp43,181 of power,
  // at Rp1,444.70 per kWh 29.889 -> 29.8 kWh (the P2APST simulator's own split, charges.js).
  CHECK(quote_power_purchase(50'000, 2'500, 1000) == 43'181);
  CHECK(quote_deci_kwh(quote_power_purchase(50'000, 2'500, 1000), 144470) == 298);
  CHECK(quote_power_purchase(50'000, 2'500, 0) == 47'500);
  CHECK(quote_power_purchase(2'000, 2'500, 1000) == 0);
  const std::map<std::string, int64_t> pbjt{{"default", 1000}, {"JKT", 240}};
  CHECK(rate_for(pbjt, "JKT") == 240);
  CHECK(rate_for(pbjt, "SBY") == 1000);
  CHECK(rate_for({}, "SBY") == 0);
}

TEST_CASE("tax rates are basis points 0..10000") {
  auto rates = from(std::string(kKeys) + "pbjt_bp = { default = \"1000\", JKT = \"240\" }\nppn_bp = { R3 = \"1100\" }\n");
  REQUIRE(rates.ok());
  CHECK(rates->pbjt_bp.at("JKT") == 240);
  CHECK(rates->ppn_bp.at("R3") == 1100);
  for (const char* bad : {"\"10%\"", "\"-1\"", "\"10001\"", "\"\""}) {
    INFO(bad);
    auto refused = from(std::string(kKeys) + "pbjt_bp = { default = " + bad + " }\n");
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.status().message(), Catch::Contains("vending.pbjt_bp.default"));
  }
}

}  // namespace
}  // namespace pintar::engine
