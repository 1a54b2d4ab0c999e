// bench/ledger: committed write sets per second on a real file with synchronous=FULL, one
// commit per write set (group_commit_max_batch = 1) against group commit, with 1 and 8
// concurrent writers. Each writer keeps --depth write sets in flight (a gateway worker
// serving several customers at once); --depth 1 is a writer that waits for each commit.
//
//   ledger_bench [--dir DIR] [--seconds S] [--depth N]
//   ledger_bench subscribers FILE ROWS   writes a subscriber import file for timing
//                                        `pintar customers import` (docs/performance.md)
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "store/ledger.h"
#include "store/sqlite_ledger.h"

namespace pintar::store {
namespace {

using SteadyClock = std::chrono::steady_clock;

struct Run {
  const char* mode;
  size_t max_batch;
  int writers;
};

struct Figures {
  uint64_t committed = 0;
  double seconds = 0;
  uint64_t commits = 0;
  double per_second() const { return committed / seconds; }
};

TransactionRecord record(int writer, uint64_t n) {
  return TransactionRecord{.txn_id = fmt::format("w{}-{}", writer, n),
                           .version = 1,
                           .idempotency_key = fmt::format("sms-w{}-{}", writer, n),
                           .meter_no = "01428800700",
                           .msisdn = "6281234567890",
                           .amount_rupiah = 20000,
                           .energy_deci_kwh = 0,
                           .token = std::nullopt,
                           .state = "received",
                           .reference = std::nullopt,
                           .reason = std::nullopt,
                           .created_ms = 1'700'000'000'000,
                           .recorded_ms = 1'700'000'000'000};
}

Figures measure(const std::string& dir, const Run& run, std::chrono::seconds duration, int depth) {
  const std::string path = fmt::format("{}/bench-{}-{}.db", dir, run.mode, run.writers);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  LedgerOptions options{.path = path};
  options.synchronous = sqlite::Synchronous::kFull;
  options.group_commit_max_batch = run.max_batch;
  auto ledger = open_ledger(options);
  if (!ledger.ok()) {
    fmt::print(stderr, "{}\n", ledger.status());
    std::exit(1);
  }
  std::atomic<uint64_t> committed{0};
  std::atomic<bool> failed{false};
  const auto start = SteadyClock::now();
  const auto deadline = start + duration;
  std::vector<std::thread> writers;
  for (int w = 0; w < run.writers; ++w) {
    writers.emplace_back([&, w] {
      std::deque<std::future<Status>> in_flight;
      uint64_t n = 0;
      while (SteadyClock::now() < deadline || !in_flight.empty()) {
        if (SteadyClock::now() < deadline && in_flight.size() < static_cast<size_t>(depth)) {
          WriteSet writes;
          writes.append_transaction(record(w, n++));
          in_flight.push_back((*ledger)->submit(std::move(writes)));
          continue;
        }
        if (!in_flight.front().get().ok()) failed = true;
        in_flight.pop_front();
        committed.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& writer : writers) writer.join();
  Figures figures;
  figures.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  figures.committed = committed;
  figures.commits = (*ledger)->counters().value(kCommits);
  if (failed) {
    fmt::print(stderr, "a write set failed\n");
    std::exit(1);
  }
  ledger->reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return figures;
}

int bench(const std::string& dir, int seconds, int depth) {
  const Run runs[] = {
      {"one-by-one", 1, 1},
      {"group", 256, 1},
      {"one-by-one", 1, 8},
      {"group", 256, 8},
  };
  fmt::print("ledger bench: synchronous=FULL, {} s per run, {} write set(s) in flight per writer, files in {}\n",
             seconds, depth, dir);
  fmt::print("{:<11} {:>7} {:>10} {:>12} {:>9} {:>11}\n", "mode", "writers", "committed", "per second", "commits",
             "mean group");
  double rate[2][2] = {};
  for (const Run& run : runs) {
    const Figures f = measure(dir, run, std::chrono::seconds(seconds), depth);
    fmt::print("{:<11} {:>7} {:>10} {:>12.0f} {:>9} {:>11.1f}\n", run.mode, run.writers, f.committed, f.per_second(),
               f.commits, static_cast<double>(f.committed) / std::max<uint64_t>(1, f.commits));
    rate[run.max_batch > 1][run.writers > 1] = f.per_second();
  }
  fmt::print("group commit / one-by-one: {:.1f}x at 1 writer, {:.1f}x at 8 writers\n", rate[1][0] / rate[0][0],
             rate[1][1] / rate[0][1]);
  return 0;
}

// A valid import file: one customer, meter, modem and subscription per line.
int write_subscribers(const std::string& path, long rows) {
  std::ofstream out(path);
  out << "idpel,name,tariff,power_va,region,meter_no,sgc,ti,krn,kt,ea,dkga,base_date,kdpm,modem_msisdn,"
         "modem_key_id,msisdn,language,pin\n";
  for (long n = 0; n < rows; ++n) {
    out << fmt::format("{:012},CUSTOMER {},R1,{},JKT,{:011},600675,01,1,2,07,02,1993,ABC,628110{:07},modem-1,"
                       "628120{:07},id,{:06}\n",
                       511000000000L + n * 7919 % 1000000000L, n, n % 2 ? 900 : 1300, 14000000000L + n, n, n,
                       n * 31 % 1000000);
  }
  return out ? 0 : 1;
}

}  // namespace
}  // namespace pintar::store

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 3 && args[0] == "subscribers") return pintar::store::write_subscribers(args[1], std::stol(args[2]));
  std::string dir = ".";
  int seconds = 3;
  int depth = 16;
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == "--dir") {
      dir = args[i + 1];
    } else if (args[i] == "--seconds") {
      seconds = std::stoi(args[i + 1]);
    } else if (args[i] == "--depth") {
      depth = std::stoi(args[i + 1]);
    } else {
      fmt::print(stderr, "usage: ledger_bench [--dir DIR] [--seconds S] [--depth N] | subscribers FILE ROWS\n");
      return 64;
    }
  }
  return pintar::store::bench(dir, seconds, std::max(1, depth));
}
