// `pintar helpdesk keys|registry|find` as the helpdesk's operations staff run them, on a real
// ledger file, with the sqlite3 shell reading what was stored behind pintar.
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/cli_scratch.h"

namespace pintar::testing {
namespace {

// The CLI scratch deployment, and the sqlite3 shell reading what pintar stored.
struct Scratch : CliScratch {
  Scratch() : CliScratch("helpdesk-cli") {}
  std::string sql(const std::string& query) const {
    auto r = run({"sqlite3", db, query});
    INFO(r.err);
    REQUIRE(r.exit_status == 0);
    return r.out;
  }
};

// The fields of `registry connect` / `registry migrate` for meter `meter` with modem `modem`
// and first phone `phone`, for the customer 511288007004.
std::vector<std::string> connection(const std::string& meter, const std::string& modem, const std::string& phone) {
  return {"--idpel", "511288007004", "--name", "SANTOSO", "--tariff", "R1", "--power-va", "900", "--region", "JKT",
          "--meter-no", meter, "--sgc", "600675", "--ti", "01", "--krn", "1", "--kt", "2", "--ea", "07", "--dkga",
          "02", "--base-date", "1993", "--kdpm", "ABC", "--modem-msisdn", modem, "--modem-key-id", "modem-1",
          "--msisdn", phone, "--language", "id"};
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST_CASE("registry migrate: a two-way meter replaces a one-way meter, once, audited", "[cli][helpdesk]") {
  Scratch s;
  const std::vector<std::string> migrate{"helpdesk", "registry", "migrate"};
  auto done = s.pintar(migrate + connection("01428800700", "6281100000001", "6281234567890") +
                       std::vector<std::string>{"--one-way-meter", "32100000001", "--reason", "migrated at the door",
                                                "--format", "json"});
  INFO(done.err);
  REQUIRE(done.exit_status == 0);
  const nlohmann::json answer = nlohmann::json::parse(done.out);
  CHECK(answer["meter"] == "01428800700");
  CHECK(answer["migrated_from"] == "32100000001");
  CHECK(answer.contains("pin_sms"));

  // One new meter, one migration row, one audit row naming both meters, one PIN SMS waiting
  // for the engine; the PIN only as its hash.
  CHECK(s.sql("SELECT count(*) FROM meters") == "1\n");
  CHECK(s.sql("SELECT one_way_meter_no || ' ' || meter_no FROM meter_migrations") == "32100000001 01428800700\n");
  CHECK(s.sql("SELECT count(*) FROM audit WHERE action = 'registry.two_way_migration' AND actor LIKE 'helpdesk:cli:%' "
              "AND detail LIKE '%32100000001%'") == "1\n");
  CHECK(s.sql("SELECT count(*) FROM messages WHERE msisdn = '6281234567890' AND delivery_state = 'requested'") ==
        "1\n");
  CHECK(s.sql("SELECT length(pin_hash) FROM subscriptions") == "32\n");

  // The helpdesk finds the new meter by the one-way number a customer reads off an old bill.
  auto records = s.pintar({"helpdesk", "find", "records", "--format", "json", "32100000001"});
  INFO(records.err);
  REQUIRE(records.exit_status == 0);
  const nlohmann::json found = nlohmann::json::parse(records.out);
  REQUIRE(found.size() == 1);
  CHECK(found[0]["meter"]["meter_no"] == "01428800700");
  CHECK(found[0]["meter"]["migrated_from"] == "32100000001");

  // A second migration, of meter 01428800701, replacing `one_way`.
  auto second = [&](const std::string& one_way, std::vector<std::string> rest) {
    rest.insert(rest.begin(), {"--one-way-meter", one_way});
    return s.pintar(migrate + connection("01428800701", "6281100000002", "6281234567891") + rest);
  };
  SECTION("the same one-way meter cannot be migrated twice: refused, nothing written") {
    auto again = second("32100000001", {"--reason", "second try"});
    CHECK(again.exit_status == 65);
    CHECK_THAT(again.err, Catch::Contains("32100000001"));
    CHECK(s.sql("SELECT count(*) FROM meters") == "1\n");
    CHECK(s.sql("SELECT count(*) FROM audit WHERE action = 'registry.two_way_migration'") == "1\n");
  }
  SECTION("a meter registered here is two-way already: refused, nothing written") {
    CHECK(second("01428800700", {"--reason", "wrong meter"}).exit_status == 65);
    CHECK(s.sql("SELECT count(*) FROM meters") == "1\n");
    CHECK(s.sql("SELECT count(*) FROM meter_migrations") == "1\n");
  }
  SECTION("bad input is named: a one-way number that is not 11 digits, a missing reason") {
    auto bad = second("3210", {"--reason", "short number"});
    CHECK(bad.exit_status == 65);
    CHECK_THAT(bad.err, Catch::Contains("one-way"));
    CHECK(second("32100000002", {}).exit_status == 64);
    CHECK(s.sql("SELECT count(*) FROM meters") == "1\n");
  }
}

TEST_CASE("registry connect, then keys add, list and revoke: secrets shown once, kept hashed", "[cli][helpdesk]") {
  Scratch s;
  auto connected = s.pintar(std::vector<std::string>{"helpdesk", "registry", "connect"} +
                            connection("01428800700", "6281100000001", "6281234567890") +
                            std::vector<std::string>{"--reason", "new house"});
  INFO(connected.err);
  REQUIRE(connected.exit_status == 0);
  CHECK_THAT(connected.out, Catch::Contains("meter: 01428800700") && Catch::Contains("pin_sms: "));
  CHECK(s.sql("SELECT count(*) FROM audit WHERE action = 'registry.new_connection'") == "1\n");
  // A second connection of the same meter is a clash.
  CHECK(s.pintar(std::vector<std::string>{"helpdesk", "registry", "connect"} +
                 connection("01428800700", "6281100000001", "6281234567899") +
                 std::vector<std::string>{"--reason", "twice"})
            .exit_status == 65);

  auto added = s.pintar({"helpdesk", "keys", "add", "desk-1", "--role", "viewer"});
  INFO(added.err);
  REQUIRE(added.exit_status == 0);
  const std::string key = added.out.substr(0, added.out.find('\n'));
  REQUIRE(key.size() >= 32);
  auto listed = s.pintar({"helpdesk", "keys", "list", "--format", "json"});
  REQUIRE(listed.exit_status == 0);
  CHECK_THAT(listed.out, !Catch::Contains(key));
  const nlohmann::json keys = nlohmann::json::parse(listed.out);
  REQUIRE(keys.size() == 1);
  CHECK(keys[0]["name"] == "desk-1");
  CHECK(keys[0]["role"] == "viewer");
  CHECK(keys[0]["revoked_ms"].is_null());
  CHECK(s.sql("SELECT count(*) FROM helpdesk_keys WHERE instr(CAST(secret_hash AS TEXT), '" + key + "') > 0") == "0\n");
  CHECK(s.pintar({"helpdesk", "keys", "add", "desk-1", "--role", "viewer"}).exit_status == 65);  // names are unique
  CHECK(s.pintar({"helpdesk", "keys", "add", "desk-2", "--role", "root"}).exit_status == 64);

  REQUIRE(s.pintar({"helpdesk", "keys", "revoke", "desk-1"}).exit_status == 0);
  const nlohmann::json revoked = nlohmann::json::parse(s.pintar({"helpdesk", "keys", "list", "--format", "json"}).out);
  REQUIRE(revoked.size() == 1);
  CHECK(revoked[0]["revoked_ms"].is_number());
  CHECK(s.sql("SELECT group_concat(action, ' ') FROM (SELECT action FROM audit WHERE action LIKE 'helpdesk.key%' "
              "ORDER BY seq)") == "helpdesk.key_add helpdesk.key_revoke\n");
}

}  // namespace
}  // namespace pintar::testing
