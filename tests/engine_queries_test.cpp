// The vending engine's answers that sell nothing (tests/support/engine_world.h): ULANG resends
// the sold token (and the key change tokens) to the phone and, while the meter never answered,
// to its modem; SALDO tells the meter's last reported credit; the gateway's submit results
// and delivery receipts update the stored outgoing SMS.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "tests/support/engine_world.h"

namespace pintar::engine {
namespace {

using namespace test_world;
using namespace std::chrono_literals;

// The outgoing SMS of a transaction stored in the ledger, to `to`.
size_t stored_out(World& w, const std::string& txn_id, const std::string& to) {
  auto messages = w.ledger->messages_of(txn_id);
  REQUIRE(messages.ok());
  size_t n = 0;
  for (const auto& m : *messages) n += m.direction == "out" && m.msisdn == to ? 1 : 0;
  return n;
}

TEST_CASE("ULANG: the same receipt again, and the same TOK to a modem that never answered; never a sale") {
  World w;
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "sent"; }));
  const std::string txn = w.txn_of("gw-1")->txn_id;
  const uint32_t seq = w.last_tok_seq(kModem);
  const std::string receipt = w.gateway.mts_to(kPhone).at(0).text;
  const std::string first_tok = w.gateway.mts_to(kModem).at(0).text;

  w.restart();  // ULANG works from the ledger alone
  w.engine->drain();
  w.gateway.clear();  // start() sent the pending SMS again: never acked by this gateway
  w.mo(kPhone, "ULANG", "gw-2");
  REQUIRE(w.eventually([&] { return w.gateway.acks_of("gw-2") == 1; }));
  auto to_phone = w.gateway.mts_to(kPhone);
  REQUIRE(to_phone.size() == 1);
  CHECK(to_phone[0].text == receipt);
  CHECK(to_phone[0].id == "gw-2.r");
  auto to_modem = w.gateway.mts_to(kModem);
  REQUIRE(to_modem.size() == 1);
  CHECK(to_modem[0].id == "gw-2.m");
  CHECK(w.last_tok_seq(kModem) == seq);  // the same command, not a new one
  const auto first = meters::decode(first_tok);
  const auto again = meters::decode(to_modem[0].text);
  REQUIRE((first.ok() && again.ok()));
  CHECK(std::get<meters::TokenDelivery>(again->message.body) == std::get<meters::TokenDelivery>(first->message.body));
  CHECK(again->message.counter > first->message.counter);  // a fresh counter: the modem takes it
  // Recorded as outgoing SMS of the purchase, the ULANG itself too.
  CHECK(stored_out(w, txn, kPhone) == 2);
  CHECK(stored_out(w, txn, kModem) == 2);
  CHECK(w.ledger->find_message("gw-2").value()->txn_id == txn);
  auto audit = w.ledger->audit_of(txn);
  REQUIRE(audit.ok());
  REQUIRE(audit->size() == 1);
  CHECK(audit->front().action == "token.resend");

  // Acknowledged: ULANG goes to the phone only.
  w.modem_answers(kModem, "MK4", '4', accepted(seq, 250), 1);
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "completed"; }));
  w.mo(kPhone, "ULANG 11000000004", "gw-3");
  REQUIRE(w.eventually([&] { return w.gateway.acks_of("gw-3") == 1; }));
  to_phone = w.gateway.mts_to(kPhone);
  REQUIRE(to_phone.size() == 2);
  CHECK(to_phone[1].text == receipt);
  CHECK(w.gateway.mts_to(kModem).size() == 1);
  CHECK(w.sim.sales() == 1);
  CHECK(w.tokens.made == 1);
  CHECK(w.state_of("gw-1") == "completed");
}

TEST_CASE("ULANG of a key-change-first purchase: the key change tokens again, first and in order") {
  World w;
  w.tokens.key_change = {"11111111111111111111", "22222222222222222222"};
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "sent"; }));
  auto to_phone = w.gateway.mts_to(kPhone);
  REQUIRE(to_phone.size() == 2);
  CHECK(to_phone[0].text == "Meter 11000000004 perlu ganti kunci. Masukkan berurutan 1111-1111-1111-1111-1111 "
                            "lalu 2222-2222-2222-2222-2222, baru token di SMS berikut.");
  CHECK(to_phone[1].text.starts_with("TOKEN "));
  w.mo(kPhone, "ULANG", "gw-2");
  REQUIRE(w.eventually([&] { return w.gateway.mts_to(kPhone).size() == 4; }));
  to_phone = w.gateway.mts_to(kPhone);
  CHECK(to_phone[2].text == to_phone[0].text);
  CHECK(to_phone[3].text == to_phone[1].text);
  auto tok = meters::decode(w.gateway.mts_to(kModem).back().text);
  REQUIRE(tok.ok());
  const auto& tokens = std::get<meters::TokenDelivery>(tok->message.body).tokens;
  REQUIRE(tokens.size() == 3);
  CHECK(tokens[0] == "11111111111111111111");
  CHECK(tokens[1] == "22222222222222222222");
  CHECK(tokens[2] == *w.txn_of("gw-1")->token);
  CHECK(w.sim.sales() == 1);
}

TEST_CASE("ULANG with nothing bought, or for a meter not this phone's: told, nothing sent elsewhere") {
  World w;
  w.mo(kPhone, "ULANG", "gw-1");
  w.mo(kPhone, "ULANG 11000000002", "gw-2");
  REQUIRE(w.eventually([&] { return w.gateway.mts_to(kPhone).size() == 2; }));
  const auto to_phone = w.gateway.mts_to(kPhone);
  CHECK(to_phone[0].text == "Belum ada token untuk meter 11000000004.");
  CHECK(to_phone[1].text == "Nomor HP ini tidak terdaftar untuk meter 11000000002.");
  CHECK(w.gateway.mts_to(kModem).empty());
}

TEST_CASE("SALDO: the meter's last reported credit with its time, or that none is known") {
  World w;
  w.mo(kPhone, "SALDO", "gw-1");
  REQUIRE(w.eventually([&] { return w.gateway.mts_to(kPhone).size() == 1; }));
  CHECK(w.gateway.mts_to(kPhone)[0].text == "Meter 11000000004 belum melaporkan sisa kWh.");

  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-2");
  REQUIRE(w.eventually([&] { return w.state_of("gw-2") == "sent"; }));
  w.clock.advance(90s);
  w.modem_answers(kModem, "MK4", '4', accepted(w.last_tok_seq(kModem), 1234), 1);  // CR in 0.1 kWh
  REQUIRE(w.eventually([&] { return w.state_of("gw-2") == "completed"; }));
  w.clock.advance(1h);
  w.restart();
  w.engine->drain();
  w.gateway.clear();  // the pending SMS start() sent again
  w.mo(kPhone, "saldo 11000000004", "gw-3");
  REQUIRE(w.eventually([&] { return w.gateway.mts_to(kPhone).size() == 1; }));
  // The World's clock starts at 25 Nov 2026 03:00 UTC = 10:00 WIB; the ACC came 90 s later.
  CHECK(w.gateway.mts_to(kPhone)[0].text == "Meter 11000000004: sisa 123.4 kWh pada 25-11-2026 10:01 WIB.");

  w.mo(kPhone, "BAHASA EN", "gw-4");
  w.mo(kPhone, "SALDO", "gw-5");
  REQUIRE(w.eventually([&] { return w.gateway.mts_to(kPhone).size() == 3; }));
  CHECK(w.gateway.mts_to(kPhone)[2].text == "Meter 11000000004: 123.4 kWh left at 25-11-2026 10:01 WIB.");
  w.mo(kOther, "SALDO", "gw-6");  // the other meter never reported
  REQUIRE(w.eventually([&] { return w.gateway.mts_to(kOther).size() == 1; }));
  CHECK(w.gateway.mts_to(kOther)[0].text == "Meter 11000000002 belum melaporkan sisa kWh.");
}

TEST_CASE("mt_result and receipts update the stored SMS; a late mt_result never undoes a receipt") {
  World w;
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "sent"; }));
  const std::string id = w.gateway.mts_to(kPhone).at(0).id;
  auto stored = [&] { return *w.ledger->find_message(id).value(); };
  CHECK(stored().delivery_state == "pending");
  CHECK(stored().txn_id == w.txn_of("gw-1")->txn_id);

  w.engine->on_mt_ack({.id = id, .stored = true, .error = ""});
  w.engine->drain();
  CHECK(stored().delivery_state == "queued");
  const wire::MtResult result{.id = "gw0-1", .mt_id = id, .submitted = true, .message_ids = {"smsc-77"}};
  w.engine->on_mt_result(result);
  w.engine->drain();
  CHECK(stored().delivery_state == "submitted");
  CHECK(stored().smpp_message_id == "smsc-77");
  CHECK(w.gateway.acks_of("mt_result:gw0-1") == 1);
  w.engine->on_receipt({.id = "gw0-2", .mt_id = id, .part = 1, .smsc = "sim", .message_id = "smsc-77",
                        .state = "DELIVERED", .error = "", .received_at_ms = w.now_ms()});
  w.engine->drain();
  CHECK(stored().delivery_state == "delivered");
  CHECK(w.gateway.acks_of("receipt:gw0-2") == 1);
  // The gateway repeats an mt_result whose ack it lost, and an mt_ack after a reconnect.
  w.engine->on_mt_result(result);
  w.engine->on_mt_ack({.id = id, .stored = true, .error = ""});
  w.engine->drain();
  CHECK(stored().delivery_state == "delivered");
  CHECK(w.gateway.acks_of("mt_result:gw0-1") == 2);

  // A failed submit, then a receipt state the ledger cannot spell: stored, and acked.
  const std::string modem_id = w.gateway.mts_to(kModem).at(0).id;
  w.engine->on_mt_result({.id = "gw0-3", .mt_id = modem_id, .submitted = false, .command_status = 0x58,
                          .reason = "throttled"});
  w.engine->drain();
  CHECK(w.ledger->find_message(modem_id).value()->delivery_state == "failed");
  w.engine->on_receipt({.id = "gw0-4", .mt_id = modem_id, .part = 1, .smsc = "sim", .message_id = "x",
                        .state = "UNDELIV-2", .error = "", .received_at_ms = w.now_ms()});
  w.engine->drain();
  CHECK(w.ledger->find_message(modem_id).value()->delivery_state == "unknown");
  CHECK(w.gateway.acks_of("receipt:gw0-4") == 1);
  // A receipt for an MT that is not ours is acked and changes nothing.
  w.engine->on_receipt({.id = "gw0-5", .mt_id = "nobody.r", .part = 1, .smsc = "sim", .message_id = "y",
                        .state = "DELIVERED", .error = "", .received_at_ms = w.now_ms()});
  w.engine->drain();
  CHECK(w.gateway.acks_of("receipt:gw0-5") == 1);
}

}  // namespace
}  // namespace pintar::engine
