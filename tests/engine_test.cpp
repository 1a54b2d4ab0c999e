// The vending engine (vending/engine/engine.h) on a real SQLite ledger and the real P2APST
// simulator; the gateway is a recording seam, the engine's timers run on a ManualClock, and
// the meter's modem answers are signed here with meters::sign, as a modem would.
#include <chrono>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "meters/modem_auth.h"
#include "meters/modem_protocol.h"
#include "store/test_support.h"
#include "tests/p2apst/p2apst_sim.h"
#include "vending/engine/engine.h"
#include "vending/engine/reply_text.h"
#include "vending/p2apst/link.h"
#include "vending/p2apst/stan.h"

namespace pintar::engine {
namespace {

using namespace std::chrono_literals;
using testing::P2apstSim;

constexpr const char* kPhone = "6281200000001";   // subscribed to kMeter, PIN 123456
constexpr const char* kOther = "6281200000002";   // subscribed to kOtherMeter only
constexpr const char* kMeter = "11000000004";     // DEWI LESTARI in the simulator
constexpr const char* kOtherMeter = "11000000002";
constexpr const char* kModem = "6281100000004";
constexpr const char* kOtherModem = "6281100000002";
constexpr const char* kPin = "123456";

Secret modem_key(char fill) { return Secret(std::vector<uint8_t>(32, static_cast<uint8_t>(fill))); }

meters::Accepted accepted(uint32_t seq, uint64_t credit) {
  meters::Accepted a;
  a.seq = seq;
  a.credit = credit;
  return a;
}

meters::Rejected rejected(uint32_t seq, meters::MeterReason reason) {
  meters::Rejected r;
  r.seq = seq;
  r.reason = reason;
  return r;
}

class RecordingGateway final : public GatewayPort {
 public:
  Status send_mt(wire::Mt mt) override {
    std::lock_guard lock(mutex_);
    mts_.push_back(std::move(mt));
    return Status::ok_status();
  }
  void ack_mo(std::string id) override {
    std::lock_guard lock(mutex_);
    mo_acks_.push_back(std::move(id));
  }
  void ack_mt_result(std::string) override {}
  void ack_receipt(std::string) override {}
  std::vector<wire::Mt> mts_to(const std::string& to) {
    std::lock_guard lock(mutex_);
    std::vector<wire::Mt> out;
    for (const auto& m : mts_) {
      if (m.to == to) out.push_back(m);
    }
    return out;
  }
  size_t acks_of(const std::string& id) {
    std::lock_guard lock(mutex_);
    return static_cast<size_t>(std::count(mo_acks_.begin(), mo_acks_.end(), id));
  }
  void clear() {
    std::lock_guard lock(mutex_);
    mts_.clear();
  }

 private:
  std::mutex mutex_;
  std::vector<wire::Mt> mts_;
  std::vector<std::string> mo_acks_;
};

// The p2apst token source in miniature: the 20 digits PLN returned. Counts what it made.
class PlnTokens final : public TokenMaker {
 public:
  Result<IssuedTokens> make(const store::SubscriberView&, int64_t, std::string_view,
                            std::optional<std::string_view> p2apst_token) override {
    ++made;
    if (!p2apst_token) return Status::invalid_argument("no token");
    IssuedTokens t;
    t.credit_token = std::string(*p2apst_token);
    return t;
  }
  std::atomic<int> made{0};
};

class Lines final : public store::ImportSource {
 public:
  explicit Lines(std::vector<store::SubscriberRecord> records) : records_(std::move(records)) {}
  bool next(store::ImportLine& line) override {
    if (i_ >= records_.size()) return false;
    line = {.line = i_ + 1, .record = records_[i_], .error = ""};
    ++i_;
    return true;
  }

 private:
  std::vector<store::SubscriberRecord> records_;
  size_t i_ = 0;
};

store::SubscriberRecord subscriber(const store::PinHasher& pins, std::string meter, std::string idpel, std::string name,
                                   std::string modem, std::string key_id, std::string phone) {
  store::SubscriberRecord r;
  r.customer = {.idpel = idpel, .name = name, .tariff = "R1", .power_va = 1300, .region = "default"};
  r.meter = {.meter_no = meter, .idpel = idpel, .sgc = "600675", .ti = 1, .krn = 1, .kt = 2, .ea = 7, .dkga = 2,
             .base_date = 2014, .kdpm = "ABC", .modem_msisdn = modem};
  r.modem = {.msisdn = modem, .key_id = key_id};
  r.subscription.msisdn = phone;
  r.subscription.meter_no = meter;
  r.subscription.language = "id";
  r.subscription.pin_hash = *pins.hash(phone, meter, kPin);
  return r;
}

p2apst::Options p2apst_options(int port) {
  p2apst::Options o;
  o.partner = {"SIM0001", "4510017", "4512017", "PINTAR01", "6021"};
  o.link.port = port;
  o.link.request_timeout = 500ms;
  o.link.connect_timeout = 1000ms;
  o.link.reconnect_min = 50ms;
  o.link.reconnect_max = 200ms;
  o.cut_off = {0, 0, 420};
  o.advice = {.repeat_count = 3, .repeat_interval = 250ms};
  return o;
}

VendingOptions vending_options() {
  VendingOptions o;
  o.token_source = TokenSource::kP2apst;
  o.denominations = {22'500, 52'500, 102'500};
  o.modem_resends = 2;
  o.modem_ack_timeout = 60s;
  return o;
}

struct World {
  World()
      : dir(store::testing::make_temp_dir()),
        p2opts(p2apst_options(sim.iso_port())),
        pins(*store::PinHasher::create(Secret(std::vector<uint8_t>(32, 'p')))),
        clock(std::chrono::sys_days{std::chrono::November / 25 / 2026} + 3h) {
    auto opened = store::open_ledger(store::testing::options_in(dir));
    REQUIRE(opened.ok());
    ledger = std::move(*opened);
    Lines lines({subscriber(pins, kMeter, "511000000004", "DEWI LESTARI", kModem, "MK4", kPhone),
                 subscriber(pins, kOtherMeter, "511000000002", "BUDI SANTOSO", kOtherModem, "MK2", kOther)});
    auto report = ledger->import_subscribers(lines, {.at_ms = 1, .actor = "test", .action = "customers.import",
                                                     .subject = "engine_test", .detail = ""});
    REQUIRE(report.ok());
    REQUIRE(report->errors.empty());
    REQUIRE(keys.add("MK4", kMeter, modem_key('4')).ok());
    REQUIRE(keys.add("MK2", kOtherMeter, modem_key('2')).ok());
    link = std::make_unique<p2apst::Link>(p2opts.link, p2opts.partner, stans, Clock::real());
    prepaid = std::make_unique<p2apst::Prepaid>(*link, journal, p2opts);
    link->start();
    REQUIRE(link->wait_signed_on(5s));
    modems = std::make_unique<ModemLink>(*ledger, keys, 64);
    restart();
  }
  ~World() {
    engine.reset();
    link->stop();
  }
  void restart(VendingOptions options = vending_options()) {
    engine.reset();
    engine = std::make_unique<Engine>(
        EngineDeps{*ledger, *prepaid, tokens, *modems, pins, gateway, clock}, std::move(options));
    Status started = engine->start();
    INFO(started.message());
    REQUIRE(started.ok());
  }
  void mo(const std::string& from, const std::string& text, std::string id = "") {
    if (id.empty()) id = fmt::format("gw-auto-{}", ++mo_seq);
    engine->on_mo({.id = id, .smsc = "sim", .from = from, .to = "8899", .text = text, .data_coding = 0,
                   .received_at_ms = now_ms(), .idempotency_key = "k-" + id, .user_data = "", .parts = 1,
                   .incomplete = false});
  }
  int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock.wall_now().time_since_epoch()).count();
  }
  // Polls (the P2APST answers come on the link's threads) until `done` or 10 s.
  template <typename F>
  bool eventually(F done) {
    for (int i = 0; i < 1000; ++i) {
      engine->drain();
      if (done()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  std::optional<store::TransactionRecord> txn_of(const std::string& mo_id) {
    auto t = ledger->find_transaction("t" + mo_id);
    return t.ok() ? *t : std::nullopt;
  }
  std::string state_of(const std::string& mo_id) {
    auto t = txn_of(mo_id);
    return t ? t->state : "";
  }
  // The modem's answer to the last TOK it got, signed with its key and the next counter.
  void modem_answers(const std::string& modem, const std::string& key_id, char key_fill, meters::Body body,
                     uint32_t counter) {
    meters::Message m{.key_id = key_id, .counter = counter, .body = std::move(body)};
    auto text = meters::sign(m, modem_key(key_fill));
    REQUIRE(text.ok());
    mo(modem, *text);
  }
  uint32_t last_tok_seq(const std::string& modem) {
    auto tok = gateway.mts_to(modem);
    REQUIRE_FALSE(tok.empty());
    auto decoded = meters::decode(tok.back().text);
    REQUIRE(decoded.ok());
    return std::get<meters::TokenDelivery>(decoded->message.body).seq;
  }

  std::string dir;
  P2apstSim sim;
  p2apst::Options p2opts;
  store::PinHasher pins;
  ManualClock clock;
  std::unique_ptr<store::Ledger> ledger;
  p2apst::MemoryPurchaseJournal journal;
  p2apst::MemoryStanSequence stans;
  std::unique_ptr<p2apst::Link> link;
  std::unique_ptr<p2apst::Prepaid> prepaid;
  meters::MemoryKeyring keys;
  std::unique_ptr<ModemLink> modems;
  PlnTokens tokens;
  RecordingGateway gateway;
  std::unique_ptr<Engine> engine;
  int mo_seq = 0;
};

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
