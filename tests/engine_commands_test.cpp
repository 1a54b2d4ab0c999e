// The vending engine's customer dialogue (tests/support/engine_world.h): the same MO or text
// again, confirmations, PINs and lockout, languages, floods, unknown meters and amounts.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "tests/support/engine_world.h"

namespace pintar::engine {
namespace {

using namespace test_world;
using namespace std::chrono_literals;

TEST_CASE("a duplicate MO id is acked again and never sold twice") {
  World w;
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "sent"; }));
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-1");
  REQUIRE(w.eventually([&] { return w.gateway.acks_of("gw-1") == 2; }));
  CHECK(w.sim.sales() == 1);
  CHECK(w.engine->counters().value(kMoDuplicate) == 1);
}

TEST_CASE("the same text twice within the window is answered with the first result") {
  World w;
  w.engine->on_mo({.id = "gw-1", .smsc = "", .from = kPhone, .to = "8899", .text = "TOKEN 11000000004 52500 123456",
                   .received_at_ms = w.now_ms(), .idempotency_key = "same"});
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "sent"; }));
  w.engine->on_mo({.id = "gw-2", .smsc = "", .from = kPhone, .to = "8899", .text = "TOKEN 11000000004 52500 123456",
                   .received_at_ms = w.now_ms(), .idempotency_key = "same"});
  REQUIRE(w.eventually([&] { return w.gateway.acks_of("gw-2") == 1; }));
  CHECK(w.sim.sales() == 1);
  CHECK_FALSE(w.txn_of("gw-2").has_value());
  auto to_phone = w.gateway.mts_to(kPhone);
  REQUIRE(to_phone.size() == 2);
  CHECK(to_phone[1].text == to_phone[0].text);  // the receipt again
}

TEST_CASE("an mo_repeat is answered with the first result once it is out, never sold; silent before") {
  World w;
  const wire::MoRepeat repeat{.smsc = "", .from = kPhone, .to = "8899", .idempotency_key = "same",
                              .received_at_ms = w.now_ms()};
  w.engine->on_mo_repeat(repeat);  // nothing of that key yet (the MO itself not processed)
  w.engine->drain();
  CHECK(w.engine->counters().value(kMoRepeatsUnanswered) == 1);
  w.engine->on_mo({.id = "gw-1", .smsc = "", .from = kPhone, .to = "8899", .text = "TOKEN 11000000004 52500 123456",
                   .received_at_ms = w.now_ms(), .idempotency_key = "same"});
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "sent"; }));
  w.engine->on_mo_repeat(repeat);
  w.engine->on_mo_repeat({.smsc = "", .from = "6281999999999", .to = "8899", .idempotency_key = "same",
                          .received_at_ms = w.now_ms()});  // another phone: never shown someone else's receipt
  w.engine->drain();
  CHECK(w.sim.sales() == 1);
  auto to_phone = w.gateway.mts_to(kPhone);
  REQUIRE(to_phone.size() == 2);
  CHECK(to_phone[1].text == to_phone[0].text);  // the receipt again
  CHECK(w.gateway.mts_to("6281999999999").empty());
  CHECK(w.engine->counters().value(kMoRepeatsUnanswered) == 2);
}

TEST_CASE("other meter: confirmation with YA; YA late expires") {
  World w;
  w.mo(kPhone, "TOKEN 11000000002 52500", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "awaiting_confirmation"; }));
  auto prompt = w.gateway.mts_to(kPhone);
  REQUIRE(prompt.size() == 1);
  CHECK(prompt[0].text.find("BUDI SANTOSO") != std::string::npos);
  CHECK(w.sim.sales() == 0);
  w.mo(kPhone, "YA 123456", "gw-2");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "sent"; }));
  CHECK(w.sim.sales() == 1);
  REQUIRE(w.gateway.mts_to(kOtherModem).size() == 1);

  w.mo(kPhone, "TOKEN 11000000002 22500", "gw-3");
  REQUIRE(w.eventually([&] { return w.state_of("gw-3") == "awaiting_confirmation"; }));
  w.clock.advance(301s);
  REQUIRE(w.eventually([&] { return w.state_of("gw-3") == "expired"; }));
  w.mo(kPhone, "YA 123456", "gw-4");
  REQUIRE(w.eventually([&] { return w.gateway.acks_of("gw-4") == 1; }));
  CHECK(w.sim.sales() == 1);
}

TEST_CASE("a confirmation awaiting YA survives a restart: YA <PIN> within the window buys it, once") {
  World w;
  w.mo(kPhone, "TOKEN 11000000002 52500", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "awaiting_confirmation"; }));
  w.clock.advance(120s);
  w.restart();  // as after kill -9: nothing but the ledger
  w.engine->drain();
  w.gateway.clear();  // start() sent the prompt again: never acked by this gateway
  w.mo(kPhone, "YA 123456", "gw-2");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "sent"; }));
  CHECK(w.sim.sales() == 1);
  REQUIRE(w.gateway.mts_to(kOtherModem).size() == 1);
  const auto to_phone = w.gateway.mts_to(kPhone);
  REQUIRE(to_phone.size() == 1);  // the receipt
  CHECK(to_phone[0].text.starts_with("TOKEN "));
}

TEST_CASE("the confirmation window runs from the prompt, across a wrong PIN and a restart") {
  World w;
  w.mo(kPhone, "TOKEN 11000000002 52500", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "awaiting_confirmation"; }));
  w.clock.advance(200s);
  w.mo(kPhone, "YA 654321", "gw-2");  // a typo: told, the offer stays open...
  REQUIRE(w.eventually([&] { return w.gateway.mts_to(kPhone).size() == 2; }));
  CHECK(w.state_of("gw-1") == "awaiting_confirmation");
  w.restart();
  w.engine->drain();  // the resumed timer is armed before the clock moves
  w.gateway.clear();
  w.clock.advance(101s);  // ...but not for five more minutes: 301 s after the prompt
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "expired"; }));
  w.mo(kPhone, "YA 123456", "gw-3");
  REQUIRE(w.eventually([&] { return w.gateway.acks_of("gw-3") == 1; }));
  CHECK(w.sim.sales() == 0);
  CHECK(w.state_of("gw-1") == "expired");
  const auto to_phone = w.gateway.mts_to(kPhone);
  REQUIRE(to_phone.size() == 1);
  CHECK(to_phone[0].text.starts_with("Tidak ada pembelian yang menunggu YA."));

  // And without a restart: a wrong PIN at 200 s, expired at 301 s all the same.
  w.mo(kPhone, "TOKEN 11000000002 22500", "gw-4");
  REQUIRE(w.eventually([&] { return w.state_of("gw-4") == "awaiting_confirmation"; }));
  w.clock.advance(200s);
  w.mo(kPhone, "YA 654321", "gw-5");
  REQUIRE(w.eventually([&] { return w.gateway.mts_to(kPhone).size() == 3; }));
  w.clock.advance(101s);
  REQUIRE(w.eventually([&] { return w.state_of("gw-4") == "expired"; }));
  CHECK(w.sim.sales() == 0);
}

TEST_CASE("another SMS while a confirmation waits cancels it; a YA after that buys nothing") {
  World w;
  w.mo(kPhone, "TOKEN 11000000002 52500", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "awaiting_confirmation"; }));
  w.mo(kPhone, "BANTUAN", "gw-2");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "cancelled"; }));
  w.mo(kPhone, "YA 123456", "gw-3");
  REQUIRE(w.eventually([&] { return w.gateway.acks_of("gw-3") == 1; }));
  CHECK(w.sim.sales() == 0);
  CHECK(w.state_of("gw-1") == "cancelled");
  const auto to_phone = w.gateway.mts_to(kPhone);
  REQUIRE(to_phone.size() == 3);  // the prompt, the help text, "nothing to confirm"
  CHECK(to_phone[1].text.starts_with("TOKEN <meter> <nominal> <PIN> beli"));
}

TEST_CASE("BAHASA EN switches the phone's replies to English, BAHASA ID back") {
  World w;
  w.mo(kPhone, "BAHASA EN", "gw-1");
  REQUIRE(w.eventually([&] { return w.gateway.mts_to(kPhone).size() == 1; }));
  CHECK(w.gateway.mts_to(kPhone)[0].text == "Replies will now be in English.");
  w.mo(kPhone, "HELP", "gw-2");
  REQUIRE(w.eventually([&] { return w.gateway.mts_to(kPhone).size() == 2; }));
  CHECK(w.gateway.mts_to(kPhone)[1].text.starts_with("TOKEN <meter> <amount> <PIN> buy"));
  w.mo(kPhone, "bahasa id", "gw-3");
  REQUIRE(w.eventually([&] { return w.gateway.mts_to(kPhone).size() == 3; }));
  CHECK(w.gateway.mts_to(kPhone)[2].text == "Balasan akan dikirim dalam Bahasa Indonesia.");
}

TEST_CASE("a flood from one phone: one warning, then silence; every MO still recorded and acked") {
  World w;
  VendingOptions options = vending_options();
  options.rate_limit_count = 3;
  w.restart(options);
  for (int i = 1; i <= 8; ++i) w.mo(kPhone, "BANTUAN", fmt::format("gw-{}", i));
  REQUIRE(w.eventually([&] { return w.gateway.acks_of("gw-8") == 1; }));
  const auto to_phone = w.gateway.mts_to(kPhone);
  REQUIRE(to_phone.size() == 4);  // three answers, then one warning
  CHECK(to_phone[3].text.starts_with("Terlalu banyak SMS."));
  for (int i = 1; i <= 8; ++i) {
    INFO(i);
    CHECK(w.gateway.acks_of(fmt::format("gw-{}", i)) == 1);
    CHECK(w.ledger->find_message(fmt::format("gw-{}", i))->has_value());
  }
  CHECK(w.engine->counters().value(kMoRateLimited) == 5);
}

TEST_CASE("wrong PINs: told, then locked after 5, audited; a right PIN is then refused too") {
  World w;
  for (int i = 1; i <= 5; ++i) {
    const std::string id = fmt::format("gw-{}", i);
    w.mo(kPhone, "TOKEN 11000000004 52500 654321", id);
    REQUIRE(w.eventually([&] { return w.state_of(id) == "refused"; }));
  }
  auto sub = w.ledger->find_subscription(kPhone, kMeter);
  REQUIRE(sub.ok());
  CHECK((*sub)->locked_until_ms > w.now_ms());
  CHECK(w.engine->counters().value(kLockouts) == 1);
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-6");
  REQUIRE(w.eventually([&] { return w.state_of("gw-6") == "refused"; }));
  CHECK(w.sim.sales() == 0);
  auto replies = w.gateway.mts_to(kPhone);
  REQUIRE(replies.size() == 6);
  CHECK(replies.back().text.find("30") != std::string::npos);
  for (const auto& r : replies) CHECK(r.text.find("654321") == std::string::npos);
}

TEST_CASE("unknown meter and amounts not allowed are answered, nothing sold") {
  World w;
  w.mo(kPhone, "TOKEN 99999999999 52500 123456", "gw-1");
  w.mo(kPhone, "TOKEN 11000000004 50001 123456", "gw-2");
  w.mo(kPhone, "apa ini", "gw-3");
  REQUIRE(w.eventually([&] { return w.gateway.mts_to(kPhone).size() == 3; }));
  CHECK(w.sim.sales() == 0);
  CHECK(w.gateway.mts_to(kPhone)[1].text.find("52.500") != std::string::npos);
}

}  // namespace
}  // namespace pintar::engine
