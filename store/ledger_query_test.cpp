// Schema revision 6 on real files: find_transactions (newest versions, on indexes) and
// update_counter_window (atomic read-modify-write across Ledger objects and threads).
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "sqlite/connection.h"
#include "store/ledger.h"
#include "store/ledger_test_support.h"
#include "store/sqlite_ledger.h"
#include "store/statements.h"
#include "store/test_support.h"

namespace pintar::store {
namespace {

using testing::make_temp_dir;
using testing::open_or_die;
using testing::options_in;
using testing::sample_transaction;

TransactionRecord txn(int n, const std::string& meter, const std::string& msisdn, int64_t created) {
  TransactionRecord t = sample_transaction(n);
  t.meter_no = meter;
  t.msisdn = msisdn;
  t.created_ms = created;
  t.recorded_ms = created;
  return t;
}

TransactionRecord next_version(TransactionRecord t, std::string state) {
  ++t.version;
  t.state = std::move(state);
  return t;
}

std::vector<std::string> ids(const Result<std::vector<TransactionRecord>>& found) {
  REQUIRE(found.ok());
  std::vector<std::string> out;
  for (const auto& t : *found) out.push_back(fmt::format("{}@{}", t.txn_id, t.version));
  return out;
}

TEST_CASE("find_transactions returns newest versions, newest first, filtered", "[store][ledger6]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  const std::string m1 = "14000000001", m2 = "14000000002", p1 = "6281200000001", p2 = "6281200000002";
  const TransactionRecord a = txn(1, m1, p1, 100), b = txn(2, m1, p2, 200), c = txn(3, m2, p1, 300),
                          d = txn(4, m1, p1, 200);
  WriteSet writes;
  writes.append_transaction(a).append_transaction(b).append_transaction(c).append_transaction(d);
  writes.append_transaction(next_version(a, "token_issued"));
  const TransactionRecord c2 = next_version(c, "purchase_sent");
  writes.append_transaction(c2).append_transaction(next_version(c2, "failed"));
  REQUIRE(ledger->write(std::move(writes)).ok());

  CHECK(ids(ledger->find_transactions({})) ==
        std::vector<std::string>{"txn-3@3", "txn-4@1", "txn-2@1", "txn-1@2"});  // txn_id breaks the tie
  CHECK(ids(ledger->find_transactions({.meter_no = m1, .msisdn = {}, .states = {}, .created_since_ms = {}})) ==
        std::vector<std::string>{"txn-4@1", "txn-2@1", "txn-1@2"});
  CHECK(ids(ledger->find_transactions({.meter_no = m1, .msisdn = p1, .states = {}, .created_since_ms = {}})) ==
        std::vector<std::string>{"txn-4@1", "txn-1@2"});
  CHECK(ids(ledger->find_transactions({.meter_no = {}, .msisdn = p1, .states = {}, .created_since_ms = 150})) ==
        std::vector<std::string>{"txn-3@3", "txn-4@1"});
  // A state of an older version does not match: only the newest version's state counts.
  CHECK(ids(ledger->find_transactions({.meter_no = {}, .msisdn = {}, .states = {"received", "purchase_sent"},
                                       .created_since_ms = {}})) == std::vector<std::string>{"txn-4@1", "txn-2@1"});
  CHECK(ids(ledger->find_transactions(
            {.meter_no = m1, .msisdn = {}, .states = {"token_issued"}, .created_since_ms = {}})) ==
        std::vector<std::string>{"txn-1@2"});
  CHECK(ids(ledger->find_transactions({.meter_no = {}, .msisdn = {}, .states = {"a\"b\\"}, .created_since_ms = {}}))
            .empty());
  CHECK(ids(ledger->find_transactions({.meter_no = {}, .msisdn = {}, .states = {}, .created_since_ms = {}, .limit = 2}))
            .size() == 2);
  auto full = ledger->find_transactions({.meter_no = m2, .msisdn = {}, .states = {}, .created_since_ms = {}});
  REQUIRE(full->size() == 1);
  CHECK((*full)[0] == *ledger->find_transaction("txn-3").value());
}

TEST_CASE("transaction_versions gives a transaction's every version, oldest first", "[store][ledger6]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  const TransactionRecord a = txn(1, "14000000001", "6281200000001", 100);
  const TransactionRecord a2 = next_version(a, "purchasing");
  const TransactionRecord b = txn(2, "14000000001", "6281200000001", 150);
  WriteSet writes;
  writes.append_transaction(a).append_transaction(b).append_transaction(a2).append_transaction(
      next_version(a2, "token_issued"));
  REQUIRE(ledger->write(std::move(writes)).ok());
  CHECK(ids(ledger->transaction_versions(a.txn_id)) ==
        std::vector<std::string>{a.txn_id + "@1", a.txn_id + "@2", a.txn_id + "@3"});
  CHECK(ids(ledger->transaction_versions(b.txn_id)) == std::vector<std::string>{b.txn_id + "@1"});
  CHECK(ids(ledger->transaction_versions("no-such-txn")).empty());
}

TEST_CASE("find_transactions walks an index, never every version", "[store][ledger6]") {
  const std::string dir = make_temp_dir();
  open_or_die(options_in(dir));
  auto db = sqlite::Connection::open(dir + "/ledger.db", {});
  REQUIRE(db.ok());
  REQUIRE(db->exec("ANALYZE").ok());
  for (Sql query : {Sql::kTransactionsByMeter, Sql::kTransactionsByMsisdn, Sql::kTransactionsByState,
                    Sql::kTransactionsByCreated}) {
    auto plan = db->prepare(std::string("EXPLAIN QUERY PLAN ") + std::string(sql_text(query)));
    REQUIRE(plan.ok());
    std::string lines;
    for (;;) {
      auto more = plan->step();
      REQUIRE(more.ok());
      if (!*more) break;
      lines += plan->text(3) + "\n";
    }
    INFO(lines);
    // "SCAN transactions" / "SCAN transaction_latest" without an index is a full scan.
    CHECK(lines.find("SCAN transactions\n") == std::string::npos);
    CHECK(lines.find("SCAN transaction_latest\n") == std::string::npos);
    CHECK(lines.find("USING INTEGER PRIMARY KEY") != std::string::npos);  // whole rows by seq
  }
}

// The replay window of meters/replay_guard.h in miniature: accept a counter above the highest
// (sliding the window) or an unseen one within the 64 below it.
std::optional<CounterWindow> accept(const CounterWindow& w, uint32_t counter) {
  if (counter > w.highest) {
    const uint32_t shift = counter - w.highest;
    return CounterWindow{.highest = counter, .seen = (shift >= 64 ? 0 : w.seen << shift) | 1};
  }
  const uint32_t age = w.highest - counter;
  if (age >= 64 || (w.seen >> age & 1) != 0) return std::nullopt;
  return CounterWindow{.highest = w.highest, .seen = w.seen | uint64_t{1} << age};
}

TEST_CASE("update_counter_window: no counter accepted twice by two Ledgers on one file", "[store][ledger6]") {
  const std::string dir = make_temp_dir();
  auto first = open_or_die(options_in(dir));
  auto second = open_or_die(options_in(dir));
  constexpr uint32_t kCounters = 40;
  std::mutex mutex;
  std::map<uint32_t, int> accepted;
  std::vector<uint32_t> claimed;  // "out": each caller takes highest + 1
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Ledger& ledger = t % 2 == 0 ? *first : *second;
      for (uint32_t counter = 1; counter <= kCounters; ++counter) {
        bool took = false;
        Status in = ledger.update_counter_window("modem-key-1", "in", [&](const CounterWindow& w) {
          auto next = accept(w, counter);
          took = next.has_value();
          return next;
        });
        uint32_t mine = 0;
        Status out = ledger.update_counter_window("modem-key-1", "out", [&](const CounterWindow& w) {
          mine = w.highest + 1;
          return CounterWindow{.highest = mine, .seen = 0};
        });
        if (!in.ok() || !out.ok()) ++failures;
        std::lock_guard lock(mutex);
        if (took) ++accepted[counter];
        claimed.push_back(mine);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
  for (uint32_t counter = 1; counter <= kCounters; ++counter) {
    INFO(counter);
    CHECK(accepted[counter] == 1);  // every thread offered every counter: exactly one took it
  }
  std::ranges::sort(claimed);
  CHECK(std::adjacent_find(claimed.begin(), claimed.end()) == claimed.end());
  CHECK(claimed.back() == 4 * kCounters);
}

TEST_CASE("update_counter_window: nullopt stores nothing; directions are in and out", "[store][ledger6]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  CounterWindow seen_first{.highest = 99, .seen = 99};
  REQUIRE(ledger->update_counter_window("k", "in", [&](const CounterWindow& w) {
    seen_first = w;
    return std::nullopt;
  }).ok());
  CHECK(seen_first == CounterWindow{});
  const CounterWindow high{.highest = 4294967295u, .seen = 0x8000000000000001ull};
  REQUIRE(ledger->update_counter_window("k", "in", [&](const CounterWindow&) { return high; }).ok());
  CounterWindow read_back;
  REQUIRE(ledger->update_counter_window("k", "in", [&](const CounterWindow& w) {
    read_back = w;
    return std::nullopt;
  }).ok());
  CHECK(read_back == high);  // all 64 bits and the full 32-bit counter survive
  REQUIRE(ledger->update_counter_window("k", "out", [&](const CounterWindow& w) {
    read_back = w;
    return std::nullopt;
  }).ok());
  CHECK(read_back == CounterWindow{});  // the other direction is its own window
  bool called = false;
  CHECK(ledger->update_counter_window("k", "sideways", [&](const CounterWindow&) {
    called = true;
    return std::nullopt;
  }).code() == StatusCode::kInvalidArgument);
  CHECK_FALSE(called);
}

}  // namespace
}  // namespace pintar::store
