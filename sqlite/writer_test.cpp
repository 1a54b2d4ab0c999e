#include "sqlite/writer.h"

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <vector>

#include <catch2/catch.hpp>

#include "sqlite/test_support.h"
#include "sqlite/testing.h"

namespace pintar::sqlite {
namespace {

Connection open_table(const std::string& path) {
  auto db = Connection::open(path, {});
  REQUIRE(db.ok());
  REQUIRE(db->exec("CREATE TABLE IF NOT EXISTS t(k TEXT PRIMARY KEY, v BLOB NOT NULL)").ok());
  return std::move(db).value();
}

int64_t count_rows(const std::string& path) {
  auto db = Connection::open(path, {});
  REQUIRE(db.ok());
  auto select = db->prepare("SELECT count(*) FROM t");
  REQUIRE(select.ok());
  Cursor row(*select);
  REQUIRE(*row.step());
  return row.integer(0);
}

GroupWriter::Apply insert(std::string key, size_t size = 10) {
  return [key = std::move(key), size](Connection& db) {
    auto statement = db.prepare("INSERT INTO t VALUES(?, ?)");
    if (!statement.ok()) return statement.status();
    const std::string value(size, 'v');
    return statement->bind(key, Blob{value}).run();
  };
}

// Holds the writer thread inside a first operation's `done` until released, so that what is
// submitted meanwhile lands in one batch.
struct Gate {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  void hold(GroupWriter& writer) {
    auto held = std::make_shared<std::promise<void>>();
    auto holding = held->get_future();
    // The callback keeps its own handles: the writer thread may still be waking from the wait
    // when the Gate goes out of scope.
    writer.submit(insert("gate"), [held, released = released](Status) {
      held->set_value();
      released.wait();
    });
    holding.wait();
  }
};

struct Outcomes {
  std::mutex mutex;
  std::vector<Status> statuses;
  GroupWriter::Done record() {
    return [this](Status status) {
      std::lock_guard lock(mutex);
      statuses.push_back(std::move(status));
    };
  }
  size_t ok_count() {
    std::lock_guard lock(mutex);
    size_t n = 0;
    for (const Status& s : statuses) n += s.ok() ? 1 : 0;
    return n;
  }
};

TEST_CASE("operations queued together commit in one transaction; a failing one is undone alone", "[sqlite]") {
  const std::string path = test::make_temp_dir() + "/w.db";
  std::atomic<int> transactions{0}, begins{0}, commits{0};
  Outcomes outcomes;
  {
    GroupWriter writer(open_table(path), {.name = "test"},
                       {.after_begin = [&](Connection&) { ++begins; return Status::ok_status(); },
                        .before_commit = [&](Connection&) { ++commits; return Status::ok_status(); },
                        .after_transaction = [&](const Status& status) { transactions += status.ok() ? 1 : 100; }});
    Gate gate;
    gate.hold(writer);
    writer.submit(insert("a"), outcomes.record());
    writer.submit(insert("a"), outcomes.record());  // unique key: fails alone
    writer.submit(insert("b"), outcomes.record());
    gate.release.set_value();
  }  // the destructor drains the queue
  REQUIRE(outcomes.statuses.size() == 3);
  CHECK(outcomes.statuses[0].ok());
  CHECK(outcomes.statuses[1].code() == StatusCode::kAlreadyExists);
  CHECK(outcomes.statuses[2].ok());
  CHECK(transactions == 2);  // the gate's, then one for all three
  CHECK(begins == 2);
  CHECK(commits == 2);
  CHECK(count_rows(path) == 3);  // gate, a, b
}

TEST_CASE("an operation run alone rolls back entirely on its error", "[sqlite]") {
  const std::string path = test::make_temp_dir() + "/w.db";
  Outcomes outcomes;
  {
    GroupWriter writer(open_table(path), {.name = "test"});
    writer.submit_alone(
        [](Connection& db) {
          PINTAR_RETURN_IF_ERROR(insert("x")(db));
          return insert("x")(db);
        },
        outcomes.record());
    writer.submit_alone([](Connection& db) { return insert("y")(db); }, outcomes.record());
  }
  REQUIRE(outcomes.statuses.size() == 2);
  CHECK(outcomes.statuses[0].code() == StatusCode::kAlreadyExists);
  CHECK(outcomes.statuses[1].ok());
  CHECK(count_rows(path) == 1);  // only y
}

TEST_CASE("a hook's error fails the transaction; nothing of the batch commits", "[sqlite]") {
  const std::string path = test::make_temp_dir() + "/w.db";
  Outcomes outcomes;
  {
    GroupWriter writer(open_table(path), {.name = "test", .file = "w.db"},
                       {.before_commit = [](Connection&) { return Status::internal("hook refused"); }});
    writer.submit(insert("a"), outcomes.record());
  }
  REQUIRE(outcomes.statuses.size() == 1);
  CHECK(outcomes.statuses[0].code() == StatusCode::kInternal);
  CHECK_THAT(outcomes.statuses[0].message(), Catch::Contains("w.db") && Catch::Contains("hook refused"));
  CHECK(count_rows(path) == 0);
}

TEST_CASE("a full disk mid-batch fails the whole batch (the automatic-rollback guard)", "[sqlite][disk]") {
  testing::WriteFaults faults;
  REQUIRE(faults.installed());
  const std::string path = test::make_temp_dir() + "/w.db";
  Outcomes outcomes;
  {
    GroupWriter writer(open_table(path), {.name = "test", .max_batch = 1024});
    Gate gate;
    gate.hold(writer);
    // 1000 rows of 3 kB overflow SQLite's 2 MB page cache: pages spill to the WAL in the
    // middle of the batch, and the failing write is a spill, which rolls the transaction back.
    for (int i = 0; i < 1000; ++i) writer.submit(insert("k" + std::to_string(i), 3000), outcomes.record());
    testing::WriteFaults::fail_after(20);
    gate.release.set_value();
  }
  testing::WriteFaults::fail_after(-1);
  REQUIRE(outcomes.statuses.size() == 1000);
  CHECK(outcomes.ok_count() == 0);
  CHECK(outcomes.statuses.front().code() == StatusCode::kIoError);  // a full disk is an I/O error
  CHECK(outcomes.statuses.back().code() == StatusCode::kIoError);
  CHECK(count_rows(path) == 1);  // the gate's row only
  {
    GroupWriter writer(open_table(path), {.name = "test"});  // the disk works again
    writer.submit(insert("after"), outcomes.record());
  }
  CHECK(outcomes.ok_count() == 1);
  CHECK(count_rows(path) == 2);
}

}  // namespace
}  // namespace pintar::sqlite
