// Helpdesk actions on a real ledger: each does what it says and leaves its audit row.
#include "helpdesk/actions.h"

#include "helpdesk/lookups.h"
#include "helpdesk/test_support.h"

namespace pintar::helpdesk {
namespace {

using engine::testing::import;
using engine::testing::open_ledger_at;
using engine::testing::subscriber;
using namespace testing;
using namespace std::chrono;

struct World {
  std::string dir = store::testing::make_temp_dir();
  std::unique_ptr<store::Ledger> ledger = open_ledger_at(dir + "/ledger.db");
  ManualClock clock{Clock::WallTime(milliseconds(kT0 + 100'000))};
  store::SubscriberRecord one = subscriber(1);
  Actions actions{*ledger, clock};
  Caller budi{.key_id = "0123456789abcdef", .name = "budi", .role = Role::kOperator};
  World() { import(*ledger, {one}); }
};

TEST_CASE("resend queues the same token for the engine to send, and audits it", "[helpdesk][actions]") {
  World w;
  store::TransactionRecord t = add_purchase(*w.ledger, 1, w.one);
  t = next_version(*w.ledger, t, "completed", "12345678901234567890", "REF1");
  auto id = w.actions.resend(w.budi, t.txn_id, "customer deleted the SMS");
  REQUIRE(id.ok());
  auto pending = w.ledger->find_messages("out", "requested", 10).value();
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].message_id == *id);
  CHECK(pending[0].msisdn == t.msisdn);
  CHECK(pending[0].txn_id == t.txn_id);
  CHECK_THAT(pending[0].body, Catch::Contains("1234-5678-9012-3456-7890") || Catch::Contains("1234 5678 9012 3456 7890"));
  CHECK(w.ledger->find_transaction(t.txn_id).value()->version == 2);  // no new sale, no new version
  auto audit = w.ledger->audit_of(t.txn_id).value();
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].actor == "helpdesk:budi");
  CHECK(audit[0].action == "token.resend");
  CHECK_THAT(audit[0].detail, Catch::Contains("customer deleted the SMS"));
  CHECK(audit[0].detail.find("12345678901234567890") == std::string::npos);

  CHECK(w.actions.resend(w.budi, t.txn_id, "").status().code() == StatusCode::kInvalidArgument);
  CHECK(w.actions.resend(w.budi, "nope", "why not").status().code() == StatusCode::kNotFound);
  add_purchase(*w.ledger, 2, w.one);
  CHECK(w.actions.resend(w.budi, "t0002", "no token yet").status().code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("resolve ends a needs_manual purchase with a new version and an audit row", "[helpdesk][actions]") {
  World w;
  store::TransactionRecord t = add_purchase(*w.ledger, 1, w.one);
  t = next_version(*w.ledger, t, "needs_manual");
  CHECK(w.actions.resolve(w.budi, t.txn_id, "lost", "because").status().code() == StatusCode::kInvalidArgument);
  auto done = w.actions.resolve(w.budi, t.txn_id, "completed", "customer read credit 15.4 on the meter");
  REQUIRE(done.ok());
  CHECK(done->version == 3);
  auto now = w.ledger->find_transaction(t.txn_id).value();
  CHECK(now->state == "completed");
  CHECK_THAT(*now->reason, Catch::Contains("resolved by budi"));
  CHECK(w.ledger->audit_of(t.txn_id).value().at(0).action == "purchase.resolve");
  // Only needs_manual purchases.
  CHECK(w.actions.resolve(w.budi, t.txn_id, "refused", "second try").status().code() ==
        StatusCode::kFailedPrecondition);
  CHECK(w.ledger->verify_chains().value().problem == std::nullopt);
}

TEST_CASE("unlock opens a locked subscription and audits it", "[helpdesk][actions]") {
  World w;
  store::WriteSet ws;
  ws.update_subscription({.msisdn = w.one.subscription.msisdn, .meter_no = w.one.meter.meter_no,
                          .failed_pin_attempts = 5, .locked_until_ms = kT0 + 1'000'000});
  write(*w.ledger, std::move(ws));
  REQUIRE(w.actions.unlock(w.budi, w.one.subscription.msisdn, w.one.meter.meter_no, "caller verified by IDPEL").ok());
  auto sub = w.ledger->find_subscription(w.one.subscription.msisdn, w.one.meter.meter_no).value();
  CHECK(sub->locked_until_ms == 0);
  CHECK(sub->failed_pin_attempts == 0);
  auto audit = w.ledger->audit_of(w.one.meter.meter_no).value();
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].action == "subscription.unlock");
  CHECK_THAT(audit[0].detail, Catch::Contains("was locked"));
  CHECK(audit[0].detail.find(w.one.subscription.msisdn) == std::string::npos);  // masked
  CHECK(w.actions.unlock(w.budi, "6289999999999", w.one.meter.meter_no, "reason").code() == StatusCode::kNotFound);
  CHECK(w.actions.unlock(w.budi, "08123", w.one.meter.meter_no, "reason").code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pintar::helpdesk
