// Migrations: a file made at EVERY earlier revision (by applying steps 1..k only, with data
// of that revision in it) upgrades to the latest with its data intact; newer files and
// foreign files are refused.
#include "store/schema.h"

#include <catch2/catch.hpp>

#include "store/chain.h"
#include "store/ledger.h"
#include "store/p2apst_journal.h"
#include "store/sqlite_ledger.h"
#include "store/test_support.h"

namespace pintar::store {
namespace {

using testing::make_temp_dir;
using testing::options_in;
using testing::sample_subscriber;
using testing::sample_transaction;

// Writes the rows a file at `revision` could hold, with the SQL of that revision (naming the
// columns: later revisions add some).
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
    REQUIRE(db.prepare("INSERT INTO subscriptions (msisdn, meter_no, language, pin_hash, created_ms) "
                       "VALUES (?, ?, ?, ?, 0)")
                ->bind(s.subscription.msisdn, s.subscription.meter_no, s.subscription.language,
                       std::span<const uint8_t>(s.subscription.pin_hash))
                .run()
                .ok());
  }
  if (revision >= 2) {
    const TransactionRecord t = sample_transaction(1);
    const auto hash = chain_hash(kGenesisHash, canonical_row(1, t));
    REQUIRE(db.prepare("INSERT INTO transactions (seq, txn_id, version, idempotency_key, meter_no, msisdn, amount_rupiah, "
                "energy_deci_kwh, token, state, reference, reason, created_ms, recorded_ms, row_hash) "
                "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
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
        // Revision 8: a migration to two-way is recorded.
        REQUIRE((*ledger)
                    ->change_registry(TwoWayMigration{sample_subscriber(7), "32100000007"},
                                      {.at_ms = 2, .actor = "t", .action = "migrate", .subject = "", .detail = ""}, {})
                    .ok());
        CHECK((*ledger)->find_migrated_meter("32100000007")->has_value());
        auto report = (*ledger)->verify_chains();
        REQUIRE(report.ok());
        CHECK_FALSE(report->problem);
      }
      auto db = sqlite::Connection::open(dir + "/ledger.db", {});
      CHECK(*schema_revision(*db) == latest_revision());
    }
  }
}

// Revision 6 adds columns to chained data (the purchase journal's txn_id) and derives an
// index of newest versions from the transactions: an old file must come through with its
// chains still verifying and its transactions searchable.
TEST_CASE("a revision 5 file upgrades to 6: versions indexed, old purchases still verify", "[store][schema]") {
  const std::string dir = make_temp_dir();
  const SubscriberRecord s = sample_subscriber(1);
  {
    auto db = sqlite::Connection::open(dir + "/ledger.db", {});
    REQUIRE(migrate(*db, "ledger.db", 4).ok());
    add_rows_of_revision(*db, 3);
    // Version 2 of txn-1, chained after version 1.
    const TransactionRecord v1 = sample_transaction(1), v2 = sample_transaction(1, 2);
    const auto h1 = chain_hash(kGenesisHash, canonical_row(1, v1));
    const auto h2 = chain_hash(h1, canonical_row(2, v2));
    REQUIRE(db->prepare("INSERT INTO transactions (seq, txn_id, version, idempotency_key, meter_no, msisdn, amount_rupiah, "
                "energy_deci_kwh, token, state, reference, reason, created_ms, recorded_ms, row_hash) "
                "VALUES (2, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                ->bind(v2.txn_id, v2.version, v2.idempotency_key, v2.meter_no, v2.msisdn, v2.amount_rupiah,
                       v2.energy_deci_kwh, v2.token, v2.state, v2.reference, v2.reason, v2.created_ms,
                       v2.recorded_ms, std::span<const uint8_t>(h2))
                .run()
                .ok());
    REQUIRE(db->prepare("UPDATE chain_heads SET seq = 2, row_hash = ? WHERE chain = 'transactions'")
                ->bind(std::span<const uint8_t>(h2))
                .run()
                .ok());
    REQUIRE(db->prepare("INSERT INTO p2apst_purchases (created_ms, updated_ms, meter, amount, bit48, local_time, "
                        "state, advice_count) VALUES (1, 1, '14012345678', 20000, ?, '20261202195500', 'intent', 0)")
                ->bind(std::string(145, '0'))
                .run()
                .ok());
    REQUIRE(migrate(*db, "ledger.db", 5).ok());  // chains the purchase as revision 5 encodes it
  }
  {
    auto ledger = open_ledger(options_in(dir));
    INFO(ledger.status().to_string());
    REQUIRE(ledger.ok());
    auto found = (*ledger)->find_transactions({});
    REQUIRE(found.ok());
    REQUIRE(found->size() == 1);
    CHECK((*found)[0] == sample_transaction(1, 2));
    auto sub = (*ledger)->find_subscription(s.subscription.msisdn, s.meter.meter_no);
    REQUIRE(sub->has_value());
    CHECK((*sub)->failed_pin_attempts == 0);
    CHECK((*sub)->locked_until_ms == 0);
    auto report = (*ledger)->verify_chains();
    REQUIRE(report.ok());
    CHECK_FALSE(report->problem);
    CHECK(report->purchases == 1);
  }
  auto journal = P2apstPurchases::open(options_in(dir));
  REQUIRE(journal.ok());
  CHECK((*journal)->get(1)->txn_id.empty());
  CHECK_FALSE((*journal)->find_by_txn("")->has_value());
  REQUIRE((*journal)->record_outcome(1, "intent", "not_sent", "", "").value() == std::nullopt);
  const P2apstPurchaseRow intent{.meter = "14012345678", .amount = 50000, .bit48 = std::string(145, '1'),
                                 .local_time = "20261202195600", .txn_id = "txn-1"};
  REQUIRE((*journal)->insert_intent(intent).ok());
  auto second = (*journal)->insert_intent(intent);  // a retry of the same transaction
  REQUIRE(second.ok());
  auto by_txn = (*journal)->find_by_txn("txn-1");
  REQUIRE(by_txn.ok());
  REQUIRE(by_txn->has_value());
  CHECK((*by_txn)->id == *second);
  CHECK((*by_txn)->txn_id == "txn-1");
  CHECK_FALSE((*journal)->find_by_txn("txn-2")->has_value());
  auto ledger = open_ledger(options_in(dir));
  REQUIRE(ledger.ok());
  auto report = (*ledger)->verify_chains();
  REQUIRE(report.ok());
  CHECK_FALSE(report->problem);
  CHECK(report->purchases == 3);

  // txn_id is part of the chained version: moving a purchase to another transaction shows.
  auto db = sqlite::Connection::open(dir + "/ledger.db", {});
  REQUIRE(db->exec("UPDATE p2apst_purchases SET txn_id = 'txn-9' WHERE id = 2").ok());
  report = (*ledger)->verify_chains();
  REQUIRE(report.ok());
  REQUIRE(report->problem);
  CHECK(report->problem->find("p2apst_purchases row 2") != std::string::npos);
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
