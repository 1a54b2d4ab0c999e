// The gateway queue when the disk fails: SQLite's own fault-injection seam (the unix VFS's
// replaceable system calls) and a real full filesystem (a small tmpfs mounted by the test).
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <vector>

#include <catch2/catch.hpp>

#include "gateway/queue.h"
#include "sqlite/testing.h"

namespace pintar::gateway {
namespace {

std::filesystem::path temp_dir(const std::string& name) {
  const char* root = std::getenv("TMPDIR");
  auto dir = std::filesystem::path(root ? root : "/tmp") / ("pintar-gwq-disk-" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

QueueMo big_mo(int i) {
  return {.smsc = "sim", .source = "628121", .destination = "1234",
          .text = std::to_string(i) + std::string(3000, 'x'), .data_coding = 0, .received_at_ms = 1000};
}

// Posts `count` MOs so that they all land in one batch (the writer is held in the completion
// of a first MO until they are queued), and records which completions reported success.
struct BatchOutcome {
  std::set<int64_t> reported_stored;
  int failures = 0;
};
BatchOutcome one_big_batch(GatewayQueue& queue, int count, const std::function<void()>& before_batch) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;
  queue.add_mo(big_mo(-1), [&, released](Result<QueueMoAdded> id) {
    REQUIRE(id.ok());
    holding.set_value();
    released.wait();
  });
  holding.get_future().wait();
  std::mutex mutex;
  BatchOutcome outcome;
  std::atomic<int> pending{count};
  std::promise<void> all_done;
  for (int i = 0; i < count; ++i) {
    queue.add_mo(big_mo(i), [&](Result<QueueMoAdded> id) {
      {
        std::lock_guard lock(mutex);
        if (id.ok()) outcome.reported_stored.insert(id->id); else ++outcome.failures;
      }
      if (--pending == 0) all_done.set_value();
    });
  }
  before_batch();
  release.set_value();
  all_done.get_future().wait();
  return outcome;
}

// Every MO row is one whose completion said "stored", and every "stored" is a row.
void check_consistent(GatewayQueue& queue, const BatchOutcome& outcome) {
  auto rows = queue.mos_after(0, 100000);
  REQUIRE(rows.ok());
  std::set<int64_t> stored;
  for (const auto& row : *rows) if (row.mo.text.rfind("-1", 0) != 0) stored.insert(row.id);
  CHECK(stored == outcome.reported_stored);
}

// --- SQLite fault injection: the unix VFS lets a test replace its write system calls. ---
using sqlite::testing::WriteFaults;

TEST_CASE("a write failing mid-batch fails the whole batch; nothing commits piecemeal", "[gateway_queue][disk]") {
  WriteFaults faults;
  REQUIRE(faults.installed());
  auto path = (temp_dir("inject") / "queue.db").string();
  auto queue = GatewayQueue::open({.path = path});
  REQUIRE(queue.ok());
  // 1000 MOs of 3 kB overflow SQLite's 2 MB page cache, so pages spill to the WAL in the
  // middle of the batch: the failing write is a spill, which rolls the transaction back.
  auto outcome = one_big_batch(**queue, 1000, [] { WriteFaults::fail_after(20); });
  WriteFaults::fail_after(-1);
  CHECK(outcome.failures == 1000);
  check_consistent(**queue, outcome);
  // The queue works again once the disk does.
  auto id = (*queue)->add_mo_sync(big_mo(5000));
  CHECK(id.ok());
}

// Part `sequence` of a 3-part long MO with UDH reference 9 (as the gateway stores each part).
QueueMo part_of_three(int sequence, const std::string& data) {
  QueueMo record{.smsc = "sim", .source = "628121", .destination = "1234", .text = {}, .data_coding = 0,
                  .received_at_ms = 1000};
  record.user_data = data;
  record.esm_class = 0x40;
  record.udh = std::string("\x05\x00\x03\x09\x03", 5) + static_cast<char>(sequence);
  record.reference = 9;
  record.total = 3;
  record.sequence = sequence;
  record.deadline_ms = 61000;
  return record;
}

TEST_CASE("the last part of a long MO failing to commit loses no part; its retry joins all three",
          "[gateway_queue][disk]") {
  WriteFaults faults;
  REQUIRE(faults.installed());
  auto path = (temp_dir("last-part") / "queue.db").string();
  auto queue = GatewayQueue::open(
      {.path = path, .decode_text = [](int, std::string_view data) { return std::string(data); }});
  REQUIRE(queue.ok());
  REQUIRE((*queue)->add_mo_sync(part_of_three(1, "one ")).ok());
  REQUIRE((*queue)->add_mo_sync(part_of_three(2, "two ")).ok());
  WriteFaults::fail_after(0);  // the very next write: the last part's commit
  auto failed = (*queue)->add_mo_sync(part_of_three(3, "three"));
  WriteFaults::fail_after(-1);
  CHECK_FALSE(failed.ok());  // answered 0x64: the SMSC delivers it again
  CHECK((*queue)->mos_after(0, 10)->empty());

  auto retried = (*queue)->add_mo_sync(part_of_three(3, "three"));
  REQUIRE(retried.ok());
  CHECK_FALSE(retried->duplicate);  // the failed commit left no key behind
  auto rows = (*queue)->mos_after(0, 10);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK(rows->at(0).mo.text == "one two three");
  CHECK(rows->at(0).mo.parts == 3);
  CHECK_FALSE(rows->at(0).mo.incomplete);
}

// --- A real full filesystem ---
TEST_CASE("on a full filesystem every MO is either reported stored or not stored", "[gateway_queue][disk]") {
  const auto dir = temp_dir("tmpfs");
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=3m") != 0) {
    WARN("SKIPPED: cannot mount a tmpfs at " << dir << " (" << std::strerror(errno)
                                             << "); the full-filesystem test needs root (CAP_SYS_ADMIN)");
    return;
  }
  struct Unmount {
    std::filesystem::path dir;
    ~Unmount() { ::umount2(dir.c_str(), MNT_DETACH); }
  } unmount{dir};
  {
    auto queue = GatewayQueue::open({.path = (dir / "queue.db").string()});
    REQUIRE(queue.ok());
    // Fill what is left but about 1 MB, so the batch's spilled pages fill the disk.
    {
      FILE* filler = std::fopen((dir / "filler").c_str(), "w");
      REQUIRE(filler != nullptr);
      std::vector<char> block(64 * 1024, 'f');
      for (int i = 0; i < 22; ++i) std::fwrite(block.data(), 1, block.size(), filler);
      std::fclose(filler);
    }
    auto outcome = one_big_batch(**queue, 1000, [] {});
    CHECK(outcome.failures > 0);
    check_consistent(**queue, outcome);
  }
}

}  // namespace
}  // namespace pintar::gateway
