// The vending engine's purchases (tests/support/engine_world.h): the sale end to end, restarts
// in every state, the modem round trip, P2APST refusals and outages.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "tests/support/engine_world.h"

namespace pintar::engine {
namespace {

using namespace test_world;
using namespace std::chrono_literals;

TEST_CASE("own meter with PIN: MO -> P2APST -> token to the modem and the customer -> ACC -> completed") {
  World w;
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "sent"; }));
  CHECK(w.sim.sales() == 1);
  CHECK(w.gateway.acks_of("gw-1") == 1);
  auto txn = *w.txn_of("gw-1");
  REQUIRE(txn.token);
  CHECK(txn.token->size() == 20);
  CHECK(txn.energy_deci_kwh > 0);
  // The receipt: token 4-4-4-4-4, and the TOK to the modem.
  auto to_phone = w.gateway.mts_to(kPhone);
  REQUIRE(to_phone.size() == 1);
  CHECK(to_phone[0].text.find(format_token(*txn.token)) != std::string::npos);
  CHECK(to_phone[0].from == "8899");
  REQUIRE(w.gateway.mts_to(kModem).size() == 1);
  // One sale, one MO -> token latency observed.
  CHECK(w.engine->mo_to_token().snapshot().count == 1);
  // The stored MO never has the PIN.
  auto in = w.ledger->find_message("gw-1");
  REQUIRE(in.ok());
  REQUIRE(in->has_value());
  CHECK((*in)->body.find("123456") == std::string::npos);

  w.modem_answers(kModem, "MK4", '4', accepted(w.last_tok_seq(kModem), 1234), 1);
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "completed"; }));
  CHECK(w.engine->counters().value(kPurchasesCompleted) == 1);
  CHECK(w.tokens.made == 1);
  CHECK(w.sim.sales() == 1);
}

TEST_CASE("restart after the token was sent: resumed from the ledger, no second sale or token") {
  World w;
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "sent"; }));
  const uint32_t seq = w.last_tok_seq(kModem);
  w.restart();
  // The modem never answered: the resumed timer resends the same token.
  w.clock.advance(61s);
  REQUIRE(w.eventually([&] { return w.gateway.mts_to(kModem).size() >= 2; }));
  CHECK(w.last_tok_seq(kModem) == seq);
  w.modem_answers(kModem, "MK4", '4', accepted(seq, 99), 1);
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "completed"; }));
  CHECK(w.sim.sales() == 1);
  CHECK(w.tokens.made == 1);
}

// Written as a crashed engine would have left it: the MO (masked, never acked) and the
// first version, nothing else.
void crashed_in_received(World& w, const std::string& mo_id) {
  store::TransactionRecord t;
  t.txn_id = "t" + mo_id;
  t.idempotency_key = "k-" + mo_id;
  t.meter_no = kMeter;
  t.msisdn = kPhone;
  t.amount_rupiah = 52'500;
  t.state = "received";
  t.created_ms = w.now_ms();
  t.recorded_ms = t.created_ms;
  store::MessageRecord in{.message_id = mo_id, .direction = "in", .msisdn = kPhone,
                          .body = "TOKEN 11000000004 52500 ******", .txn_id = t.txn_id, .smpp_message_id = {},
                          .delivery_state = "received", .created_ms = t.created_ms, .updated_ms = t.created_ms};
  store::WriteSet ws;
  ws.record_message(std::move(in));
  ws.append_transaction(t);
  REQUIRE(w.ledger->write(std::move(ws)).ok());
}

TEST_CASE("restart in received: the gateway's redelivery brings the PIN back, and it is bought once") {
  World w;
  crashed_in_received(w, "gw-9");
  w.restart();
  // The MO was never acked, so the gateway delivers it again (twice, here).
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-9");
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-9");
  REQUIRE(w.eventually([&] { return w.state_of("gw-9") == "sent"; }));
  CHECK(w.sim.sales() == 1);
  CHECK(w.gateway.acks_of("gw-9") == 2);  // once past the PIN check, once as a duplicate
  CHECK(w.engine->counters().value(kMoRedelivered) == 1);
  const auto replies = w.gateway.mts_to(kPhone);
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].text.starts_with("TOKEN "));  // the receipt, no YA prompt
}

TEST_CASE("restart in received: no redelivery within vending.resume_wait_s, so it asks for YA") {
  World w;
  crashed_in_received(w, "gw-9");
  w.restart();
  w.engine->drain();
  CHECK(w.state_of("gw-9") == "received");  // waits for the MO first
  w.clock.advance(31s);
  REQUIRE(w.eventually([&] { return w.state_of("gw-9") == "awaiting_confirmation"; }));
  w.mo(kPhone, "YA 123456");
  REQUIRE(w.eventually([&] { return w.state_of("gw-9") == "sent"; }));
  CHECK(w.sim.sales() == 1);
  // The MO coming after all is a duplicate now: acked, nothing more.
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-9");
  w.engine->drain();
  CHECK(w.gateway.acks_of("gw-9") >= 1);
  CHECK(w.sim.sales() == 1);
}

TEST_CASE("restart in purchasing: the journal says what became of the 2200, never a second one") {
  World w;
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "sent"; }));
  REQUIRE(w.sim.sales() == 1);
  // As if the engine died after the sale's answer was journalled but before token_issued:
  // the ledger's newest version is still purchasing.
  auto txn = *w.txn_of("gw-1");
  auto versions = w.ledger->transaction_versions(txn.txn_id);
  REQUIRE(versions.ok());
  store::TransactionRecord purchasing;
  for (const auto& v : *versions) {
    if (v.state == "purchasing") purchasing = v;
  }
  REQUIRE(purchasing.state == "purchasing");
  // A second transaction left in purchasing whose journal row was settled completed:
  purchasing.txn_id = "tgw-2";
  purchasing.idempotency_key = "k-gw-2";
  purchasing.version = 1;
  store::WriteSet ws;
  ws.append_transaction(purchasing);
  REQUIRE(w.ledger->write(std::move(ws)).ok());
  p2apst::PurchaseRecord row = *w.journal.find_by_txn(txn.txn_id).value();
  row.txn_id = "tgw-2";
  auto id = w.journal.record_intent(row);
  REQUIRE(id.ok());
  REQUIRE(w.journal.mark_sent(*id, p2apst::PurchaseState::kIntent, p2apst::PurchaseState::kSent, "000000000099", 0).ok());
  REQUIRE(w.journal.record_outcome(*id, p2apst::PurchaseState::kSent, p2apst::PurchaseState::kCompleted, "0000",
                                   w.journal.find_by_txn(txn.txn_id).value()->response_bit48)
              .ok());
  // And a third one the journal never heard of: nothing left, so it is bought now.
  purchasing.txn_id = "tgw-3";
  purchasing.idempotency_key = "k-gw-3";
  store::WriteSet ws3;
  ws3.append_transaction(purchasing);
  REQUIRE(w.ledger->write(std::move(ws3)).ok());
  w.restart();
  REQUIRE(w.eventually([&] { return w.state_of("gw-2") == "sent" && w.state_of("gw-3") == "sent"; }));
  CHECK(w.sim.sales() == 2);  // gw-1's, then gw-3's; gw-2 took its token from the journal
}

TEST_CASE("modem silent: resends, then needs_manual and the customer keys it in") {
  World w;
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "sent"; }));
  for (int i = 0; i < 2; ++i) {
    w.clock.advance(61s);
    REQUIRE(w.eventually([&] { return w.gateway.mts_to(kModem).size() == static_cast<size_t>(i + 2); }));
  }
  w.clock.advance(61s);
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "needs_manual"; }));
  CHECK(w.gateway.mts_to(kModem).size() == 3);
  CHECK(w.engine->counters().value(kModemResends) == 2);
  auto to_phone = w.gateway.mts_to(kPhone);
  REQUIRE(to_phone.size() == 2);
  CHECK(to_phone[1].text.find(format_token(*w.txn_of("gw-1")->token)) != std::string::npos);
  CHECK(w.sim.sales() == 1);
}

TEST_CASE("an SMS another process requested (a helpdesk resend) is sent once, at the next outbox poll") {
  World w;
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "sent"; }));
  const size_t before = w.gateway.mts_to(kPhone).size();
  store::WriteSet ws;
  ws.record_message({.message_id = "hd-1", .direction = "out", .msisdn = kPhone, .body = "receipt again",
                     .txn_id = w.txn_of("gw-1")->txn_id, .smpp_message_id = std::nullopt, .delivery_state = "requested",
                     .created_ms = w.now_ms(), .updated_ms = w.now_ms()});
  REQUIRE(w.ledger->write(std::move(ws)).ok());
  CHECK(w.gateway.mts_to(kPhone).size() == before);  // not before the poll
  for (int i = 0; i < 3; ++i) {
    w.clock.advance(2s);
    w.engine->drain();
  }
  REQUIRE(w.eventually([&] { return w.gateway.mts_to(kPhone).size() == before + 1; }));
  CHECK(w.gateway.mts_to(kPhone).back().text == "receipt again");
  CHECK(w.ledger->find_message("hd-1").value()->delivery_state == "pending");  // until the gateway takes it
  CHECK(w.sim.sales() == 1);
}

TEST_CASE("meter rejects; forged and replayed answers are dropped") {
  World w;
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "sent"; }));
  const uint32_t seq = w.last_tok_seq(kModem);
  // Forged: signed with another modem's key.
  w.modem_answers(kModem, "MK4", 'X', accepted(seq, 1), 1);
  REQUIRE(w.eventually([&] { return w.engine->counters().value(kModemAnswersDropped) == 1; }));
  CHECK(w.state_of("gw-1") == "sent");
  w.modem_answers(kModem, "MK4", '4', rejected(seq, meters::MeterReason::kUsed), 2);
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "needs_manual"; }));
  // Replayed: the same counter again.
  w.modem_answers(kModem, "MK4", '4', accepted(seq, 1), 2);
  REQUIRE(w.eventually([&] { return w.engine->counters().value(kModemAnswersDropped) == 2; }));
  CHECK(w.state_of("gw-1") == "needs_manual");
  CHECK(w.gateway.mts_to(kPhone).size() == 2);  // receipt + what USED means
}

TEST_CASE("P2APST refusal and P2APST down: told, nothing charged") {
  World w;
  w.sim.fault({{"kind", "rc"}, {"mti", "2200"}, {"code", "0047"}});
  w.mo(kPhone, "TOKEN 11000000004 52500 123456", "gw-1");
  REQUIRE(w.eventually([&] { return w.state_of("gw-1") == "refused"; }));
  CHECK(w.sim.sales() == 0);
  w.link->stop();
  w.mo(kPhone, "TOKEN 11000000004 22500 123456", "gw-2");
  REQUIRE(w.eventually([&] { return w.state_of("gw-2") == "refused"; }));
  CHECK(w.sim.sales() == 0);
  CHECK(w.txn_of("gw-2")->reason.value_or("").find("p2apst") != std::string::npos);
}

}  // namespace
}  // namespace pintar::engine
