// Registry changes on a real ledger file: each does its change with its audit row and its
// extra writes in one transaction, or nothing at all.
#include "store/registry_writes.h"

#include <catch2/catch.hpp>

#include "sqlite/connection.h"
#include "store/test_support.h"

namespace pintar::store {
namespace {

using testing::sample_subscriber;

AuditEntry audit(std::string action, std::string subject) {
  return AuditEntry{.at_ms = 1'700'000'000'000, .actor = "helpdesk:ada", .action = std::move(action),
                    .subject = std::move(subject), .detail = "why: test"};
}

MessageRecord sms(std::string id, std::string msisdn) {
  return MessageRecord{.message_id = std::move(id), .direction = "out", .msisdn = std::move(msisdn), .body = "hello",
                       .txn_id = std::nullopt, .smpp_message_id = std::nullopt, .delivery_state = "requested",
                       .created_ms = 1, .updated_ms = 1};
}

struct World {
  std::string dir = testing::make_temp_dir();
  std::unique_ptr<Ledger> ledger = open_ledger(testing::options_in(dir)).value();
  SubscriberRecord one = sample_subscriber(1);

  Status connect(const SubscriberRecord& r, WriteSet also = {}) {
    return ledger->change_registry(NewConnection{r}, audit("registry.new_connection", r.meter.meter_no), std::move(also));
  }
  Status migrate(const SubscriberRecord& r, std::string one_way, WriteSet also = {}) {
    return ledger->change_registry(TwoWayMigration{r, std::move(one_way)},
                                   audit("registry.two_way_migration", r.meter.meter_no), std::move(also));
  }
  std::vector<SubscriberView> view(const std::string& key) { return ledger->find_subscribers(key).value(); }
  // Rows of every registry table, the audit log and the messages, read from the file itself.
  std::string rows() {
    auto db = sqlite::Connection::open(dir + "/ledger.db", {});
    REQUIRE(db.ok());
    std::string out;
    for (const char* table : {"customers", "meters", "modems", "subscriptions", "meter_migrations", "audit", "messages"}) {
      auto count = db->prepare(std::string("SELECT count(*) FROM ") + table);
      REQUIRE(count.ok());
      REQUIRE(count->step().value());
      out += std::string(table) + "=" + std::to_string(count->integer(0)) + " ";
    }
    return out;
  }
};

TEST_CASE("a new connection stores customer, meter, modem and first phone with its audit and SMS", "[store][registry]") {
  World w;
  WriteSet also;
  also.record_message(sms("hd-1", w.one.subscription.msisdn));
  REQUIRE(w.connect(w.one, also).ok());
  auto views = w.view(w.one.meter.meter_no);
  REQUIRE(views.size() == 1);
  CHECK(views[0].customer == w.one.customer);
  CHECK(views[0].meter == w.one.meter);
  CHECK(views[0].modem == w.one.modem);
  REQUIRE(views[0].phones.size() == 1);
  CHECK(views[0].phones[0].msisdn == w.one.subscription.msisdn);
  CHECK(w.ledger->find_subscription(w.one.subscription.msisdn, w.one.meter.meter_no).value()->pin_hash ==
        w.one.subscription.pin_hash);
  auto rows = w.ledger->audit_of(w.one.meter.meter_no).value();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].action == "registry.new_connection");
  CHECK(rows[0].detail == "why: test");
  CHECK(w.ledger->find_message("hd-1").value().has_value());

  // A second meter for the same customer is a new connection too.
  SubscriberRecord second = sample_subscriber(2);
  second.customer = w.one.customer;
  second.meter.idpel = w.one.customer.idpel;
  REQUIRE(w.connect(second).ok());
  CHECK(w.view(w.one.customer.idpel).size() == 2);
  CHECK(w.ledger->verify_chains().value().problem == std::nullopt);
}

TEST_CASE("a new connection that clashes changes nothing, not even its audit or SMS", "[store][registry]") {
  World w;
  REQUIRE(w.connect(w.one).ok());
  WriteSet also;
  also.record_message(sms("hd-2", "6281299999999"));
  // The same meter again.
  CHECK(w.connect(w.one, also).code() == StatusCode::kAlreadyExists);
  // Another meter with the first one's modem.
  SubscriberRecord thief = sample_subscriber(2);
  thief.modem = w.one.modem;
  thief.meter.modem_msisdn = w.one.modem.msisdn;
  CHECK(w.connect(thief, also).code() == StatusCode::kAlreadyExists);
  // Another meter for the customer, but with the customer's name spelt otherwise.
  SubscriberRecord other = sample_subscriber(3);
  other.customer = w.one.customer;
  other.customer.name = "SOMEONE ELSE";
  other.meter.idpel = other.customer.idpel;
  CHECK(w.connect(other, also).code() == StatusCode::kAlreadyExists);
  // A field the schema refuses.
  SubscriberRecord bad = sample_subscriber(4);
  bad.meter.ea = 8;
  CHECK(w.connect(bad, also).code() == StatusCode::kInvalidArgument);
  CHECK(w.view(bad.meter.meter_no).empty());
  CHECK(w.view(bad.customer.idpel).empty());  // its customer went with the refused meter
  CHECK(w.view(thief.meter.meter_no).empty());
  CHECK(w.ledger->audit_of(w.one.meter.meter_no).value().size() == 1);
  CHECK(!w.ledger->find_message("hd-2").value().has_value());
}

TEST_CASE("a migration to two-way is a new connection that records the one-way meter it replaced",
          "[store][registry]") {
  World w;
  WriteSet also;
  also.record_message(sms("hd-1", w.one.subscription.msisdn));
  const std::string one_way = "32100000001";
  REQUIRE(w.migrate(w.one, one_way, also).ok());
  CHECK(w.rows() == "customers=1 meters=1 modems=1 subscriptions=1 meter_migrations=1 audit=1 messages=1 ");
  auto views = w.view(w.one.meter.meter_no);
  REQUIRE(views.size() == 1);
  CHECK(views[0].meter == w.one.meter);
  REQUIRE(views[0].migrated_from.has_value());
  CHECK(views[0].migrated_from->one_way_meter_no == one_way);
  CHECK(views[0].migrated_from->migrated_ms == 1'700'000'000'000);
  CHECK(w.ledger->find_migrated_meter(one_way).value() == std::optional<std::string>(w.one.meter.meter_no));
  CHECK(!w.ledger->find_migrated_meter(w.one.meter.meter_no).value().has_value());
  // The one-way number is not a meter of this system: the engine's look-up does not follow it.
  CHECK(w.view(one_way).empty());
  auto rows = w.ledger->audit_of(w.one.meter.meter_no).value();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].action == "registry.two_way_migration");
  CHECK(rows[0].detail == "why: test; before: one-way meter " + one_way);
  // A plain new connection replaced nothing.
  SubscriberRecord plain = sample_subscriber(2);
  REQUIRE(w.connect(plain).ok());
  CHECK(!w.view(plain.meter.meter_no).at(0).migrated_from.has_value());
  CHECK(w.ledger->verify_chains().value().problem == std::nullopt);
}

TEST_CASE("a refused migration changes nothing", "[store][registry]") {
  World w;
  const std::string one_way = "32100000001";
  REQUIRE(w.migrate(w.one, one_way).ok());
  const std::string before = w.rows();
  WriteSet also;
  also.record_message(sms("hd-2", "6281299999999"));
  SubscriberRecord fresh = sample_subscriber(2);
  // The one-way meter number malformed, or the new meter's own.
  for (const std::string bad : {"", "3210000000", "321000000012", "3210000000x"}) {
    INFO(bad);
    CHECK(w.migrate(fresh, bad, also).code() == StatusCode::kInvalidArgument);
  }
  CHECK(w.migrate(fresh, fresh.meter.meter_no, also).code() == StatusCode::kInvalidArgument);
  // A meter registered here is two-way already.
  CHECK(w.migrate(fresh, w.one.meter.meter_no, also).code() == StatusCode::kFailedPrecondition);
  // That one-way meter was migrated already.
  CHECK(w.migrate(fresh, one_way, also).code() == StatusCode::kAlreadyExists);
  // Every refusal of a new connection: the meter again, another meter's modem, the customer
  // with other details, a field the schema refuses.
  CHECK(w.migrate(w.one, "32100000002", also).code() == StatusCode::kAlreadyExists);
  SubscriberRecord thief = sample_subscriber(3);
  thief.modem = w.one.modem;
  thief.meter.modem_msisdn = w.one.modem.msisdn;
  CHECK(w.migrate(thief, "32100000003", also).code() == StatusCode::kAlreadyExists);
  SubscriberRecord other = sample_subscriber(4);
  other.customer = w.one.customer;
  other.customer.name = "SOMEONE ELSE";
  other.meter.idpel = other.customer.idpel;
  CHECK(w.migrate(other, "32100000004", also).code() == StatusCode::kAlreadyExists);
  SubscriberRecord bad = sample_subscriber(5);
  bad.meter.ea = 8;
  CHECK(w.migrate(bad, "32100000005", also).code() == StatusCode::kInvalidArgument);
  CHECK(w.rows() == before);
  for (const char* tried : {"32100000002", "32100000003", "32100000004", "32100000005"}) {
    CHECK(!w.ledger->find_migrated_meter(tried).value().has_value());
  }
}

TEST_CASE("a power change keeps what it replaced in the audit", "[store][registry]") {
  World w;
  REQUIRE(w.connect(w.one).ok());
  const std::string idpel = w.one.customer.idpel;
  REQUIRE(w.ledger->change_registry(PowerChange{idpel, "R1M", 1300}, audit("registry.power_change", idpel), {}).ok());
  CHECK(w.view(idpel).at(0).customer.tariff == "R1M");
  CHECK(w.view(idpel).at(0).customer.power_va == 1300);
  auto rows = w.ledger->audit_of(idpel).value();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].detail == "why: test; before: tariff R1, 900 VA");
  CHECK(w.ledger->change_registry(PowerChange{idpel, "R1M", 1300}, audit("x", idpel), {}).code() ==
        StatusCode::kFailedPrecondition);
  CHECK(w.ledger->change_registry(PowerChange{"999999999999", "R1", 900}, audit("x", "999999999999"), {}).code() ==
        StatusCode::kNotFound);
  CHECK(w.ledger->change_registry(PowerChange{idpel, "R1", 0}, audit("x", idpel), {}).code() ==
        StatusCode::kInvalidArgument);
  CHECK(w.ledger->audit_of(idpel).value().size() == 1);
}

TEST_CASE("a modem swap fits a new modem or a new key; the old modem is free again", "[store][registry]") {
  World w;
  REQUIRE(w.connect(w.one).ok());
  const std::string meter = w.one.meter.meter_no;
  const Modem fresh{.msisdn = "6281177777777", .key_id = "modem-key-2"};
  REQUIRE(w.ledger->change_registry(ModemSwap{meter, fresh}, audit("registry.modem_swap", meter), {}).ok());
  CHECK(w.view(meter).at(0).modem == fresh);
  CHECK(w.ledger->find_subscriber_by_modem(fresh.msisdn).value()->meter.meter_no == meter);
  CHECK(!w.ledger->find_subscriber_by_modem(w.one.modem.msisdn).value().has_value());
  CHECK_THAT(w.ledger->audit_of(meter).value().back().detail,
             Catch::Contains("before: modem " + w.one.modem.msisdn + " key modem-key-1"));
  // Only the key id.
  const Modem rekeyed{.msisdn = fresh.msisdn, .key_id = "modem-key-3"};
  REQUIRE(w.ledger->change_registry(ModemSwap{meter, rekeyed}, audit("registry.modem_swap", meter), {}).ok());
  CHECK(w.view(meter).at(0).modem == rekeyed);
  CHECK(w.ledger->change_registry(ModemSwap{meter, rekeyed}, audit("x", meter), {}).code() ==
        StatusCode::kFailedPrecondition);
  // Another meter's modem cannot be taken.
  SubscriberRecord two = sample_subscriber(2);
  REQUIRE(w.connect(two).ok());
  CHECK(w.ledger->change_registry(ModemSwap{meter, two.modem}, audit("x", meter), {}).code() ==
        StatusCode::kAlreadyExists);
  CHECK(w.ledger->change_registry(ModemSwap{"14099999999", fresh}, audit("x", "14099999999"), {}).code() ==
        StatusCode::kNotFound);
  CHECK(w.ledger->audit_of(meter).value().size() == 3);  // the connection and the two swaps
}

TEST_CASE("phones are added and removed", "[store][registry]") {
  World w;
  REQUIRE(w.connect(w.one).ok());
  const std::string meter = w.one.meter.meter_no;
  Subscription second{.msisdn = "6281355555555", .meter_no = meter, .language = "en",
                      .pin_hash = crypto::sha256(crypto::as_bytes(std::string("second")))};
  REQUIRE(w.ledger->change_registry(AddPhone{second}, audit("registry.phone_add", meter), {}).ok());
  CHECK(w.view(meter).at(0).phones.size() == 2);
  CHECK(w.ledger->change_registry(AddPhone{second}, audit("x", meter), {}).code() == StatusCode::kAlreadyExists);
  Subscription stray = second;
  stray.meter_no = "14099999999";
  CHECK(w.ledger->change_registry(AddPhone{stray}, audit("x", meter), {}).code() == StatusCode::kNotFound);
  REQUIRE(w.ledger->change_registry(RemovePhone{w.one.subscription.msisdn, meter}, audit("registry.phone_remove", meter), {})
              .ok());
  auto phones = w.view(meter).at(0).phones;
  REQUIRE(phones.size() == 1);
  CHECK(phones[0].msisdn == second.msisdn);
  CHECK(!w.ledger->find_subscription(w.one.subscription.msisdn, meter).value().has_value());
  CHECK(w.ledger->change_registry(RemovePhone{w.one.subscription.msisdn, meter}, audit("x", meter), {}).code() ==
        StatusCode::kNotFound);
  CHECK(w.ledger->audit_of(meter).value().size() == 3);
}

}  // namespace
}  // namespace pintar::store
