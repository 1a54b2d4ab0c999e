// bench/e2e: purchases by SMS through the whole world (cli/world.h: the SMSC and P2APST
// simulators, the meter fleet, the phones, the real `pintar gateway` and `pintar vending`),
// N customers buying concurrently at an offered rate for a while, P2APST answering at once.
//
// Reported (one JSON object on stdout, a readable summary on stderr):
//   vends_per_s   purchases completed (the meter's ACC recorded) per second, from the first
//                 purchase sent to the last completed (the offered rate while the world keeps up)
//   latency_ms    p50 / p99 / max from the MO at the gateway (the ledger's "in" message time,
//                 which is the gateway's received_at_ms) to the token MT stored (the ledger's
//                 modem MT record), over the purchases made in the timed span
//   cpu_ms_per_vend  utime + stime (/proc/PID/stat) of pintar gateway and of pintar vending
//                 over the span until their CPU time stops moving, divided by completed vends
//   smsc_ceiling  a fresh SMSC simulator with its own bench-client (tests/peers/smsc-sim),
//                 submit_sm with receipts at window 100, in the same run: messages/s; a vend
//                 needs four SMSC messages (the MO, the token to the modem, the receipt to the
//                 customer, the modem's ACC) and two delivery receipts
// Every purchase is checked afterwards: one sale at P2APST per purchase sent, nothing left
// unfinished.
//
//   e2e_bench [--customers N] [--rate R] [--seconds S] [--workers W] [--source DIR] [--build DIR]
//
// The texts repeat (every customer buys the same amount again and again), so the world runs
// with the same-text and de-duplication windows at 1 s, the per-phone rate limit off, and
// every customer waits at least N/R seconds between purchases (N >= 2 R keeps that over 1 s).
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "cli/world.h"
#include "common/child_process.h"
#include "sqlite/connection.h"

#ifndef PINTAR_BENCH_SOURCE_DIR
#define PINTAR_BENCH_SOURCE_DIR "."
#endif
#ifndef PINTAR_BENCH_BUILD_DIR
#define PINTAR_BENCH_BUILD_DIR "build"
#endif

namespace {

using namespace std::chrono;
using pintar::ChildProcess;

// utime + stime of all threads of `pid` in ms (proc(5) fields 14 and 15, after the last ')').
int64_t cpu_ms(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  int64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return (utime + stime) * 1000 / sysconf(_SC_CLK_TCK);
}

// CPU time once it stops moving (two equal readings 100 ms apart, at most 5 s).
int64_t settled_cpu_ms(pid_t pid) {
  int64_t last = cpu_ms(pid);
  for (int same = 0, i = 0; i < 50 && same < 2; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    const int64_t now = cpu_ms(pid);
    same = now == last ? same + 1 : 0;
    last = now;
  }
  return last;
}

int64_t percentile(std::vector<int64_t> sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t at = std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5));
  return sorted[at];
}

struct LedgerFigures {
  size_t purchases = 0;   // transactions created in the span
  size_t completed = 0;   // of those, completed
  size_t unfinished = 0;  // of those, not in a final state
  std::vector<int64_t> latency_ms;  // MO at the gateway -> token MT stored
  int64_t last_completed_ms = 0;    // when the last of them completed
};

// Reads the ledger (read-only) for the transactions created in [from_ms, to_ms): those the run
// sent, the last of which may be recorded after the timed span.
LedgerFigures read_ledger(const std::string& path, int64_t from_ms, int64_t to_ms) {
  auto db = pintar::sqlite::Connection::open(path, {.read_only = true});
  if (!db.ok()) throw std::runtime_error("cannot open the ledger " + path + ": " + db.status().message());
  // Newest version of each transaction made in the span, with its MO time and the time its
  // token MT for the modem (id "<txn>.<version>.m") was stored.
  auto select = db->prepare(R"sql(
    SELECT t.state, t.recorded_ms,
           (SELECT MIN(created_ms) FROM messages WHERE txn_id = t.txn_id AND direction = 'in'),
           (SELECT MIN(created_ms) FROM messages WHERE txn_id = t.txn_id AND direction = 'out'
                                                 AND message_id LIKE '%.m')
    FROM transactions t
    WHERE t.version = (SELECT MAX(version) FROM transactions WHERE txn_id = t.txn_id)
      AND t.created_ms >= ?1 AND t.created_ms < ?2)sql");
  if (!select.ok()) throw std::runtime_error("ledger query: " + select.status().message());
  pintar::sqlite::Cursor row(select->bind(from_ms, to_ms));
  LedgerFigures f;
  for (;;) {
    auto more = row.step();
    if (!more.ok()) throw std::runtime_error("ledger query: " + more.status().message());
    if (!*more) break;
    ++f.purchases;
    const std::string state = row.text(0);
    if (state == "completed") {
      ++f.completed;
      f.last_completed_ms = std::max<int64_t>(f.last_completed_ms, row.integer(1));
    }
    if (state != "completed" && state != "refused" && state != "needs_manual" && state != "cancelled" &&
        state != "expired") {
      ++f.unfinished;
    }
    if (!row.is_null(2) && !row.is_null(3)) f.latency_ms.push_back(row.integer(3) - row.integer(2));
  }
  std::sort(f.latency_ms.begin(), f.latency_ms.end());
  return f;
}

int64_t now_ms() { return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count(); }

// A fresh SMSC simulator and its own client, MT with receipts at window 100: messages/s.
double smsc_ceiling(const std::string& source_dir, const std::string& work, int count) {
  const std::string config = work + "/ceiling-sim.json";
  std::ofstream(config) << R"({"esmes":[{"system_id":"pintar","password":"secret","routes":["1234"],"max_binds":8}],)"
                        << R"("resp_msgid":"hex","receipt":{"form":"both"},"max_messages":1000})";
  ChildProcess sim({"node", source_dir + "/tests/peers/smsc-sim/smsc-sim.js", "--config", config}, {}, true);
  const auto ready = sim.wait_for_line("READY ", seconds(30));
  std::smatch m;
  static const std::regex kReady(R"(READY smpp=(\d+) control=(\d+))");
  if (!ready || !std::regex_search(*ready, m, kReady)) throw std::runtime_error("ceiling simulator did not start");
  ChildProcess client({"node", source_dir + "/tests/peers/smsc-sim/bench-client.js", "--port", m[1].str(), "--count",
                       std::to_string(count), "--window", "100", "--receipts", "1"},
                      {}, true);
  const auto line = client.wait_for_line("{", seconds(180));
  sim.stop(SIGTERM, seconds(5));
  if (!line) throw std::runtime_error("ceiling client gave no result");
  return nlohmann::json::parse(*line).value("rate", 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench/e2e: SMS purchases through the whole world"};
  size_t customers = 400;
  double rate = 200;
  int seconds_run = 60;
  int workers = 2;
  std::string source_dir = PINTAR_BENCH_SOURCE_DIR, build_dir = PINTAR_BENCH_BUILD_DIR;
  int ceiling_count = 20000;
  app.add_option("--customers", customers, "customers buying (each waits customers/rate s between purchases)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--rate", rate, "purchases offered per second")->check(CLI::Range(0.1, 100000.0));
  app.add_option("--seconds", seconds_run, "length of the timed span")->check(CLI::Range(1, 3600));
  app.add_option("--ceiling-count", ceiling_count, "MTs for the SMSC ceiling run (0: skip)")->check(CLI::Range(0, 1000000));
  app.add_option("--workers", workers, "vending.workers of the engine")->check(CLI::Range(1, 64));
  app.add_option("--source", source_dir, "source tree");
  app.add_option("--build", build_dir, "build tree");
  CLI11_PARSE(app, argc, argv);

  try {
    const std::string work = std::filesystem::temp_directory_path() / fmt::format("pintar-e2e-bench-{}", getpid());
    std::filesystem::remove_all(work);
    pintar::cli::WorldOptions options;
    options.work_dir = work;
    options.source_dir = source_dir;
    options.build_dir = build_dir;
    options.pintar = build_dir + "/cli/pintar";
    options.customers = pintar::cli::numbered_customers(customers);
    options.vending_extra = fmt::format("same_text_window_s = 1\nrate_limit_count = 100000\nworkers = {}\n", workers);
    options.gateway_extra = "mo_dedup_window_s = 1\n";
    std::cerr << fmt::format("e2e_bench: starting the world ({} customers) in {}\n", customers, work);
    pintar::cli::World world(options);

    // Room for every sale: the deposit, and each account's monthly kWh limit (P2APST 0047).
    world.p2apst("POST", "/deposit", {{"deposit", int64_t{1'000'000'000'000}}});
    nlohmann::json accounts = nlohmann::json::array();
    for (const auto& c : world.options().customers) {
      accounts.push_back({{"meter", c.meter}, {"idpel", c.idpel}, {"name", c.name}, {"tariff", c.tariff},
                          {"power_va", c.power_va}, {"max_kwh", 99999}});
    }
    world.p2apst("POST", "/accounts", accounts);

    const auto& list = world.options().customers;
    const size_t sales_before = world.p2apst("GET", "/stats")["sales"].get<size_t>();
    const int64_t gateway_cpu0 = cpu_ms(world.gateway_pid()), vending_cpu0 = cpu_ms(world.vending_pid());
    const int64_t start_ms = now_ms();
    const auto start = steady_clock::now();
    // Senders, each with its own connection to the phones and its share of the schedule: a
    // POST waits for the phone's submit_sm, so one sender alone would fall behind the rate.
    const size_t senders = std::clamp<size_t>(static_cast<size_t>(rate / 50) + 1, 1, 8);
    const auto interval = duration_cast<steady_clock::duration>(duration<double>(1.0 / rate));
    const size_t total = static_cast<size_t>(rate * seconds_run);
    std::atomic<size_t> refused{0};
    std::vector<std::thread> threads;
    for (size_t t = 0; t < senders; ++t) {
      threads.emplace_back([&, t] {
        httplib::Client phones("127.0.0.1", world.phones_port());
        phones.set_keep_alive(true);
        phones.set_tcp_nodelay(true);  // else Nagle holds each POST's body for the peer's delayed ACK (40 ms)
        for (size_t i = t; i < total; i += senders) {
          std::this_thread::sleep_until(start + interval * i);
          const auto& c = list[i % list.size()];
          const nlohmann::json body = {{"from", c.phone}, {"to", world.options().short_code},
                                       {"text", fmt::format("TOKEN {} 50000 {}", c.meter, c.pin)}};
          auto res = phones.Post("/sms", body.dump(), "application/json");
          if (!res || res->status != 200) ++refused;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    const size_t sent = total;
    const double span_s = duration<double>(steady_clock::now() - start).count();
    // Let what was offered finish (or give up after 120 s), then count.
    LedgerFigures figures;
    const std::string ledger = work + "/ledger.db";
    for (int i = 0; i < 240; ++i) {
      figures = read_ledger(ledger, start_ms, std::numeric_limits<int64_t>::max());
      if (figures.purchases >= sent - refused.load() && figures.unfinished == 0) break;
      std::this_thread::sleep_for(milliseconds(500));
    }
    const int64_t gateway_cpu = settled_cpu_ms(world.gateway_pid()) - gateway_cpu0;
    const int64_t vending_cpu = settled_cpu_ms(world.vending_pid()) - vending_cpu0;
    const size_t sales = world.p2apst("GET", "/stats")["sales"].get<size_t>() - sales_before;
    // From the first purchase sent to the last one completed: below saturation the offered
    // rate, above it what the world can do.
    const double busy_s = std::max(span_s, static_cast<double>(figures.last_completed_ms - start_ms) / 1000.0);
    const double vends_per_s = static_cast<double>(figures.completed) / busy_s;
    const double ceiling = ceiling_count > 0 ? smsc_ceiling(source_dir, work, ceiling_count) : 0.0;

    const nlohmann::json out = {
        {"customers", customers},
        {"offered_per_s", rate},
        {"seconds", span_s},
        {"busy_seconds", busy_s},
        {"sent", sent},
        {"phone_refused", refused.load()},
        {"purchases", figures.purchases},
        {"completed", figures.completed},
        {"unfinished", figures.unfinished},
        {"sales", sales},
        {"vends_per_s", vends_per_s},
        {"latency_ms",
         {{"p50", percentile(figures.latency_ms, 0.50)},
          {"p99", percentile(figures.latency_ms, 0.99)},
          {"max", figures.latency_ms.empty() ? 0 : figures.latency_ms.back()}}},
        {"cpu_ms_per_vend",
         {{"gateway", figures.completed ? static_cast<double>(gateway_cpu) / static_cast<double>(figures.completed) : 0},
          {"vending", figures.completed ? static_cast<double>(vending_cpu) / static_cast<double>(figures.completed) : 0}}},
        {"smsc_ceiling_msgs_per_s", ceiling},
        {"smsc_ceiling_vends_per_s", ceiling / 4},
    };
    std::cout << out.dump() << "\n";
    std::cerr << fmt::format(
        "e2e_bench: offered {:.0f}/s for {:.1f} s: {} sent, {} completed ({:.1f} vends/s), {} unfinished, {} sales; "
        "MO -> token MT p50 {} ms p99 {} ms max {} ms; CPU per vend gateway {:.2f} ms, vending {:.2f} ms; SMSC "
        "ceiling {:.0f} msgs/s (~{:.0f} vends/s)\n",
        rate, span_s, sent, figures.completed, vends_per_s, figures.unfinished, sales,
        out["latency_ms"]["p50"].get<int64_t>(), out["latency_ms"]["p99"].get<int64_t>(),
        out["latency_ms"]["max"].get<int64_t>(), out["cpu_ms_per_vend"]["gateway"].get<double>(),
        out["cpu_ms_per_vend"]["vending"].get<double>(), ceiling, ceiling / 4);
    const bool whole = sales == figures.completed && figures.completed == sent && figures.unfinished == 0;
    if (whole) std::filesystem::remove_all(work);
    else std::cerr << "e2e_bench: not every purchase completed once; the world's files are kept in " << work << "\n";
    return whole ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "e2e_bench: " << e.what() << "\n";
    return 1;
  }
}
