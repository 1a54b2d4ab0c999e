// The helpdesk's HTTP API, served for real over loopback on a real ledger file: every
// endpoint refuses a missing/wrong key (401) and a role too low (403) with one body, and bad
// input with a 400 naming the field.
#include "helpdesk/server.h"

#include <cstdlib>
#include <regex>

#include <httplib.h>

#include "helpdesk/test_support.h"

namespace pintar::helpdesk {
namespace {

using engine::testing::import;
using engine::testing::subscriber;
using engine::testing::vending_key;
using nlohmann::json;
using namespace testing;

struct World {
  std::string dir = store::testing::make_temp_dir();
  store::LedgerOptions options = store::testing::options_in(dir);
  std::unique_ptr<store::Ledger> ledger = store::open_ledger(options).value();
  std::unique_ptr<store::HelpdeskKeyStore> keys = store::HelpdeskKeyStore::open(options).value();
  store::SubscriberRecord one = subscriber(1);
  Lookups lookups{*ledger, nullptr};
  TokenDiagnoser diagnoser{*ledger, vending_key(sts::KeyDerivation::kDkga02)};
  Actions actions{*ledger, Clock::real()};
  Access access{*keys, Clock::real(), 1000};
  store::PinHasher pins = store::PinHasher::create(Secret(std::vector<uint8_t>(32, 'p'))).value();
  RegistryActions registry{*ledger, Clock::real(), &pins};
  std::unique_ptr<Server> server;
  std::string viewer = add("vera", Role::kViewer), op = add("oscar", Role::kOperator), admin = add("ada", Role::kAdmin);

  explicit World(HelpdeskOptions o = {.port = 0}) {
    import(*ledger, {one});
    store::TransactionRecord t = add_purchase(*ledger, 1, one);
    next_version(*ledger, t, "needs_manual", "12345678901234567890", "REF1");
    auto started = Server::start(o, {lookups, diagnoser, actions, access, registry});
    INFO(started.status().to_string());
    REQUIRE(started.ok());
    server = std::move(started).value();
  }
  std::string add(const std::string& name, Role role) {
    auto key = make_key(name, role, 1).value();
    REQUIRE(keys->add(key.row).ok());
    return key.text;
  }
  httplib::Result call(const std::string& method, const std::string& path, const std::string& key,
                       const std::string& body = "{}") {
    httplib::Client client("127.0.0.1", server->port());
    httplib::Headers headers;
    if (!key.empty()) headers.emplace("Authorization", "Bearer " + key);
    if (method == "GET") return client.Get(path, headers);
    return client.Post(path, headers, body, path.starts_with("/api/v1/registry/import") ? "text/csv" : "application/json");
  }
};

const std::string kConnection =
    R"({"idpel":"522000000001","name":"SITI","tariff":"R1","power_va":900,"region":"JKT","meter_no":"14500000001",)"
    R"("sgc":"600675","ti":"1","krn":"1","kt":"2","ea":"07","dkga":"02","base_date":"2014","kdpm":"ABC",)"
    R"("modem_msisdn":"6281150000001","modem_key_id":"M1450001","msisdn":"6281350000001","language":"id",)"
    R"("reason":"new house"})";
// A new connection whose meter replaces a one-way meter (another meter, modem and phone).
std::string migration_body(std::string one_way) {
  json body = json::parse(kConnection);
  body["idpel"] = "522000000002";
  body["meter_no"] = "14500000002";
  body["modem_msisdn"] = "6281150000002";
  body["msisdn"] = "6281350000002";
  body["one_way_meter"] = std::move(one_way);
  return body.dump();
}
const std::string kImportHeader =
    "idpel,name,tariff,power_va,region,meter_no,sgc,ti,krn,kt,ea,dkga,base_date,kdpm,modem_msisdn,modem_key_id,"
    "msisdn,language,pin\n";

struct Endpoint {
  std::string method, path, body;
  Role need;
};

const Endpoint kEndpoints[] = {
    {"GET", "/api/v1/whoami", "", Role::kViewer},
    {"GET", "/api/v1/purchases?meter=14000000001", "", Role::kViewer},
    {"GET", "/api/v1/purchases/t0001", "", Role::kViewer},
    {"GET", "/api/v1/records/14000000001", "", Role::kViewer},
    {"POST", "/api/v1/diagnose", R"({"meter":"14000000001","token":"12345678901234567890"})", Role::kViewer},
    {"POST", "/api/v1/purchases/t0001/resend", R"({"reason":"lost the SMS"})", Role::kOperator},
    {"POST", "/api/v1/purchases/t0001/resolve", R"({"outcome":"completed","reason":"meter shows it"})", Role::kOperator},
    {"POST", "/api/v1/subscriptions/unlock", R"({"msisdn":"6281200000001","meter":"14000000001","reason":"verified"})",
     Role::kOperator},
    {"POST", "/api/v1/registry/connections", kConnection, Role::kAdmin},
    {"POST", "/api/v1/registry/migrations", migration_body("32100000001"), Role::kAdmin},
    {"POST", "/api/v1/registry/power", R"({"idpel":"511000000001","tariff":"R1M","power_va":2200,"reason":"upgrade"})",
     Role::kAdmin},
    {"POST", "/api/v1/registry/modem",
     R"({"meter":"14000000001","modem_msisdn":"6281160000009","key_id":"M1600009","reason":"broken"})", Role::kAdmin},
    {"POST", "/api/v1/registry/phones/add",
     R"({"meter":"14000000001","msisdn":"6281370000001","language":"id","reason":"wife"})", Role::kAdmin},
    {"POST", "/api/v1/registry/phones/remove", R"({"meter":"14000000001","msisdn":"6281200000001","reason":"lost"})",
     Role::kAdmin},
    {"POST", "/api/v1/registry/pin-reset", R"({"meter":"14000000001","msisdn":"6281200000001","reason":"forgot"})",
     Role::kAdmin},
    {"POST", "/api/v1/registry/import?reason=batch", kImportHeader, Role::kAdmin},
};

TEST_CASE("every endpoint: 401 without a valid key, 403 below its role, one body for both", "[helpdesk][http]") {
  World w;
  std::string revoked = w.add("gone", Role::kAdmin);
  REQUIRE(w.keys->revoke("gone", 5).ok());
  for (const Endpoint& e : kEndpoints) {
    INFO(e.method << " " << e.path);
    std::string wrong = w.admin;
    wrong[30] = wrong[30] == 'a' ? 'b' : 'a';
    for (const std::string& bad : {std::string(), std::string("nonsense"), wrong, revoked}) {
      auto res = w.call(e.method, e.path, bad, e.body);
      REQUIRE(res);
      CHECK(res->status == 401);
      CHECK(res->body == R"({"error":"not allowed"})");
    }
    int refused = 0;
    for (const auto& [key, role] : {std::pair{w.viewer, Role::kViewer}, std::pair{w.op, Role::kOperator}}) {
      if (role >= e.need) continue;
      auto res = w.call(e.method, e.path, key, e.body);
      REQUIRE(res);
      CHECK(res->status == 403);
      CHECK(res->body == R"({"error":"not allowed"})");
      ++refused;
    }
    CHECK(refused == (e.need == Role::kAdmin ? 2 : e.need == Role::kOperator ? 1 : 0));
  }
  // Nothing changed by the refused actions.
  CHECK(w.ledger->find_transaction("t0001").value()->state == "needs_manual");
  CHECK(w.ledger->find_messages("out", "requested", 10).value().empty());
  CHECK(w.ledger->audit_of("t0001").value().empty());
  CHECK(w.ledger->audit_of(w.one.meter.meter_no).value().empty());
  CHECK(w.ledger->audit_of(w.one.customer.idpel).value().empty());
  CHECK(w.ledger->find_subscribers("14500000001").value().empty());
  auto view = w.ledger->find_subscribers(w.one.meter.meter_no).value().at(0);
  CHECK(view.modem == w.one.modem);
  CHECK(view.customer == w.one.customer);
  CHECK(view.phones.size() == 1);
}

TEST_CASE("/healthz is open; unknown API paths are 404 only with a key", "[helpdesk][http]") {
  World w;
  auto health = w.call("GET", "/healthz", "");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(w.call("GET", "/api/v1/nothing", "")->status == 401);
  CHECK(w.call("GET", "/api/v1/nothing", w.viewer)->status == 404);
}

TEST_CASE("bad input is a 400 naming the field, on every endpoint", "[helpdesk][http]") {
  World w;
  auto error_of = [&](const std::string& method, const std::string& path, const std::string& body = "{}") {
    auto res = w.call(method, path, w.admin, body);
    REQUIRE(res);
    INFO(method << " " << path << " " << body << " -> " << res->body);
    CHECK(res->status == 400);
    return json::parse(res->body).value("error", "");
  };
  CHECK_THAT(error_of("GET", "/api/v1/purchases?meter=12"), Catch::Contains("meter"));
  CHECK_THAT(error_of("GET", "/api/v1/purchases?limit=0"), Catch::Contains("limit"));
  CHECK_THAT(error_of("GET", "/api/v1/purchases?since=yesterday"), Catch::Contains("since"));
  CHECK_THAT(error_of("GET", "/api/v1/purchases?state=lost"), Catch::Contains("state"));
  CHECK_THAT(error_of("GET", "/api/v1/purchases?colour=red"), Catch::Contains("colour: not a search parameter"));
  CHECK_THAT(error_of("GET", "/api/v1/purchases?cursor=zz"), Catch::Contains("cursor"));
  CHECK_THAT(error_of("GET", "/api/v1/records/abc"), Catch::Contains("key"));
  CHECK_THAT(error_of("POST", "/api/v1/diagnose", "not json"), Catch::Contains("body"));
  CHECK_THAT(error_of("POST", "/api/v1/diagnose", R"({"meter":"14000000001"})"), Catch::Contains("token"));
  CHECK_THAT(error_of("POST", "/api/v1/diagnose", R"({"meter":"14000000001","token":"12"})"), Catch::Contains("token"));
  CHECK_THAT(error_of("POST", "/api/v1/purchases/t0001/resend", "[]"), Catch::Contains("body"));
  CHECK_THAT(error_of("POST", "/api/v1/purchases/t0001/resend", R"({"reason":""})"), Catch::Contains("reason"));
  CHECK_THAT(error_of("POST", "/api/v1/purchases/t0001/resolve", R"({"outcome":"maybe","reason":"abc"})"),
             Catch::Contains("outcome"));
  CHECK_THAT(error_of("POST", "/api/v1/purchases/t0001/resolve", R"({"reason":"abc"})"), Catch::Contains("outcome"));
  CHECK_THAT(error_of("POST", "/api/v1/subscriptions/unlock", R"({"msisdn":"0812","meter":"14000000001","reason":"abc"})"),
             Catch::Contains("msisdn"));
  CHECK_THAT(error_of("POST", "/api/v1/subscriptions/unlock", R"({"msisdn":"6281200000001","reason":"abc"})"),
             Catch::Contains("meter"));
  // The registry's endpoints.
  CHECK_THAT(error_of("POST", "/api/v1/registry/connections", "[1]"), Catch::Contains("body"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/connections", R"({"meter_no":"14500000001"})"), Catch::Contains("reason"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/connections", R"({"meter_no":"14500000001","reason":"new"})"),
             Catch::Contains("idpel, "));
  json connection = json::parse(kConnection);
  connection["ea"] = "8";
  CHECK_THAT(error_of("POST", "/api/v1/registry/connections", connection.dump()), Catch::Contains("ea '8' must be"));
  connection["ea"] = json::array();
  CHECK_THAT(error_of("POST", "/api/v1/registry/connections", connection.dump()), Catch::Contains("ea: required, a string"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/migrations", kConnection), Catch::Contains("one_way_meter"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/migrations", migration_body("321")), Catch::Contains("one_way_meter"));
  json migration = json::parse(migration_body("32100000001"));
  migration["ea"] = "8";
  CHECK_THAT(error_of("POST", "/api/v1/registry/migrations", migration.dump()), Catch::Contains("ea '8' must be"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/power", R"({"idpel":"511000000001","tariff":"R1","reason":"upgrade"})"),
             Catch::Contains("power_va"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/power",
                      R"({"idpel":"511000000001","tariff":"R1","power_va":"-5","reason":"upgrade"})"),
             Catch::Contains("power_va '-5' must be"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/power",
                      R"({"idpel":"511000000001","tariff":"R 1","power_va":900,"reason":"upgrade"})"),
             Catch::Contains("tariff"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/modem",
                      R"({"meter":"14000000001","modem_msisdn":"0811","key_id":"M1","reason":"broken"})"),
             Catch::Contains("modem_msisdn"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/modem", R"({"meter":"14000000001","modem_msisdn":"6281160000009","reason":"x1"})"),
             Catch::Contains("key_id"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/phones/add",
                      R"({"meter":"14000000001","msisdn":"6281370000001","language":"fr","reason":"wife"})"),
             Catch::Contains("language"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/phones/remove", R"({"meter":"1","msisdn":"6281200000001","reason":"lost"})"),
             Catch::Contains("meter"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/pin-reset", R"({"meter":"14000000001","msisdn":"x","reason":"forgot"})"),
             Catch::Contains("msisdn"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/import", kImportHeader), Catch::Contains("reason"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/import?reason=batch", "idpel,name\n"), Catch::Contains("missing"));
  CHECK_THAT(error_of("POST", "/api/v1/registry/import?reason=batch",
                      kImportHeader + "522000000002,B,R1,900,JKT,145,600675,01,1,2,07,02,2014,ABC,6281150000002,M2,"
                                      "6281350000002,id,123456\n"),
             Catch::Contains("1 bad line"));
  CHECK(w.call("POST", "/api/v1/registry/pin-reset", w.admin,
               R"({"meter":"14000000001","msisdn":"6281399999999","reason":"forgot"})")->status == 404);
  CHECK(w.call("GET", "/api/v1/purchases/nope", w.viewer)->status == 404);
  CHECK(w.call("POST", "/api/v1/diagnose", w.viewer, R"({"meter":"99999999999","token":"12345678901234567890"})")->status ==
        404);
}

TEST_CASE("look-ups and actions through the API; viewers see phones and tokens masked", "[helpdesk][http]") {
  World w;
  auto as_viewer = w.call("GET", "/api/v1/purchases?meter=14000000001", w.viewer);
  REQUIRE(as_viewer->status == 200);
  const json page = json::parse(as_viewer->body);
  REQUIRE(page["purchases"].size() == 1);
  CHECK(page["purchases"][0]["token"] == "1234************7890");
  CHECK(page["purchases"][0]["msisdn"] != w.one.subscription.msisdn);
  CHECK(as_viewer->body.find("12345678901234567890") == std::string::npos);
  auto as_op = w.call("GET", "/api/v1/purchases?token=12345678901234567890", w.op);
  CHECK(json::parse(as_op->body)["purchases"][0]["msisdn"] == w.one.subscription.msisdn);

  auto resent = w.call("POST", "/api/v1/purchases/t0001/resend", w.op, R"({"reason":"customer lost it"})");
  REQUIRE(resent->status == 202);
  auto timeline = json::parse(w.call("GET", "/api/v1/purchases/t0001", w.op)->body);
  REQUIRE(timeline["audit"].size() == 1);
  CHECK(timeline["audit"][0]["actor"] == "helpdesk:oscar");
  CHECK(timeline["audit"][0]["action"] == "token.resend");

  auto resolved = w.call("POST", "/api/v1/purchases/t0001/resolve", w.op, R"({"outcome":"completed","reason":"ok now"})");
  REQUIRE(resolved->status == 200);
  CHECK(json::parse(resolved->body)["state"] == "completed");
  auto again = w.call("POST", "/api/v1/purchases/t0001/resolve", w.op, R"({"outcome":"refused","reason":"twice"})");
  CHECK(again->status == 409);

  auto whoami = json::parse(w.call("GET", "/api/v1/whoami", w.admin)->body);
  CHECK(whoami == json{{"name", "ada"}, {"role", "admin"}});
}

TEST_CASE("registry changes through the API: done, audited, the PIN in no answer", "[helpdesk][http][registry]") {
  World w;
  auto made = w.call("POST", "/api/v1/registry/connections", w.admin, kConnection);
  REQUIRE(made);
  INFO(made->body);
  REQUIRE(made->status == 201);
  const json answer = json::parse(made->body);
  CHECK(answer["meter"] == "14500000001");
  const std::string sms_id = answer["pin_sms"];
  auto sms = w.ledger->find_message(sms_id).value();
  REQUIRE(sms.has_value());
  CHECK(sms->delivery_state == "requested");
  auto again = w.call("POST", "/api/v1/registry/connections", w.admin, kConnection);
  CHECK(again->status == 409);

  auto power = w.call("POST", "/api/v1/registry/power", w.admin,
                      R"({"idpel":"522000000001","tariff":"R1M","power_va":"2200","reason":"upgrade paid"})");
  REQUIRE(power->status == 200);
  CHECK(json::parse(power->body)["power_va"] == 2200);
  auto records = json::parse(w.call("GET", "/api/v1/records/14500000001", w.admin)->body);
  CHECK(records["meters"][0]["customer"]["power_va"] == 2200);

  auto reset = w.call("POST", "/api/v1/registry/pin-reset", w.admin,
                      R"({"meter":"14500000001","msisdn":"6281350000001","reason":"forgot it"})");
  REQUIRE(reset->status == 202);
  const std::string reset_id = json::parse(reset->body)["pin_sms"];
  const std::string body = w.ledger->find_message(reset_id).value()->body;
  std::smatch digits;
  REQUIRE(std::regex_search(body, digits, std::regex(R"(\b\d{6}\b)")));
  const std::string pin = digits[0];
  CHECK(made->body.find(pin) == std::string::npos);
  CHECK(reset->body.find(pin) == std::string::npos);
  auto audit = w.ledger->audit_of("14500000001").value();
  REQUIRE(audit.size() == 2);
  CHECK(audit[0].action == "registry.new_connection");
  CHECK(audit[1].action == "subscription.pin_reset");
  CHECK(audit[1].actor == "helpdesk:ada");

  // A migration to two-way: 201, then 409 for the same one-way meter, and for a meter
  // registered here (two-way already); the old number's records are the new meter's.
  auto migrated = w.call("POST", "/api/v1/registry/migrations", w.admin, migration_body("32100000001"));
  REQUIRE(migrated);
  INFO(migrated->body);
  REQUIRE(migrated->status == 201);
  const json moved = json::parse(migrated->body);
  CHECK(moved["meter"] == "14500000002");
  CHECK(w.ledger->find_message(moved["pin_sms"].get<std::string>()).value().has_value());
  json twice = json::parse(migration_body("32100000001"));
  twice["meter_no"] = "14500000003";
  twice["modem_msisdn"] = "6281150000003";
  CHECK(w.call("POST", "/api/v1/registry/migrations", w.admin, twice.dump())->status == 409);
  twice["one_way_meter"] = "14500000001";
  CHECK(w.call("POST", "/api/v1/registry/migrations", w.admin, twice.dump())->status == 409);
  auto old = json::parse(w.call("GET", "/api/v1/records/32100000001", w.viewer)->body);
  REQUIRE(old["meters"].size() == 1);
  CHECK(old["meters"][0]["meter"]["meter_no"] == "14500000002");
  CHECK(old["meters"][0]["meter"]["migrated_from"] == "32100000001");
  auto trail = w.ledger->audit_of("14500000002").value();
  REQUIRE(trail.size() == 1);
  CHECK(trail[0].action == "registry.two_way_migration");
  CHECK_THAT(trail[0].detail, Catch::Contains("one-way meter 32100000001"));
}

TEST_CASE("past its rate limit a key gets 429, others go on", "[helpdesk][http]") {
  World w;
  Access tight(*w.keys, Clock::real(), 3);
  auto server = Server::start({.port = 0}, {w.lookups, w.diagnoser, w.actions, tight, w.registry}).value();
  httplib::Client client("127.0.0.1", server->port());
  const httplib::Headers viewer = {{"Authorization", "Bearer " + w.viewer}};
  for (int i = 0; i < 3; ++i) CHECK(client.Get("/api/v1/whoami", viewer)->status == 200);
  auto limited = client.Get("/api/v1/whoami", viewer);
  CHECK(limited->status == 429);
  CHECK(limited->get_header_value("Retry-After") == "1");
  CHECK(server->counters().value(kHelpdeskRateLimited) == 1);
  CHECK(client.Get("/api/v1/whoami", httplib::Headers{{"Authorization", "Bearer " + w.op}})->status == 200);
}

TEST_CASE("the server counts its answers by status", "[helpdesk][http]") {
  World w;
  CHECK(w.call("GET", "/healthz", "")->status == 200);
  CHECK(w.call("GET", "/api/v1/whoami", "")->status == 401);
  CHECK(w.call("GET", "/api/v1/whoami", "wrong")->status == 401);
  CHECK(w.call("POST", "/api/v1/purchases/t0001/resend", w.viewer, R"({"reason":"x"})")->status == 403);
  CHECK(w.call("GET", "/api/v1/purchases?meter=12", w.viewer)->status == 400);
  const Counters<HelpdeskCounter>& counters = w.server->counters();
  CHECK(counters.value(kHelpdeskRequests) == 5);
  CHECK(counters.value(kHelpdeskUnauthorized) == 2);
  CHECK(counters.value(kHelpdeskForbidden) == 1);
  CHECK(counters.value(kHelpdeskBadRequests) == 1);
  CHECK(counters.value(kHelpdeskRateLimited) == 0);
}

TEST_CASE("a second server on a port in use fails to start", "[helpdesk][http]") {
  World w;
  // httplib's default SO_REUSEPORT would let this bind and share the port with the first.
  auto second = Server::start({.port = w.server->port()}, {w.lookups, w.diagnoser, w.actions, w.access, w.registry});
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == StatusCode::kIoError);
  CHECK(w.call("GET", "/healthz", "")->status == 200);  // the first still serves
}

TEST_CASE("with a certificate configured it serves HTTPS only", "[helpdesk][http][tls]") {
  const std::string dir = store::testing::make_temp_dir();
  const std::string command = fmt::format(
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout {0}/key.pem -out {0}/cert.pem -days 2 -subj /CN=localhost "
      ">/dev/null 2>&1",
      dir);
  REQUIRE(std::system(command.c_str()) == 0);
  World w({.port = 0, .tls_certificate = dir + "/cert.pem", .tls_private_key = dir + "/key.pem"});
  CHECK(w.server->tls());
  httplib::SSLClient tls("127.0.0.1", w.server->port());
  tls.enable_server_certificate_verification(false);  // self-signed for the test
  auto health = tls.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  httplib::Client plain("127.0.0.1", w.server->port());
  CHECK(!plain.Get("/healthz"));  // plain HTTP is not answered
}

}  // namespace
}  // namespace pintar::helpdesk
