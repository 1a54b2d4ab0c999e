// helpdesk_web_fixture DIR WEB_ROOT: the world the browser test (tests/peers/helpdesk-browser)
// drives the page in. Writes DIR/pintar.toml and DIR/ledger.db with one subscriber, a
// completed purchase (its token made by the engine's token maker with the STS conformance
// vending key, wrapped under a test KEK) and a needs_manual one; prints what it made as JSON.
// Test-only: the keys are the public conformance ones.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/hex.h"
#include "common/secret.h"
#include "store/sqlite_ledger.h"
#include "store/test_support.h"
#include "vending/engine/engine_keys.h"
#include "vending/engine/token_maker.h"

using namespace pintar;

namespace {

constexpr std::string_view kVendingKeyHex = "ABABABABABABABAB";  // STS 531-1-0-02 (DKGA02)
constexpr std::string_view kKekHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) {
    fmt::print(stderr, "{}: {}\n", what, r.status().to_string());
    std::exit(1);
  }
  return std::move(r).value();
}
void must_ok(const Status& s, const char* what) {
  if (!s.ok()) {
    fmt::print(stderr, "{}: {}\n", what, s.to_string());
    std::exit(1);
  }
}

class One final : public store::ImportSource {
 public:
  explicit One(store::SubscriberRecord r) : r_(std::move(r)) {}
  bool next(store::ImportLine& line) override {
    if (done_) return false;
    line = {.line = 2, .record = r_, .error = {}};
    done_ = true;
    return true;
  }

 private:
  store::SubscriberRecord r_;
  bool done_ = false;
};

store::TransactionRecord version(store::Ledger& ledger, store::TransactionRecord t, std::string state,
                                 std::optional<std::string> token, int64_t at_ms) {
  t.version += 1;
  t.state = std::move(state);
  if (token) t.token = token, t.energy_deci_kwh = 154;
  t.recorded_ms = at_ms;
  store::WriteSet w;
  w.append_transaction(t);
  must_ok(ledger.write(std::move(w)), "version");
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    fmt::print(stderr, "usage: helpdesk_web_fixture DIR WEB_ROOT\n");
    return 64;
  }
  const std::string dir = argv[1], web_root = argv[2];
  const Secret kek(must(hex_decode(kKekHex), "kek"));
  const auto wrapped = must(engine::wrap_vending_key(kek, must(hex_decode(kVendingKeyHex), "vk")), "wrap");
  {
    std::ofstream vk(dir + "/vending-key.hex");
    vk << hex_encode(wrapped) << "\n";
  }
  ::chmod((dir + "/vending-key.hex").c_str(), 0600);
  {
    std::ofstream toml(dir + "/pintar.toml");
    toml << fmt::format(
        "state_dir = \"{0}\"\n[ledger]\nchain_key_secret = \"\"\npin_key_secret = \"hex:{1}\"\n"
        "[vending]\nvending_key = \"hexfile:{0}/vending-key.hex\"\nkek = \"hex:{1}\"\n"
        "[helpdesk]\nport = 0\nweb_root = \"{2}\"\n[metrics]\nhelpdesk_port = 0\n",
        dir, kKekHex, web_root);
  }
  store::LedgerOptions options;
  options.path = dir + "/ledger.db";
  auto ledger = must(store::open_ledger(options), "ledger");
  store::SubscriberRecord s = store::testing::sample_subscriber(1);
  s.modem.key_id = "M1400001";
  One source(s);
  auto report = must(ledger->import_subscribers(source, {.at_ms = 1, .actor = "fixture", .action = "import",
                                                         .subject = "", .detail = ""}),
                     "import");
  if (!report.errors.empty()) return 1;

  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  auto maker = engine::make_token_maker(engine::TokenSource::kLocal, *ledger,
                                        sts::VendingKey::import(sts::KeyDerivation::kDkga02,
                                                                must(hex_decode(kVendingKeyHex), "vk"))
                                            .value(),
                                        Clock::real());
  auto view = must(ledger->find_subscribers(s.meter.meter_no), "find").front();
  nlohmann::json out = {{"meter", s.meter.meter_no}, {"msisdn", s.subscription.msisdn}, {"config", dir + "/pintar.toml"}};
  for (int n = 1; n <= 2; ++n) {
    const std::string txn = fmt::format("T{}-{}", now, n);
    store::TransactionRecord t{.txn_id = txn, .version = 1, .idempotency_key = "mo-" + txn, .meter_no = s.meter.meter_no,
                               .msisdn = s.subscription.msisdn, .amount_rupiah = 20000, .energy_deci_kwh = 0,
                               .token = std::nullopt, .state = "received", .reference = std::nullopt,
                               .reason = std::nullopt, .created_ms = now - 60'000 + n, .recorded_ms = now - 60'000 + n};
    store::WriteSet first;
    first.append_transaction(t);
    first.record_message({.message_id = "in-" + txn, .direction = "in", .msisdn = t.msisdn,
                          .body = "TOKEN 20000 ******", .txn_id = txn, .smpp_message_id = "smsc-" + txn,
                          .delivery_state = "received", .created_ms = t.created_ms, .updated_ms = t.created_ms});
    must_ok(ledger->write(std::move(first)), "first version");
    auto tokens = must(maker->make(view, 154, txn, std::nullopt), "token");
    t = version(*ledger, t, "token_issued", tokens.credit_token, t.created_ms + 900);
    const bool completed = n == 1;
    store::WriteSet w;
    w.record_modem_command({.meter_no = t.meter_no, .seq = n, .kind = "token", .txn_id = txn,
                            .state = completed ? "accepted" : "sent", .attempts = completed ? 1 : 3,
                            .result = completed ? "CR 154" : "", .created_ms = t.recorded_ms,
                            .updated_ms = t.recorded_ms + 2000});
    must_ok(ledger->write(std::move(w)), "modem command");
    t = version(*ledger, t, completed ? "completed" : "needs_manual", std::nullopt, t.recorded_ms + 3000);
    out[completed ? "completed" : "manual"] = {{"txn", txn}, {"token", tokens.credit_token}};
  }
  fmt::print("{}\n", out.dump());
  return 0;
}
