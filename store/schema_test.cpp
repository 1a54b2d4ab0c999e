// Migrations: a file made at EVERY earlier revision (by applying steps 1..k only, with data
// of that revision in it) upgrades to the latest with its data intact; newer files and
// foreign files are refused.
#include "store/schema.h"

#include <catch2/catch.hpp>

#include "store/chain.h"
#include "store/ledger.h"
#include "store/sqlite_ledger.h"
#include "store/test_support.h"

namespace pintar::store {
namespace {

using testing::make_temp_dir;
using testing::options_in;
using testing::sample_subscriber;
using testing::sample_transaction;

// Writes the rows a file at `revision` could hold, with the SQL of that revision.
void add_rows_of_revision(sqlite::Connection& db, int revision) {
  const SubscriberRecord s = sample_subscriber(1);
  if (revision >= 1) {
    REQUIRE(db.prepare("INSERT INTO customers VALUES (?, ?, ?, ?, ?, 0)")
                ->bind(s.customer.idpel, s.customer.name, s.customer.tariff, s.customer.power_va, s.customer.region)
                .run()
                .ok());
    REQUIRE(db.prepare("INSERT INTO modems VALUES (?, ?, 0)")->bind(s.modem.msisdn, s.modem.key_id).run().ok());
    const Meter& m = s.meter;
    REQUIRE(db.prepare("INSERT INTO meters VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)")
                ->bind(m.meter_no, m.idpel, m.sgc, m.ti, m.krn, m.kt, m.ea, m.dkga, m.base_date, m.kdpm, m.modem_msisdn)
                .run()
                .ok());
    REQUIRE(db.prepare("INSERT INTO subscriptions VALUES (?, ?, ?, ?, 0)")
                ->bind(s.subscription.msisdn, s.subscription.meter_no, s.subscription.language,
                       std::span<const uint8_t>(s.subscription.pin_hash))
                .run()
                .ok());
  }
  if (revision >= 2) {
    const TransactionRecord t = sample_transaction(1);
    const auto hash = chain_hash(kGenesisHash, canonical_row(1, t));
    REQUIRE(db.prepare("INSERT INTO transactions VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                ->bind(t.txn_id, t.version, t.idempotency_key, t.meter_no, t.msisdn, t.amount_rupiah,
                       t.energy_deci_kwh, t.token, t.state, t.reference, t.reason, t.created_ms, t.recorded_ms,
                       std::span<const uint8_t>(hash))
                .run()
                .ok());
    REQUIRE(db.prepare("UPDATE chain_heads SET seq = 1, row_hash = ? WHERE chain = 'transactions'")
                ->bind(std::span<const uint8_t>(hash))
                .run()
                .ok());
  }
  if (revision >= 3) {
    REQUIRE(db.exec("INSERT INTO messages VALUES ('m1', 'in', '6281234567890', 'PLN 20000', NULL, 'smsc-1', "
                    "'received', 5, 5)")
                .ok());
  }
}

TEST_CASE("a file made at every earlier revision upgrades with its data", "[store][schema]") {
  for (int revision = 0; revision < latest_revision(); ++revision) {
    DYNAMIC_SECTION("from revision " << revision) {
      const std::string dir = make_temp_dir();
      {
        auto db = sqlite::Connection::open(dir + "/ledger.db", {});
        REQUIRE(db.ok());
        REQUIRE(migrate(*db, "ledger.db", revision).ok());
        CHECK(*schema_revision(*db) == revision);
        add_rows_of_revision(*db, revision);
      }
      {
        auto ledger = open_ledger(options_in(dir));
        INFO(ledger.status().to_string());
        REQUIRE(ledger.ok());
        if (revision >= 1) CHECK((*ledger)->find_subscribers(sample_subscriber(1).meter.meter_no)->size() == 1);
        if (revision >= 2) CHECK((*ledger)->find_transaction("txn-1")->has_value());
        if (revision >= 3) CHECK((*ledger)->find_message("m1")->has_value());
        // The upgraded file takes new writes and its chains hold.
        WriteSet writes;
        writes.append_transaction(sample_transaction(2)).append_audit(
            {.at_ms = 1, .actor = "t", .action = "upgrade", .subject = "", .detail = ""});
        REQUIRE((*ledger)->write(std::move(writes)).ok());
        auto report = (*ledger)->verify_chains();
        REQUIRE(report.ok());
        CHECK_FALSE(report->problem);
      }
      auto db = sqlite::Connection::open(dir + "/ledger.db", {});
      CHECK(*schema_revision(*db) == latest_revision());
    }
  }
}

TEST_CASE("revisions are numbered 1, 2, 3, ... in order", "[store][schema]") {
  int expected = 1;
  for (const Migration& step : migrations()) {
    CHECK(step.revision == expected++);
    CHECK_FALSE(step.statements.empty());
  }
}

TEST_CASE("a file from a newer pintar is refused untouched", "[store][schema]") {
  const std::string dir = make_temp_dir();
  REQUIRE(open_ledger(options_in(dir)).ok());
  auto db = sqlite::Connection::open(dir + "/ledger.db", {});
  REQUIRE(db->exec("UPDATE meta SET value = '99' WHERE key = 'schema_revision'").ok());
  auto refused = open_ledger(options_in(dir));
  CHECK(refused.status().code() == StatusCode::kFailedPrecondition);
  CHECK(refused.status().message() ==
        fmt::format("{}/ledger.db has schema revision 99 but this pintar knows up to {}; upgrade pintar", dir,
                    latest_revision()));
  CHECK(*schema_revision(*db) == 99);
}

TEST_CASE("a database that is not a ledger is refused", "[store][schema]") {
  const std::string dir = make_temp_dir();
  {
    auto db = sqlite::Connection::open(dir + "/ledger.db", {});
    REQUIRE(db->exec("CREATE TABLE other (x)").ok());
  }
  CHECK(open_ledger(options_in(dir)).status().code() == StatusCode::kCorruption);

  LedgerOptions absent = options_in(dir + "/nowhere");
  absent.create = false;
  CHECK(open_ledger(absent).status().code() == StatusCode::kNotFound);
}

TEST_CASE("connections run in WAL mode with foreign keys on", "[store][schema]") {
  const std::string dir = make_temp_dir();
  auto db = sqlite::Connection::open(dir + "/x.db", {});
  REQUIRE(db.ok());
  auto mode = db->prepare("PRAGMA journal_mode");
  REQUIRE(*mode->step());
  CHECK(mode->text(0) == "wal");
  auto keys = db->prepare("PRAGMA foreign_keys");
  REQUIRE(*keys->step());
  CHECK(keys->integer(0) == 1);
  auto sync = db->prepare("PRAGMA synchronous");
  REQUIRE(*sync->step());
  CHECK(sync->integer(0) == 2);  // FULL
}

}  // namespace
}  // namespace pintar::store
