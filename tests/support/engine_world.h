// The engine tests' world (tests/engine_test.cpp, tests/engine_commands_test.cpp): the vending
// engine (vending/engine/engine.h) on a real SQLite ledger and the real P2APST simulator; the
// gateway is a recording seam, the engine's timers run on a ManualClock, and the meter's
// modem answers are signed here with meters::sign, as a modem would.
#ifndef PINTAR_TESTS_SUPPORT_ENGINE_WORLD_H_
#define PINTAR_TESTS_SUPPORT_ENGINE_WORLD_H_

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

namespace pintar::engine::test_world {


using namespace std::chrono_literals;
using testing::P2apstSim;

inline constexpr const char* kPhone = "6281200000001";   // subscribed to kMeter, PIN 123456
inline constexpr const char* kOther = "6281200000002";   // subscribed to kOtherMeter only
inline constexpr const char* kMeter = "11000000004";     // DEWI LESTARI in the simulator
inline constexpr const char* kOtherMeter = "11000000002";
inline constexpr const char* kModem = "6281100000004";
inline constexpr const char* kOtherModem = "6281100000002";
inline constexpr const char* kPin = "123456";

inline Secret modem_key(char fill) { return Secret(std::vector<uint8_t>(32, static_cast<uint8_t>(fill))); }

inline meters::Accepted accepted(uint32_t seq, uint64_t credit) {
  meters::Accepted a;
  a.seq = seq;
  a.credit = credit;
  return a;
}

inline meters::Rejected rejected(uint32_t seq, meters::MeterReason reason) {
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
  void ack_mt_result(std::string id) override {
    std::lock_guard lock(mutex_);
    mo_acks_.push_back("mt_result:" + id);
  }
  void ack_receipt(std::string id) override {
    std::lock_guard lock(mutex_);
    mo_acks_.push_back("receipt:" + id);
  }
  std::vector<wire::Mt> mts_to(const std::string& to) {
    std::lock_guard lock(mutex_);
    std::vector<wire::Mt> out;
    for (const auto& m : mts_) {
      if (m.to == to) out.push_back(m);
    }
    return out;
  }
  // Acks of MOs by id; of mt_results as "mt_result:<id>", of receipts as "receipt:<id>".
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

// The p2apst token source in miniature: the 20 digits PLN returned, after `key_change`
// (set it to play a meter past the base date 1993 rollover). Counts what it made.
class PlnTokens final : public TokenMaker {
 public:
  Result<IssuedTokens> make(const store::SubscriberView&, int64_t, std::string_view,
                            std::optional<std::string_view> p2apst_token) override {
    ++made;
    if (!p2apst_token) return Status::invalid_argument("no token");
    IssuedTokens t;
    t.credit_token = std::string(*p2apst_token);
    t.key_change_tokens = key_change;
    return t;
  }
  std::atomic<int> made{0};
  std::vector<std::string> key_change;
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

inline store::SubscriberRecord subscriber(const store::PinHasher& pins, std::string meter, std::string idpel,
                                          std::string name, std::string modem, std::string key_id,
                                          std::string phone) {
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

inline p2apst::Options p2apst_options(int port) {
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

inline VendingOptions vending_options() {
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

}  // namespace pintar::engine::test_world

#endif  // PINTAR_TESTS_SUPPORT_ENGINE_WORLD_H_
