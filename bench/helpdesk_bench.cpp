// bench/helpdesk: the helpdesk's look-ups over a ledger with 1,000,000 purchases, through
// helpdesk::Lookups (what the API and `pintar helpdesk find` call). docs/performance.md,
// "Helpdesk look-ups over 1,000,000 purchases", has the figures and the targets (search
// < 100 ms, timeline < 20 ms).
//
// Each look-up is timed twice: through Lookups, and as the helpdesk answers it over HTTP
// (a real helpdesk::Server on loopback, one kept-alive client, a viewer's key): the HTTP
// figures add the routing, the key check and the JSON a user waits for.
//
// Setup (once per --dir; reused when the file exists): --meters meters with their customer,
// modem and one phone each, and --purchases purchases spread over a year, each with its
// first version (received), an SMS in, and a last version (completed with a token and a
// reference; 1 in 50 needs_manual, 1 in 100 refused), written with synchronous=OFF: the fast
// bulk path, not the engine's. Write sets stay small (kBatch): each one runs in a savepoint
// whose in-memory journal SQLite walks from its start on each page it adds, so a write set
// of 5,000 purchases cost quadratic time (700,000 purchases in 48 minutes; now about 10,000
// purchases a second).
//
//   helpdesk_bench [--dir DIR] [--purchases N] [--meters M] [--queries Q]
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <httplib.h>

#include "helpdesk/access.h"
#include "helpdesk/actions.h"
#include "helpdesk/diagnosis.h"
#include "helpdesk/lookups.h"
#include "helpdesk/registry_actions.h"
#include "helpdesk/server.h"
#include "store/helpdesk_keys.h"
#include "store/p2apst_journal.h"
#include "store/sqlite_ledger.h"

namespace pintar {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int64_t kStart = 1'767'225'600'000;  // 2026-01-01T00:00Z
constexpr int64_t kYear = 365LL * 24 * 3600 * 1000;

std::string meter_no(int64_t m) { return fmt::format("{:011}", 14000000000LL + m); }
std::string phone(int64_t m) { return fmt::format("62813{:08}", m); }

class Meters final : public store::ImportSource {
 public:
  explicit Meters(int64_t count) : count_(count) {}
  bool next(store::ImportLine& line) override {
    if (next_ == count_) return false;
    const int64_t m = next_++;
    const std::string idpel = fmt::format("{:012}", 511000000000LL + m), modem = fmt::format("62811{:08}", m);
    line = {.line = static_cast<uint64_t>(m + 2),
            .record = store::SubscriberRecord{
                .customer = {.idpel = idpel, .name = "BENCH", .tariff = "R1", .power_va = 1300, .region = "JKT"},
                .meter = {.meter_no = meter_no(m), .idpel = idpel, .sgc = "600675", .ti = 1, .krn = 1, .kt = 2, .ea = 7,
                          .dkga = 2, .base_date = 2014, .kdpm = "ABC", .modem_msisdn = modem},
                .modem = {.msisdn = modem, .key_id = fmt::format("M{:07}", m % 10'000'000)},
                .subscription = {.msisdn = phone(m), .meter_no = meter_no(m), .language = "id", .pin_hash = {}}},
            .error = {}};
    return true;
  }

 private:
  int64_t count_, next_ = 0;
};

// Purchase n: its meter, creation time (spread evenly over the year, so meters interleave) and
// final state.
struct Purchase {
  int64_t meter;
  int64_t created_ms;
  std::string state;
};
Purchase purchase(int64_t n, int64_t purchases, int64_t meters) {
  return {.meter = (n * 7919) % meters, .created_ms = kStart + n * (kYear / purchases),
          .state = n % 100 == 0 ? "refused" : n % 50 == 0 ? "needs_manual" : "completed"};
}

void build(store::Ledger& ledger, int64_t purchases, int64_t meters) {
  const auto started = SteadyClock::now();
  Meters source(meters);
  auto report = ledger.import_subscribers(source, {.at_ms = kStart, .actor = "bench", .action = "customers.import",
                                                   .subject = "bench", .detail = ""});
  if (!report.ok() || !report->errors.empty()) {
    fmt::print(stderr, "import failed: {}\n", report.ok() ? report->errors.front().reason : report.status().to_string());
    std::exit(1);
  }
  constexpr int64_t kBatch = 50;  // purchases per write set: see the opening comment
  for (int64_t first = 0; first < purchases; first += kBatch) {
    store::WriteSet w;
    for (int64_t n = first; n < std::min(purchases, first + kBatch); ++n) {
      const Purchase p = purchase(n, purchases, meters);
      store::TransactionRecord t{.txn_id = fmt::format("T{:010}", n), .version = 1,
                                 .idempotency_key = fmt::format("mo-{}", n), .meter_no = meter_no(p.meter),
                                 .msisdn = phone(p.meter), .amount_rupiah = 20000 + (n % 5) * 30000,
                                 .energy_deci_kwh = 0, .token = std::nullopt, .state = "received",
                                 .reference = std::nullopt, .reason = std::nullopt, .created_ms = p.created_ms,
                                 .recorded_ms = p.created_ms};
      w.append_transaction(t);
      w.record_message({.message_id = fmt::format("in-{}", n), .direction = "in", .msisdn = t.msisdn,
                        .body = "TOKEN 20000 ******", .txn_id = t.txn_id, .smpp_message_id = fmt::format("s{}", n),
                        .delivery_state = "received", .created_ms = t.created_ms, .updated_ms = t.created_ms});
      t.version = 2;
      t.state = p.state;
      t.recorded_ms += 4000;
      if (p.state != "refused") {
        t.token = fmt::format("{:020}", 12345678901234567LL + n);
        t.reference = fmt::format("REF{:012}", n);
        t.energy_deci_kwh = 154;
      }
      w.append_transaction(t);
    }
    const Status s = ledger.write(std::move(w));
    if (!s.ok()) {
      fmt::print(stderr, "write failed: {}\n", s.to_string());
      std::exit(1);
    }
    if (first % 100'000 == 0) fmt::print(stderr, "\r{} purchases", first);
  }
  fmt::print(stderr, "\rbuilt {} purchases on {} meters in {:.0f} s\n", purchases, meters,
             std::chrono::duration<double>(SteadyClock::now() - started).count());
}

struct Stats {
  std::string name;
  std::vector<double> ms;
  size_t rows = 0;
};

void print(Stats& s) {
  std::ranges::sort(s.ms);
  auto at = [&](double q) { return s.ms[std::min(s.ms.size() - 1, static_cast<size_t>(q * s.ms.size()))]; };
  fmt::print("{:<44} {:>6} {:>9.2f} {:>9.2f} {:>9.2f} {:>8.1f}\n", s.name, s.ms.size(), at(0.5), at(0.99), s.ms.back(),
             static_cast<double>(s.rows) / s.ms.size());
}

template <typename F>
double timed(F f) {
  const auto t0 = SteadyClock::now();
  f();
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
}

int run(int argc, char** argv) {
  CLI::App app{"helpdesk_bench: helpdesk look-ups over a ledger with many purchases"};
  std::string dir = std::filesystem::temp_directory_path().string();
  int64_t purchases = 1'000'000, meters = 100'000;
  int queries = 200;
  app.add_option("--dir", dir, "Where the ledger file is made (kept: a second run reuses it)");
  app.add_option("--purchases", purchases, "Purchases in the ledger");
  app.add_option("--meters", meters, "Meters they are spread over");
  app.add_option("--queries", queries, "Look-ups of each kind timed");
  CLI11_PARSE(app, argc, argv);

  store::LedgerOptions options;
  options.path = fmt::format("{}/helpdesk-bench-{}-{}.db", dir, purchases, meters);
  const bool exists = std::filesystem::exists(options.path);
  {
    store::LedgerOptions bulk = options;
    bulk.synchronous = sqlite::Synchronous::kOff;
    auto ledger = store::open_ledger(bulk);
    if (!ledger.ok()) return fmt::print(stderr, "{}\n", ledger.status().to_string()), 1;
    if (!exists) build(**ledger, purchases, meters);
  }
  auto ledger = store::open_ledger(options).value();
  auto journal = store::P2apstPurchases::open(options).value();
  helpdesk::Lookups lookups(*ledger, journal.get());

  std::mt19937_64 random(42);
  auto any_meter = [&] { return static_cast<int64_t>(random() % static_cast<uint64_t>(meters)); };
  auto must = [](auto result) {
    if (!result.ok()) {
      fmt::print(stderr, "look-up failed: {}\n", result.status().to_string());
      std::exit(1);
    }
    return std::move(result).value();
  };
  Stats by_meter{"search by meter (newest 20)", {}}, by_msisdn{"search by MSISDN (newest 20)", {}},
      by_state{"search needs_manual in a 7-day range (20)", {}}, by_state_month{"search completed in a 30-day range (20)", {}},
      next_page{"search by meter, next page (cursor)", {}}, by_token{"search by token", {}},
      timeline{"timeline of a purchase", {}};
  for (int q = 0; q < queries; ++q) {
    const int64_t m = any_meter();
    helpdesk::SearchPage page;
    by_meter.ms.push_back(timed([&] { page = must(lookups.search({.meter = meter_no(m)})); }));
    by_meter.rows += page.purchases.size();
    by_msisdn.ms.push_back(timed([&] { by_msisdn.rows += must(lookups.search({.msisdn = phone(m)})).purchases.size(); }));
    const int64_t since = kStart + static_cast<int64_t>(random() % static_cast<uint64_t>(kYear - 30LL * 86'400'000));
    by_state.ms.push_back(timed([&] {
      by_state.rows += must(lookups.search({.states = {"needs_manual"}, .since_ms = since,
                                            .until_ms = since + 7LL * 86'400'000}))
                           .purchases.size();
    }));
    by_state_month.ms.push_back(timed([&] {
      by_state_month.rows += must(lookups.search({.states = {"completed"}, .since_ms = since,
                                                  .until_ms = since + 30LL * 86'400'000}))
                                 .purchases.size();
    }));
    // A small page so that most meters have a second one.
    helpdesk::SearchPage first = must(lookups.search({.meter = meter_no(m), .limit = 5}));
    if (first.next_cursor) {
      next_page.ms.push_back(timed([&] {
        next_page.rows += must(lookups.search({.meter = meter_no(m), .cursor = first.next_cursor, .limit = 5}))
                              .purchases.size();
      }));
    }
    const int64_t n = static_cast<int64_t>(random() % static_cast<uint64_t>(purchases));
    if (n % 100 != 0) {
      by_token.ms.push_back(timed([&] {
        by_token.rows += must(lookups.search({.token = fmt::format("{:020}", 12345678901234567LL + n)})).purchases.size();
      }));
    }
    timeline.ms.push_back(timed([&] { timeline.rows += must(lookups.timeline(fmt::format("T{:010}", n))).versions.size(); }));
  }

  // The same look-ups as the API answers them.
  auto keys = store::HelpdeskKeyStore::open(options).value();
  const int64_t now_ms = kStart + kYear;
  // A name of its own per run: names stay unique, revoked keys included.
  auto viewer =
      helpdesk::make_key(fmt::format("bench-{:016x}", std::random_device{}()), helpdesk::Role::kViewer, now_ms).value();
  if (Status added = keys->add(viewer.row); !added.ok()) return fmt::print(stderr, "{}\n", added.to_string()), 1;
  helpdesk::TokenDiagnoser diagnoser(*ledger, std::nullopt);
  helpdesk::Actions actions(*ledger, Clock::real());
  helpdesk::Access access(*keys, Clock::real(), 1'000'000);
  helpdesk::RegistryActions registry(*ledger, Clock::real(), nullptr);
  auto server = helpdesk::Server::start({.port = 0}, {lookups, diagnoser, actions, access, registry}).value();
  httplib::Client client("127.0.0.1", server->port());
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  const httplib::Headers headers{{"Authorization", "Bearer " + viewer.text}};
  auto get = [&](Stats& stats, const std::string& path) {
    stats.ms.push_back(timed([&] {
      auto answer = client.Get(path, headers);
      if (!answer || answer->status != 200) {
        fmt::print(stderr, "GET {}: {}\n", path, answer ? answer->status : -1);
        std::exit(1);
      }
      stats.rows += answer->body.size();
    }));
  };
  Stats http_meter{"GET purchases?meter= (newest 20)", {}}, http_msisdn{"GET purchases?msisdn= (newest 20)", {}},
      http_state{"GET purchases?state=needs_manual, 7 days", {}}, http_token{"GET purchases?token=", {}},
      http_timeline{"GET purchases/{txn} (timeline)", {}},
      http_floor{"GET /healthz (the HTTP floor: no look-up)", {}};
  for (int q = 0; q < queries; ++q) {
    const int64_t m = any_meter();
    get(http_meter, "/api/v1/purchases?meter=" + meter_no(m));
    get(http_msisdn, "/api/v1/purchases?msisdn=" + phone(m));
    const int64_t since = kStart + static_cast<int64_t>(random() % static_cast<uint64_t>(kYear - 30LL * 86'400'000));
    get(http_state, fmt::format("/api/v1/purchases?state=needs_manual&since={}&until={}", since,
                                since + 7LL * 86'400'000));
    const int64_t n = static_cast<int64_t>(random() % static_cast<uint64_t>(purchases));
    if (n % 100 != 0) get(http_token, fmt::format("/api/v1/purchases?token={:020}", 12345678901234567LL + n));
    get(http_timeline, fmt::format("/api/v1/purchases/T{:010}", n));
    get(http_floor, "/healthz");
  }
  server->stop();
  (void)keys->revoke(viewer.row.name, now_ms);

  fmt::print("{} purchases on {} meters ({})\n", purchases, meters, options.path);
  fmt::print("{:<44} {:>6} {:>9} {:>9} {:>9} {:>8}\n", "look-up (helpdesk::Lookups)", "runs", "p50 ms", "p99 ms",
             "max ms", "rows");
  for (Stats* s : {&by_meter, &by_msisdn, &by_state, &by_state_month, &next_page, &by_token, &timeline}) print(*s);
  fmt::print("{:<44} {:>6} {:>9} {:>9} {:>9} {:>8}\n", "look-up (HTTP API, kept-alive client)", "runs", "p50 ms",
             "p99 ms", "max ms", "bytes");
  for (Stats* s : {&http_meter, &http_msisdn, &http_state, &http_token, &http_timeline, &http_floor}) print(*s);
  return 0;
}

}  // namespace
}  // namespace pintar

int main(int argc, char** argv) { return pintar::run(argc, argv); }
