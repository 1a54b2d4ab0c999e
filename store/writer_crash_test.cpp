// Crash safety of group commit: a child process commits from several threads and reports
// each write set whose future resolved ok; the parent SIGKILLs it mid-stream, reopens the
// file and expects every reported write set to be there, and the chains intact.
// This shows order (ok only after COMMIT) and WAL recovery, not power-loss durability:
// SIGKILL keeps the page cache (store/README.md, "What the tests show").
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "store/ledger.h"
#include "store/sqlite_ledger.h"
#include "store/test_support.h"

namespace pintar::store {
namespace {

constexpr int kChildThreads = 4;
constexpr int kPerThread = 5000;  // bounds the child if the parent never kills it
constexpr size_t kKillAfter = 400;

[[noreturn]] void commit_and_report(const std::string& dir, int report_fd) {
  auto ledger = open_ledger(testing::options_in(dir));
  if (!ledger.ok()) _exit(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < kChildThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int32_t n = t * kPerThread + i;
        WriteSet writes;
        writes.append_transaction(testing::sample_transaction(n));
        if (!(*ledger)->write(std::move(writes)).ok()) _exit(3);
        if (write(report_fd, &n, sizeof n) != sizeof n) _exit(4);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  _exit(0);
}

TEST_CASE("every write set reported durable survives SIGKILL", "[store][writer][crash]") {
  const std::string dir = testing::make_temp_dir();
  REQUIRE(open_ledger(testing::options_in(dir)).ok());  // create the file before forking
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(fds[0]);
    commit_and_report(dir, fds[1]);
  }
  close(fds[1]);

  std::set<int32_t> durable;
  int32_t n = 0;
  while (durable.size() < kKillAfter && read(fds[0], &n, sizeof n) == sizeof n) durable.insert(n);
  kill(child, SIGKILL);
  while (read(fds[0], &n, sizeof n) == sizeof n) durable.insert(n);  // reported before it died
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  INFO("child status " << status);
  REQUIRE(durable.size() >= kKillAfter);

  auto ledger = open_ledger(testing::options_in(dir));
  REQUIRE(ledger.ok());
  size_t missing = 0;
  for (int32_t id : durable) {
    if (!(*ledger)->find_transaction(fmt::format("txn-{}", id))->has_value()) ++missing;
  }
  CHECK(missing == 0);
  auto report = (*ledger)->verify_chains();
  REQUIRE(report.ok());
  CHECK_FALSE(report->problem);
  CHECK(report->transactions_rows >= static_cast<int64_t>(durable.size()));
}

}  // namespace
}  // namespace pintar::store
