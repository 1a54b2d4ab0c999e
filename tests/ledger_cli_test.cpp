// `pintar customers import|show` and `pintar ledger verify|migrate` as an operator runs them,
// on real files, with the sqlite3 shell playing the one who edits the file behind pintar.
#include <cstdlib>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/cli_scratch.h"
#include "tests/support/process.h"

namespace pintar::testing {
namespace {

// The import file of cli_scratch.h.
const std::string kHeader = kImportHeader;
const std::string kGoodLines = kImportLines;

struct Scratch : CliScratch {
  Scratch() : CliScratch("ledger-cli") {}
};

std::string ledger_tool() {
  const char* path = std::getenv("LEDGER_TOOL");
  REQUIRE(path != nullptr);
  return path;
}

TEST_CASE("customers import, then show by meter, IDPEL and MSISDN", "[cli][ledger]") {
  Scratch s;
  auto imported = s.pintar({"customers", "import", s.file("good.csv", std::string(kHeader) + kGoodLines)});
  INFO(imported.err);
  REQUIRE(imported.exit_status == 0);
  CHECK_THAT(imported.out, Catch::Contains("imported 3 records"));

  for (const char* key : {"01428800700", "511288007004", "6281234567891"}) {
    auto shown = s.pintar({"customers", "show", key});
    INFO(key << ": " << shown.err);
    CHECK(shown.exit_status == 0);
    CHECK_THAT(shown.out, Catch::Contains("SANTOSO, BUDI") && Catch::Contains("SGC 600675") &&
                              Catch::Contains("6281234567890") && Catch::Contains("6281234567891"));
    CHECK_THAT(shown.out, !Catch::Contains("135790") && !Catch::Contains("pin"));
  }
  // --format json: the whole record as one document, no PIN in it either.
  auto json = s.pintar({"customers", "show", "--format", "json", "01428800700"});
  REQUIRE(json.exit_status == 0);
  const nlohmann::json views = nlohmann::json::parse(json.out);
  REQUIRE(views.size() == 1);
  CHECK(views[0]["customer"]["name"] == "SANTOSO, BUDI");
  CHECK(views[0]["sts"]["sgc"] == "600675");
  CHECK(views[0]["subscribers"].size() == 2);
  CHECK_THAT(json.out, !Catch::Contains("135790") && !Catch::Contains("pin"));
  CHECK(s.pintar({"customers", "show", "--format", "yaml", "01428800700"}).exit_status == 64);
  CHECK(s.pintar({"customers", "show", "99999999999"}).exit_status == 1);
  CHECK(s.pintar({"customers", "show", "not-a-number"}).exit_status == 64);
  CHECK(s.pintar({"customers", "show"}).exit_status == 64);

  // The PIN is stored only as a 32-byte keyed hash.
  auto pins = run({"sqlite3", s.db, "SELECT count(*) FROM subscriptions WHERE length(pin_hash) = 32 "
                                    "AND instr(pin_hash, '135790') = 0"});
  CHECK(pins.out == "3\n");
}

TEST_CASE("a bad import names every bad line and imports nothing", "[cli][ledger]") {
  Scratch s;
  const std::string bad = std::string(kHeader) + kGoodLines +
                          "51128800700,X,R1,900,JKT,01428800702,600675,01,1,2,07,02,1993,ABC,6281100000003,m,"
                          "6281234567893,id,123456\n"  // line 5: IDPEL too short
                          "511288007004,OTHER NAME,R1,900,JKT,01428800703,600675,01,1,2,07,02,1993,ABC,6281100000004,"
                          "m,6281234567894,id,123456\n"  // line 6: contradicts line 2
                          "\n"
                          "511288007006,X,R1,900,JKT,01428800704,600675,01,1,2,07,02,1993,ABC,6281100000005,m,"
                          "6281234567895,id,12345\n"  // line 8: PIN too short
                          "1,2,3\n";                  // line 9
  auto imported = s.pintar({"customers", "import", s.file("bad.csv", bad)});
  CHECK(imported.exit_status == 65);
  CHECK_THAT(imported.err, Catch::Contains("bad.csv:5: idpel '51128800700' must be 12 digits"));
  CHECK_THAT(imported.err, Catch::Contains("bad.csv:6: customer 511288007004 differs"));
  CHECK_THAT(imported.err, Catch::Contains("bad.csv:8: pin must be 6 digits"));
  CHECK_THAT(imported.err, Catch::Contains("bad.csv:9: 3 fields, but the header has 19"));
  CHECK_THAT(imported.err, Catch::Contains("4 bad lines; nothing imported"));
  CHECK_THAT(imported.err, !Catch::Contains("12345\n"));
  CHECK(s.pintar({"customers", "show", "01428800700"}).exit_status == 1);  // the good lines are not kept

  auto no_header = s.pintar({"customers", "import", s.file("h.csv", "idpel,name\n")});
  CHECK(no_header.exit_status == 65);
  CHECK_THAT(no_header.err, Catch::Contains("column pin is missing"));
  CHECK(s.pintar({"customers", "import", s.dir + "/absent.csv"}).exit_status == 74);
  CHECK(s.pintar({"customers", "import"}).exit_status == 64);
}

TEST_CASE("ledger verify names the row edited with the sqlite3 shell", "[cli][ledger][chain]") {
  Scratch s;
  REQUIRE(s.pintar({"customers", "import", s.file("good.csv", std::string(kHeader) + kGoodLines)}).exit_status == 0);
  REQUIRE(run({ledger_tool(), "transactions", s.db, "5"}).exit_status == 0);
  auto intact = s.pintar({"ledger", "verify"});
  INFO(intact.err);
  CHECK(intact.exit_status == 0);
  CHECK_THAT(intact.out, Catch::Contains("10 transaction rows, 1 audit rows"));
  auto intact_json = s.pintar({"ledger", "verify", "--format", "json"});
  REQUIRE(intact_json.exit_status == 0);
  const nlohmann::json report = nlohmann::json::parse(intact_json.out);
  CHECK(report["intact"] == true);
  CHECK(report["guarantee"] == "plain");
  CHECK(report["transactions_rows"] == 10);
  CHECK(report["problem"].is_null());

  // The trigger stops a plain UPDATE; dropping it first is what a tamperer would do.
  CHECK(run({"sqlite3", s.db, "UPDATE transactions SET amount_rupiah = 2000000 WHERE seq = 7"}).exit_status != 0);
  REQUIRE(run({"sqlite3", s.db,
               "DROP TRIGGER transactions_append_only_update; "
               "UPDATE transactions SET amount_rupiah = 2000000 WHERE seq = 7"})
              .exit_status == 0);
  auto broken = s.pintar({"ledger", "verify"});
  CHECK(broken.exit_status == 1);
  CHECK_THAT(broken.err, Catch::Contains("row 7 of transactions: hash mismatch"));
  auto broken_json = s.pintar({"ledger", "verify", "--format", "json"});
  CHECK(broken_json.exit_status == 1);
  CHECK_THAT(nlohmann::json::parse(broken_json.out)["problem"].get<std::string>(),
             Catch::Contains("row 7 of transactions: hash mismatch"));

  REQUIRE(run({"sqlite3", s.db,
               "DROP TRIGGER audit_append_only_update; UPDATE audit SET detail = 'nothing' WHERE seq = 1; "
               "UPDATE transactions SET amount_rupiah = 20000 WHERE seq = 7"})
              .exit_status == 0);
  auto audit = s.pintar({"ledger", "verify"});
  CHECK(audit.exit_status == 1);
  CHECK_THAT(audit.err, Catch::Contains("row 1 of audit: hash mismatch"));
}

TEST_CASE("ledger migrate upgrades a file of every earlier revision", "[cli][ledger][schema]") {
  Scratch s;
  REQUIRE(s.pintar({"ledger", "migrate"}).exit_status == 0);
  auto latest = run({"sqlite3", s.db, "SELECT value FROM meta WHERE key = 'schema_revision'"});
  const int latest_revision = std::stoi(latest.out);
  for (int revision = 1; revision < latest_revision; ++revision) {
    DYNAMIC_SECTION("from revision " << revision) {
      Scratch old;
      REQUIRE(run({ledger_tool(), "at-revision", old.db, std::to_string(revision)}).exit_status == 0);
      REQUIRE(run({"sqlite3", old.db,
                   "INSERT INTO customers VALUES ('511288007004', 'KEPT', 'R1', 900, 'JKT', 0); "
                   "INSERT INTO modems VALUES ('6281100000001', 'k', 0); "
                   "INSERT INTO meters VALUES ('01428800700', '511288007004', '600675', 1, 1, 2, 7, 2, 1993, 'A', "
                   "'6281100000001', 0)"})
                  .exit_status == 0);
      auto migrated = old.pintar({"ledger", "migrate"});
      INFO(migrated.err);
      CHECK(migrated.exit_status == 0);
      CHECK_THAT(migrated.out, Catch::Contains("schema revision " + std::to_string(latest_revision)));
      CHECK_THAT(old.pintar({"customers", "show", "01428800700"}).out, Catch::Contains("KEPT"));
      CHECK(old.pintar({"ledger", "verify"}).exit_status == 0);
    }
  }
}

TEST_CASE("a ledger from a newer pintar, a missing ledger and a bad config are refused", "[cli][ledger]") {
  Scratch s;
  CHECK(s.pintar({"ledger", "verify"}).exit_status == 74);  // no file yet: verify does not create one
  REQUIRE(s.pintar({"ledger", "migrate"}).exit_status == 0);
  REQUIRE(run({"sqlite3", s.db, "UPDATE meta SET value = '99' WHERE key = 'schema_revision'"}).exit_status == 0);
  auto newer = s.pintar({"ledger", "verify"});
  CHECK(newer.exit_status == 65);
  CHECK_THAT(newer.err, Catch::Contains("has schema revision 99 but this pintar knows up to") &&
                            Catch::Contains("upgrade pintar"));

  const std::string bad_config = s.file("bad.toml", "[ledger]\nsynchronous = \"SOMETIMES\"\n");
  CHECK(run({pintar_binary(), "--config", bad_config, "ledger", "verify"}).exit_status == 78);
  CHECK(run({pintar_binary(), "ledger"}).exit_status == 64);
}

const char kChainKey[] = "chain_key_secret = \"hex:A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF\"\n";

// The same ledger with the chain key: what the writing daemons are given.
std::string keyed_config(const Scratch& s) {
  return s.file("keyed.toml", "state_dir = \"" + s.dir + "\"\n[ledger]\n" +
                                  "pin_key_secret = \"hex:000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\"\n" +
                                  kChainKey);
}

TEST_CASE("a row rewritten with its plain chain recomputed passes the plain check, not the keyed one",
          "[cli][ledger][chain]") {
  Scratch s;
  const std::string keyed = keyed_config(s);
  REQUIRE(run({ledger_tool(), "transactions", s.db, "5"}).exit_status == 0);
  auto sealed = run({pintar_binary(), "--config", keyed, "ledger", "migrate"});
  INFO(sealed.err);
  REQUIRE(sealed.exit_status == 0);
  CHECK_THAT(sealed.out, Catch::Contains("chains keyed"));
  auto intact = run({pintar_binary(), "--config", keyed, "ledger", "verify"});
  INFO(intact.err);
  CHECK(intact.exit_status == 0);
  CHECK_THAT(intact.out, Catch::Contains("checked: keyed chains") && Catch::Contains("10 transaction rows"));

  // The tamperer edits row 7 and recomputes every SHA-256 link after it and the head.
  REQUIRE(run({"sqlite3", s.db,
               "DROP TRIGGER transactions_append_only_update; "
               "UPDATE transactions SET amount_rupiah = 2000000 WHERE seq = 7"})
              .exit_status == 0);
  auto rechained = run({ledger_tool(), "rechain", s.db, "7"});
  INFO(rechained.err);
  REQUIRE(rechained.exit_status == 0);

  // Without the key the rewrite is invisible, and verify says that this is all it checked.
  auto plain = s.pintar({"ledger", "verify"});
  CHECK(plain.exit_status == 0);
  CHECK_THAT(plain.out, Catch::Contains("checked: plain SHA-256 chains only") &&
                            Catch::Contains("NOT rows rewritten") &&
                            Catch::Contains("the ledger's chains are keyed"));
  auto checked = run({pintar_binary(), "--config", keyed, "ledger", "verify"});
  CHECK(checked.exit_status == 1);
  CHECK_THAT(checked.out, Catch::Contains("checked: keyed chains"));
  CHECK_THAT(checked.err, Catch::Contains("transactions") && Catch::Contains("MAC does not match"));
  CHECK_THAT(checked.out, !Catch::Contains("ledger intact"));

  // Another key is refused, not taken for a tamper or for an intact ledger.
  const std::string other = s.file(
      "other.toml", "state_dir = \"" + s.dir + "\"\n[ledger]\n" +
                        "pin_key_secret = \"hex:000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\"\n" +
                        "chain_key_secret = \"hex:B0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF\"\n");
  auto wrong = run({pintar_binary(), "--config", other, "ledger", "verify"});
  INFO(wrong.err);
  CHECK(wrong.exit_status != 0);
  CHECK_THAT(wrong.out, !Catch::Contains("ledger intact"));
  CHECK_THAT(wrong.err, Catch::Contains("key"));
}

TEST_CASE("a keyed row rewritten with its plain chain recomputed fails its row MAC", "[cli][ledger][chain]") {
  Scratch s;
  const std::string keyed = keyed_config(s);
  REQUIRE(run({ledger_tool(), "transactions", s.db, "2"}).exit_status == 0);
  REQUIRE(run({pintar_binary(), "--config", keyed, "ledger", "migrate"}).exit_status == 0);
  // Rows 5..10 are written with the key, so each carries its own MAC.
  REQUIRE(setenv("LEDGER_TOOL_CHAIN_KEY", "hex:A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF", 1) == 0);
  auto appended = run({ledger_tool(), "transactions", s.db, "3"});
  REQUIRE(unsetenv("LEDGER_TOOL_CHAIN_KEY") == 0);
  INFO(appended.err);
  REQUIRE(appended.exit_status == 0);
  // Without the key nothing more can be appended to the keyed chains.
  CHECK(run({ledger_tool(), "transactions", s.db, "1"}).exit_status != 0);
  auto intact = run({pintar_binary(), "--config", keyed, "ledger", "verify"});
  INFO(intact.err);
  CHECK(intact.exit_status == 0);
  CHECK_THAT(intact.out, Catch::Contains("10 transaction rows"));

  REQUIRE(run({"sqlite3", s.db,
               "DROP TRIGGER transactions_append_only_update; "
               "UPDATE transactions SET amount_rupiah = 2000000 WHERE seq = 8"})
              .exit_status == 0);
  REQUIRE(run({ledger_tool(), "rechain", s.db, "8"}).exit_status == 0);
  CHECK(s.pintar({"ledger", "verify"}).exit_status == 0);
  auto checked = run({pintar_binary(), "--config", keyed, "ledger", "verify"});
  CHECK(checked.exit_status == 1);
  CHECK_THAT(checked.err, Catch::Contains("row 8 of transactions: MAC mismatch"));
}

TEST_CASE("a revision 4 ledger migrates with its purchases chained; a changed purchase row is named",
          "[cli][ledger][chain][schema]") {
  Scratch s;
  const std::string keyed = keyed_config(s);
  REQUIRE(run({ledger_tool(), "at-revision", s.db, "4"}).exit_status == 0);
  const std::string bit48(145, '7');
  REQUIRE(run({"sqlite3", s.db,
               "INSERT INTO p2apst_purchases VALUES (1, 10, 20, '01428800700', 20000, '" + bit48 +
                   "', '20261202180000', 'completed', 0, '000000000001', '0000', NULL); "
                   "INSERT INTO p2apst_purchases VALUES (2, 30, 40, '01428800701', 50000, '" + bit48 +
                   "', '20261202180100', 'sent', 0, '000000000002', NULL, NULL)"})
              .exit_status == 0);
  auto migrated = run({pintar_binary(), "--config", keyed, "ledger", "migrate"});
  INFO(migrated.err);
  REQUIRE(migrated.exit_status == 0);
  CHECK_THAT(migrated.out, Catch::Contains("chains keyed"));
  auto intact = run({pintar_binary(), "--config", keyed, "ledger", "verify"});
  INFO(intact.err);
  CHECK(intact.exit_status == 0);
  CHECK_THAT(intact.out, Catch::Contains("checked: keyed chains") &&
                             Catch::Contains("2 purchase journal versions of 2 purchases"));

  REQUIRE(run({"sqlite3", s.db, "UPDATE p2apst_purchases SET state = 'declined' WHERE id = 2"}).exit_status == 0);
  for (const std::string& config : {s.config, keyed}) {
    auto changed = run({pintar_binary(), "--config", config, "ledger", "verify"});
    INFO(config);
    CHECK(changed.exit_status == 1);
    CHECK_THAT(changed.err, Catch::Contains("p2apst_purchases row 2: differs from its last chained version"));
  }
  REQUIRE(run({"sqlite3", s.db, "DELETE FROM p2apst_purchases WHERE id = 2"}).exit_status == 0);
  auto removed = run({pintar_binary(), "--config", keyed, "ledger", "verify"});
  CHECK(removed.exit_status == 1);
  CHECK_THAT(removed.err, Catch::Contains("p2apst_purchases row 2: removed outside pintar"));
}

}  // namespace
}  // namespace pintar::testing
