// Look-ups on a real ledger file: search by each key, pages by cursor, timelines, records.
#include "helpdesk/lookups.h"

#include <set>

#include "helpdesk/test_support.h"
#include "helpdesk/views.h"

namespace pintar::helpdesk {
namespace {

using engine::testing::import;
using engine::testing::open_ledger_at;
using engine::testing::subscriber;
using namespace testing;

struct World {
  std::string dir = store::testing::make_temp_dir();
  std::unique_ptr<store::Ledger> ledger = open_ledger_at(dir + "/ledger.db");
  store::SubscriberRecord one = subscriber(1), two = subscriber(2);
  Lookups lookups{*ledger, nullptr};
  World() { import(*ledger, {one, two}); }
};

std::vector<std::string> ids(const SearchPage& page) {
  std::vector<std::string> out;
  for (const auto& t : page.purchases) out.push_back(t.txn_id);
  return out;
}

TEST_CASE("search finds purchases by meter, IDPEL, phone, state, token, reference and time, newest first",
          "[helpdesk]") {
  World w;
  for (int n = 1; n <= 6; ++n) add_purchase(*w.ledger, n, n % 2 == 1 ? w.one : w.two);
  next_version(*w.ledger, purchase(3, w.one), "token_issued", "12345678901234567890", "REF0003");
  next_version(*w.ledger, purchase(4, w.two), "needs_manual");

  auto by_meter = w.lookups.search({.meter = w.one.meter.meter_no});
  REQUIRE(by_meter.ok());
  CHECK(ids(*by_meter) == std::vector<std::string>{"t0005", "t0003", "t0001"});
  CHECK(by_meter->purchases[1].state == "token_issued");  // the newest version
  CHECK(!by_meter->next_cursor);

  CHECK(ids(*w.lookups.search({.idpel = w.two.customer.idpel})) == std::vector<std::string>{"t0006", "t0004", "t0002"});
  CHECK(ids(*w.lookups.search({.msisdn = w.two.subscription.msisdn})).size() == 3);
  CHECK(ids(*w.lookups.search({.states = {"needs_manual"}})) == std::vector<std::string>{"t0004"});
  CHECK(ids(*w.lookups.search({.token = "1234-5678-9012-3456-7890"})) == std::vector<std::string>{"t0003"});
  CHECK(ids(*w.lookups.search({.reference = "REF0003"})) == std::vector<std::string>{"t0003"});
  CHECK(ids(*w.lookups.search({.since_ms = kT0 + 2000, .until_ms = kT0 + 5000})) ==
        std::vector<std::string>{"t0004", "t0003", "t0002"});
  CHECK(ids(*w.lookups.search({.meter = w.one.meter.meter_no, .states = {"needs_manual"}})).empty());
  CHECK(ids(*w.lookups.search({.idpel = "999999999999"})).empty());
}

TEST_CASE("pages by cursor cover every purchase once, in order", "[helpdesk]") {
  World w;
  for (int n = 1; n <= 23; ++n) add_purchase(*w.ledger, n, w.one);
  // Two purchases at the same millisecond: the cursor's txn_id breaks the tie.
  store::TransactionRecord twin = purchase(24, w.one);
  twin.created_ms = purchase(23, w.one).created_ms;
  store::WriteSet ws;
  ws.append_transaction(twin);
  write(*w.ledger, std::move(ws));

  std::vector<std::string> seen;
  SearchRequest request{.meter = w.one.meter.meter_no, .limit = 5};
  int pages = 0;
  for (;;) {
    auto page = w.lookups.search(request);
    REQUIRE(page.ok());
    ++pages;
    for (const auto& id : ids(*page)) seen.push_back(id);
    if (!page->next_cursor) break;
    request.cursor = page->next_cursor;
  }
  CHECK(pages == 5);
  REQUIRE(seen.size() == 24);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 24);
  CHECK(seen.front() == "t0024");
  CHECK(seen[1] == "t0023");
  CHECK(seen.back() == "t0001");
}

TEST_CASE("bad search input is refused with the field named", "[helpdesk]") {
  World w;
  auto message = [&](SearchRequest r) {
    auto page = w.lookups.search(r);
    REQUIRE(page.status().code() == StatusCode::kInvalidArgument);
    return page.status().message();
  };
  CHECK_THAT(message({.meter = "123"}), Catch::Contains("meter: 11 digits"));
  CHECK_THAT(message({.idpel = "12345678901x"}), Catch::Contains("idpel"));
  CHECK_THAT(message({.msisdn = "081234567890"}), Catch::Contains("msisdn: 62"));
  CHECK_THAT(message({.token = "1234"}), Catch::Contains("token: 20 digits"));
  CHECK_THAT(message({.reference = "a b"}), Catch::Contains("reference"));
  CHECK_THAT(message({.states = {"lost"}}), Catch::Contains("'lost' is not a purchase state"));
  CHECK_THAT(message({.since_ms = 10, .until_ms = 5}), Catch::Contains("until"));
  CHECK_THAT(message({.cursor = "nonsense"}), Catch::Contains("cursor"));
  CHECK_THAT(message({.limit = 0}), Catch::Contains("limit"));
  CHECK_THAT(message({.limit = kMaxPageSize + 1}), Catch::Contains("limit"));
}

TEST_CASE("a timeline holds every version, SMS, the modem command and the audit, in time order", "[helpdesk]") {
  World w;
  store::TransactionRecord t = add_purchase(*w.ledger, 1, w.one);
  store::WriteSet ws;
  ws.record_message({.message_id = "mo-1", .direction = "in", .msisdn = t.msisdn, .body = "TOKEN 20000 ******",
                     .txn_id = t.txn_id, .smpp_message_id = "smsc-9", .delivery_state = "received",
                     .created_ms = t.created_ms, .updated_ms = t.created_ms});
  write(*w.ledger, std::move(ws));
  t = next_version(*w.ledger, t, "token_issued", "12345678901234567890");
  store::WriteSet out;
  out.record_message({.message_id = "mt-1", .direction = "out", .msisdn = t.msisdn,
                      .body = "Token 1234 5678 9012 3456 7890 meter", .txn_id = t.txn_id,
                      .smpp_message_id = std::nullopt, .delivery_state = "delivered",
                      .created_ms = t.recorded_ms + 1, .updated_ms = t.recorded_ms + 5});
  out.record_modem_command({.meter_no = t.meter_no, .seq = 1, .kind = "token", .txn_id = t.txn_id, .state = "accepted",
                            .attempts = 1, .result = "CR 154", .created_ms = t.recorded_ms, .updated_ms = t.recorded_ms + 9});
  out.append_audit({.at_ms = t.recorded_ms + 20, .actor = "helpdesk:budi", .action = "token.resend",
                    .subject = t.txn_id, .detail = "why: customer lost it"});
  write(*w.ledger, std::move(out));

  auto tl = w.lookups.timeline(t.txn_id);
  REQUIRE(tl.ok());
  CHECK(tl->versions.size() == 2);
  CHECK(tl->messages.size() == 2);
  REQUIRE(tl->command);
  CHECK(tl->audit.size() == 1);
  const auto lines = timeline_lines(*tl, Role::kOperator);
  std::vector<std::string> kinds;
  for (const auto& l : lines) kinds.push_back(l.kind);
  CHECK(kinds == std::vector<std::string>{"state", "sms_in", "state", "sms_out", "modem", "audit"});
  CHECK_THAT(lines[1].text, Catch::Contains("SMSC id smsc-9"));

  // A viewer sees the phone and the token masked, everywhere.
  const std::string viewer = timeline_json(*tl, Role::kViewer).dump();
  CHECK(viewer.find(t.msisdn) == std::string::npos);
  CHECK(viewer.find("12345678901234567890") == std::string::npos);
  CHECK(viewer.find("5678 9012 3456") == std::string::npos);
  const std::string op = timeline_json(*tl, Role::kOperator).dump();
  CHECK(op.find(t.msisdn) != std::string::npos);
  CHECK(op.find("12345678901234567890") != std::string::npos);

  CHECK(w.lookups.timeline("nope").status().code() == StatusCode::kNotFound);
  CHECK(w.lookups.timeline("").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("records show the meter, its customer, modem, phones, last credit and purchases", "[helpdesk]") {
  World w;
  add_purchase(*w.ledger, 1, w.one);
  store::WriteSet ws;
  ws.record_meter_event({.meter_no = w.one.meter.meter_no, .at_ms = kT0 + 5, .kind = "token_accepted",
                         .detail = "txn t0001 seq 1", .credit_deci_kwh = 321});
  ws.record_meter_event({.meter_no = w.one.meter.meter_no, .at_ms = kT0 + 9, .kind = "tamper", .detail = "cover open"});
  ws.update_subscription({.msisdn = w.one.subscription.msisdn, .meter_no = w.one.meter.meter_no,
                          .failed_pin_attempts = 5, .locked_until_ms = kT0 + 60'000});
  write(*w.ledger, std::move(ws));
  for (const std::string& key : {w.one.meter.meter_no, w.one.customer.idpel, w.one.subscription.msisdn}) {
    auto records = w.lookups.records(key);
    REQUIRE(records.ok());
    REQUIRE(records->size() == 1);
    const MeterRecord& r = records->front();
    CHECK(r.view.customer.idpel == w.one.customer.idpel);
    CHECK(r.view.modem.msisdn == w.one.modem.msisdn);
    REQUIRE(r.subscriptions.size() == 1);
    CHECK(r.subscriptions[0].locked_until_ms == kT0 + 60'000);
    CHECK(r.subscriptions[0].pin_hash == crypto::Sha256Digest{});
    CHECK(r.last_credit_deci_kwh == 321);
    CHECK(r.events.size() == 2);
    CHECK(r.purchases.size() == 1);
  }
  CHECK(w.lookups.records("62899").status().code() == StatusCode::kInvalidArgument);
  CHECK(w.lookups.records("99999999999").status().code() == StatusCode::kNotFound);
}

}  // namespace
}  // namespace pintar::helpdesk
