#include "vending/p2apst/p2apst_config.h"

#include <catch2/catch.hpp>

namespace pintar::p2apst {
namespace {

using namespace std::chrono;

Result<Options> options_for(std::string_view toml) {
  config::Schema schema;
  schema.add(config::common_keys());
  schema.add(config_keys());
  auto config = config::Config::parse(toml, "test.toml", schema);
  REQUIRE(config.ok());
  return options_from(*config);
}

TEST_CASE("defaults: bin2, 40 s timeout, cut-off 23:30-00:30 WIB, 3 repeat advices 35 s apart") {
  auto o = options_for("");
  REQUIRE(o.ok());
  CHECK(o->link.framing.header == LengthHeader::kBin2);
  CHECK_FALSE(o->link.framing.etx);
  CHECK(o->link.request_timeout == 40s);
  CHECK(o->cut_off.start_minute == 23 * 60 + 30);
  CHECK(o->cut_off.end_minute == 30);
  CHECK(o->cut_off.utc_offset_minutes == 420);
  CHECK(o->advice.repeat_count == 3);
  CHECK(o->advice.repeat_interval == 35s);
  CHECK(o->stan_file == "/var/lib/pintar/p2apst.stan");
}

TEST_CASE("bad values are reported with their key") {
  CHECK(options_for("[p2apst]\ncutoff_start = \"24:00\"\n").status().message().find("cutoff_start") != std::string::npos);
  CHECK(options_for("[p2apst]\nbank_code = \"45A\"\n").status().message().find("bank_code") != std::string::npos);
  CHECK(options_for("[p2apst]\nswitcher_id = \"TOOLONG01\"\n").status().message().find("switcher_id") != std::string::npos);
  CHECK(options_for("[p2apst]\nreconnect_min_ms = 500\nreconnect_max_ms = 100\n").status().message().find("reconnect") !=
        std::string::npos);
}

TEST_CASE("bit 12 is local time; the cut-off window wraps midnight") {
  const auto utc_1645 = sys_days{November / 25 / 2026} + 16h + 45min;  // 23:45 WIB
  CHECK(local_date_time(utc_1645, 420) == "20261125234500");
  CHECK(local_date_time(utc_1645 + 30min, 420) == "20261126001500");
  const CutOff wib{23 * 60 + 30, 30, 420};
  CHECK(in_cut_off(wib, utc_1645));
  CHECK(in_cut_off(wib, utc_1645 + 30min));   // 00:15
  CHECK_FALSE(in_cut_off(wib, utc_1645 + 45min));  // 00:30: open again
  CHECK_FALSE(in_cut_off(wib, utc_1645 - 16min));  // 23:29
  CHECK_FALSE(in_cut_off({0, 0, 420}, utc_1645));  // empty window: off
  CHECK(in_cut_off({22 * 60, 23 * 60, 0}, sys_days{January / 1 / 2026} + 22h + 10min));
}

}  // namespace
}  // namespace pintar::p2apst
