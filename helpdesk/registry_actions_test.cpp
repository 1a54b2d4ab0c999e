// Registry actions on a real ledger: each change with its audit row; a one-time PIN that
// reaches only the SMS (its hash matches, it is in no audit row, no answer).
#include "helpdesk/registry_actions.h"

#include <regex>

#include "helpdesk/lookups.h"
#include "helpdesk/test_support.h"
#include "helpdesk/views.h"

namespace pintar::helpdesk {
namespace {

using engine::testing::import;
using engine::testing::open_ledger_at;
using engine::testing::subscriber;
using namespace testing;
using namespace std::chrono;

const store::PinHasher& pins() {
  static const store::PinHasher kPins = store::PinHasher::create(Secret(std::vector<uint8_t>(32, 'p'))).value();
  return kPins;
}

// The six digits of the PIN an SMS carries.
std::string pin_in(const std::string& body) {
  std::smatch m;
  REQUIRE(std::regex_search(body, m, std::regex(R"(\b(\d{6})\b)")));
  return m[1];
}

RegistryFields connection_fields() {
  return {{"idpel", "522000000001"}, {"name", "SITI, \"IBU\" AMINAH"}, {"tariff", "R1"}, {"power_va", "900"},
          {"region", "JKT"}, {"meter_no", "14500000001"}, {"sgc", "600675"}, {"ti", "1"}, {"krn", "1"},
          {"kt", "2"}, {"ea", "07"}, {"dkga", "02"}, {"base_date", "2014"}, {"kdpm", "ABC"},
          {"modem_msisdn", "6281150000001"}, {"modem_key_id", "M1450001"}, {"msisdn", "6281350000001"},
          {"language", "en"}};
}

struct World {
  std::string dir = store::testing::make_temp_dir();
  std::unique_ptr<store::Ledger> ledger = open_ledger_at(dir + "/ledger.db");
  ManualClock clock{Clock::WallTime(milliseconds(kT0 + 100'000))};
  store::SubscriberRecord one = subscriber(1);
  RegistryActions registry{*ledger, clock, &pins()};
  Caller ada{.key_id = "0123456789abcdef", .name = "ada", .role = Role::kAdmin};
  World() { import(*ledger, {one}); }

  store::MessageRecord sms(const std::string& id) {
    auto m = ledger->find_message(id).value();
    REQUIRE(m.has_value());
    return *m;
  }
  // The audit rows about `subject` contain no PIN of `body`.
  void check_pin_only_in_sms(const std::string& subject, const std::string& pin) {
    const std::vector<store::AuditEntry> rows = ledger->audit_of(subject).value();
    for (const auto& row : rows) CHECK(row.detail.find(pin) == std::string::npos);
  }
};

TEST_CASE("a new connection: meter, modem, first phone with a one-time PIN sent by SMS", "[helpdesk][registry]") {
  World w;
  auto id = w.registry.new_connection(w.ada, connection_fields(), "new house, paper form 123");
  INFO(id.status().to_string());
  REQUIRE(id.ok());
  const store::MessageRecord m = w.sms(*id);
  CHECK(m.direction == "out");
  CHECK(m.delivery_state == "requested");  // the engine sends it
  CHECK(m.msisdn == "6281350000001");
  CHECK(m.txn_id == std::nullopt);
  CHECK_THAT(m.body, Catch::Contains("meter 14500000001"));
  const std::string pin = pin_in(m.body);
  auto sub = w.ledger->find_subscription("6281350000001", "14500000001").value();
  REQUIRE(sub.has_value());
  CHECK(sub->language == "en");
  CHECK(pins().matches("6281350000001", "14500000001", pin, sub->pin_hash));
  auto view = w.ledger->find_subscribers("14500000001").value().at(0);
  CHECK(view.customer.name == "SITI, \"IBU\" AMINAH");
  CHECK(view.modem.key_id == "M1450001");
  auto audit = w.ledger->audit_of("14500000001").value();
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].actor == "helpdesk:ada");
  CHECK(audit[0].action == "registry.new_connection");
  CHECK_THAT(audit[0].detail, Catch::Contains("why: new house, paper form 123"));
  CHECK(audit[0].detail.find("6281350000001") == std::string::npos);  // the phone masked
  w.check_pin_only_in_sms("14500000001", pin);
  // Again: the meter exists.
  CHECK(w.registry.new_connection(w.ada, connection_fields(), "twice").status().code() == StatusCode::kAlreadyExists);
}

TEST_CASE("a new connection's bad fields are named, all of them, and nothing is stored", "[helpdesk][registry]") {
  World w;
  RegistryFields f = connection_fields();
  f["meter_no"] = "123";
  f["ea"] = "8";
  auto bad = w.registry.new_connection(w.ada, f, "form");
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(bad.status().message(), Catch::Contains("meter_no '123' must be 11 digits"));
  CHECK_THAT(bad.status().message(), Catch::Contains("ea '8' must be 07, 09 or 11"));
  f = connection_fields();
  f.erase("sgc");
  f.erase("kdpm");
  CHECK(w.registry.new_connection(w.ada, f, "form").status().message() == "sgc, kdpm: required");
  f = connection_fields();
  f["pin"] = "123456";  // staff never choose a PIN
  CHECK(w.registry.new_connection(w.ada, f, "form").status().message() == "pin: not a field of a new connection");
  CHECK(w.registry.new_connection(w.ada, connection_fields(), "").status().code() == StatusCode::kInvalidArgument);
  CHECK(w.ledger->find_subscribers("522000000001").value().empty());
  CHECK(w.ledger->find_messages("out", "requested", 10).value().empty());
}

TEST_CASE("a migration to two-way: a new connection that names the one-way meter it replaced", "[helpdesk][registry]") {
  World w;
  const std::string one_way = "32100000009";
  auto id = w.registry.two_way_migration(w.ada, connection_fields(), one_way, "keypad meter replaced, form 77");
  INFO(id.status().to_string());
  REQUIRE(id.ok());
  const store::MessageRecord m = w.sms(*id);
  CHECK(m.delivery_state == "requested");
  CHECK(m.msisdn == "6281350000001");
  const std::string pin = pin_in(m.body);
  auto sub = w.ledger->find_subscription("6281350000001", "14500000001").value();
  REQUIRE(sub.has_value());
  CHECK(pins().matches("6281350000001", "14500000001", pin, sub->pin_hash));
  auto audit = w.ledger->audit_of("14500000001").value();
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].actor == "helpdesk:ada");
  CHECK(audit[0].action == "registry.two_way_migration");
  CHECK_THAT(audit[0].detail, Catch::Contains("replacing one-way meter " + one_way));
  CHECK_THAT(audit[0].detail, Catch::Contains("why: keypad meter replaced, form 77"));
  w.check_pin_only_in_sms("14500000001", pin);
  // The records of the old number are the new meter's, naming the number asked for.
  Lookups lookups(*w.ledger, nullptr);
  auto records = lookups.records(one_way);
  REQUIRE(records.ok());
  REQUIRE(records->size() == 1);
  CHECK(records->at(0).view.meter.meter_no == "14500000001");
  REQUIRE(records->at(0).view.migrated_from.has_value());
  CHECK(records->at(0).view.migrated_from->one_way_meter_no == one_way);
  CHECK(records->at(0).view.migrated_from->migrated_ms == kT0 + 100'000);
  const auto json = records_json(*records, Role::kViewer);
  CHECK(json.at(0).at("meter").at("migrated_from") == one_way);
  CHECK(json.at(0).at("meter").at("migrated_at_ms") == kT0 + 100'000);
  // A meter that replaced nothing shows no migrated_from.
  CHECK(!records_json(lookups.records(w.one.meter.meter_no).value(), Role::kViewer).at(0).at("meter").contains(
      "migrated_from"));
  // Again: that one-way meter is migrated already.
  RegistryFields other = connection_fields();
  other["meter_no"] = "14500000002";
  other["modem_msisdn"] = "6281150000002";
  other["msisdn"] = "6281350000002";
  CHECK(w.registry.two_way_migration(w.ada, other, one_way, "twice").status().code() == StatusCode::kAlreadyExists);
}

TEST_CASE("a migration's refusals: the one-way meter, and every refusal of a new connection", "[helpdesk][registry]") {
  World w;
  for (const char* bad : {"", "1234567890", "123456789012", "1234567890a"}) {
    INFO(bad);
    auto refused = w.registry.two_way_migration(w.ada, connection_fields(), bad, "form");
    CHECK(refused.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(refused.status().message(), Catch::Contains("one_way_meter"));
  }
  CHECK(w.registry.two_way_migration(w.ada, connection_fields(), "14500000001", "form").status().code() ==
        StatusCode::kInvalidArgument);  // the new meter's own number
  // A meter registered here is two-way already.
  CHECK(w.registry.two_way_migration(w.ada, connection_fields(), w.one.meter.meter_no, "form").status().code() ==
        StatusCode::kFailedPrecondition);
  RegistryFields f = connection_fields();
  f["ea"] = "8";
  CHECK_THAT(w.registry.two_way_migration(w.ada, f, "32100000009", "form").status().message(),
             Catch::Contains("ea '8' must be 07, 09 or 11"));
  f = connection_fields();
  f["pin"] = "123456";
  CHECK(w.registry.two_way_migration(w.ada, f, "32100000009", "form").status().code() == StatusCode::kInvalidArgument);
  CHECK(w.registry.two_way_migration(w.ada, connection_fields(), "32100000009", "").status().code() ==
        StatusCode::kInvalidArgument);
  RegistryActions no_pins{*w.ledger, w.clock, nullptr};
  CHECK(no_pins.two_way_migration(w.ada, connection_fields(), "32100000009", "form").status().code() ==
        StatusCode::kFailedPrecondition);
  CHECK(w.ledger->find_subscribers("522000000001").value().empty());
  CHECK(w.ledger->find_messages("out", "requested", 10).value().empty());
  CHECK(!w.ledger->find_migrated_meter("32100000009").value().has_value());
}

TEST_CASE("power change, modem swap: validated, applied, audited with what they replaced", "[helpdesk][registry]") {
  World w;
  const std::string idpel = w.one.customer.idpel, meter = w.one.meter.meter_no;
  CHECK(w.registry.power_change(w.ada, idpel, "R1", "many", "upgrade").message() ==
        "power_va 'many' must be a whole number of VA from 1 to 999999999");
  CHECK(w.registry.power_change(w.ada, "12", "R1", "900", "upgrade").code() == StatusCode::kInvalidArgument);
  REQUIRE(w.registry.power_change(w.ada, idpel, "R1M", "2200", "upgrade paid, SPK 77").ok());
  CHECK(w.ledger->find_subscribers(idpel).value().at(0).customer.power_va == 2200);
  CHECK(w.ledger->audit_of(idpel).value().at(0).detail ==
        "to tariff R1M, 2200 VA; why: upgrade paid, SPK 77; before: tariff R1, 900 VA");
  CHECK(w.registry.power_change(w.ada, idpel, "R1M", "2200", "again").code() == StatusCode::kFailedPrecondition);

  CHECK(w.registry.modem_swap(w.ada, meter, "0811", "M1", "broken").code() == StatusCode::kInvalidArgument);
  REQUIRE(w.registry.modem_swap(w.ada, meter, "6281160000009", "M1600009", "modem broken, replaced").ok());
  CHECK(w.ledger->find_subscriber_by_modem("6281160000009").value()->meter.meter_no == meter);
  CHECK(w.ledger->audit_of(meter).value().back().action == "registry.modem_swap");
  CHECK(w.registry.modem_swap(w.ada, "14099999999", "6281160000009", "M1", "x y z").code() == StatusCode::kNotFound);
}

TEST_CASE("phones: added with a one-time PIN, removed; PIN reset replaces the PIN and clears a lock",
          "[helpdesk][registry]") {
  World w;
  const std::string meter = w.one.meter.meter_no;
  CHECK(w.registry.add_phone(w.ada, meter, "6281370000001", "fr", "wife's phone").status().message() ==
        "language 'fr' must be id or en");
  auto added = w.registry.add_phone(w.ada, meter, "6281370000001", "id", "wife's phone");
  REQUIRE(added.ok());
  const std::string pin = pin_in(w.sms(*added).body);
  CHECK(pins().matches("6281370000001", meter, pin, w.ledger->find_subscription("6281370000001", meter).value()->pin_hash));
  CHECK(w.registry.add_phone(w.ada, meter, "6281370000001", "id", "twice").status().code() ==
        StatusCode::kAlreadyExists);

  // A locked phone forgot its PIN.
  store::WriteSet lock;
  lock.update_subscription({.msisdn = "6281370000001", .meter_no = meter, .failed_pin_attempts = 5,
                            .locked_until_ms = kT0 + 10'000'000});
  write(*w.ledger, std::move(lock));
  auto reset = w.registry.reset_pin(w.ada, meter, "6281370000001", "caller verified by IDPEL and address");
  REQUIRE(reset.ok());
  CHECK(*reset != *added);
  const std::string fresh = pin_in(w.sms(*reset).body);
  auto sub = w.ledger->find_subscription("6281370000001", meter).value();
  CHECK(pins().matches("6281370000001", meter, fresh, sub->pin_hash));
  CHECK(sub->locked_until_ms == 0);
  CHECK(sub->failed_pin_attempts == 0);
  auto audit = w.ledger->audit_of(meter).value();
  CHECK(audit.back().action == "subscription.pin_reset");
  CHECK_THAT(audit.back().detail, Catch::Contains("lock cleared"));
  w.check_pin_only_in_sms(meter, pin);
  w.check_pin_only_in_sms(meter, fresh);

  REQUIRE(w.registry.remove_phone(w.ada, meter, "6281370000001", "phone lost").ok());
  CHECK(!w.ledger->find_subscription("6281370000001", meter).value().has_value());
  CHECK(w.registry.reset_pin(w.ada, meter, "6281370000001", "again").status().code() == StatusCode::kNotFound);
  CHECK(w.registry.remove_phone(w.ada, meter, "6281370000001", "again").code() == StatusCode::kNotFound);
  CHECK(w.ledger->verify_chains().value().problem == std::nullopt);
}

TEST_CASE("without a PIN key the changes that make a PIN refuse; the others work", "[helpdesk][registry]") {
  World w;
  RegistryActions no_pins(*w.ledger, w.clock, nullptr);
  const std::string meter = w.one.meter.meter_no;
  CHECK(no_pins.add_phone(w.ada, meter, "6281370000001", "id", "why not").status().code() ==
        StatusCode::kFailedPrecondition);
  CHECK(no_pins.reset_pin(w.ada, meter, w.one.subscription.msisdn, "why not").status().code() ==
        StatusCode::kFailedPrecondition);
  CHECK(no_pins.import_csv(w.ada, "idpel\n", "why not").status().code() == StatusCode::kFailedPrecondition);
  CHECK(no_pins.remove_phone(w.ada, meter, w.one.subscription.msisdn, "moved out").ok());
}

TEST_CASE("the import file through the helpdesk: all or nothing, audited", "[helpdesk][registry]") {
  World w;
  const std::string header =
      "idpel,name,tariff,power_va,region,meter_no,sgc,ti,krn,kt,ea,dkga,base_date,kdpm,modem_msisdn,modem_key_id,"
      "msisdn,language,pin\n";
  const std::string good = "522000000002,BUDI,R1,900,JKT,14500000002,600675,01,1,2,07,02,2014,ABC,6281150000002,M2,"
                           "6281350000002,id,123456\n";
  const std::string bad = "522000000003,BUDI,R1,900,JKT,145,600675,01,1,2,07,02,2014,ABC,6281150000003,M3,"
                          "6281350000003,id,123456\n";
  auto refused = w.registry.import_csv(w.ada, header + good + bad, "batch from UP3");
  REQUIRE(refused.ok());
  REQUIRE(refused->errors.size() == 1);
  CHECK(refused->errors[0].line == 3);
  CHECK(w.ledger->find_subscribers("14500000002").value().empty());
  auto report = w.registry.import_csv(w.ada, header + good, "batch from UP3");
  REQUIRE(report.ok());
  CHECK(report->errors.empty());
  CHECK(report->meters_added == 1);
  CHECK(pins().matches("6281350000002", "14500000002", "123456",
                       w.ledger->find_subscription("6281350000002", "14500000002").value()->pin_hash));
  CHECK(w.registry.import_csv(w.ada, "", "empty").status().code() == StatusCode::kInvalidArgument);
  CHECK(w.registry.import_csv(w.ada, "idpel,name\n", "short").status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pintar::helpdesk
