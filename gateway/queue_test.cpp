// GatewayQueue's behaviour through its public interface, on real files. Past 500 lines on
// purpose: every case shares the same scratch files and record helpers, and the fixtures of
// released file revisions (1, and 3 as the previous code wrote it) must sit beside the cases
// that migrate them; the disk-failure cases are queue_disk_test.cpp.
#include "gateway/queue.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "sqlite/connection.h"

namespace pintar::gateway {
namespace {

std::string temp_db(const std::string& name) {
  const char* root = std::getenv("TMPDIR");
  auto dir = std::filesystem::path(root ? root : "/tmp") / ("pintar-gwq-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / (name + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path.string();
}

std::unique_ptr<GatewayQueue> open_queue(const std::string& path) {
  auto queue = GatewayQueue::open({.path = path});
  REQUIRE(queue.ok());
  return std::move(queue).value();
}

QueueMo mo(std::string text) {
  return {.smsc = "sim", .source = "628121", .destination = "1234", .text = std::move(text), .data_coding = 0,
          .received_at_ms = 1000};
}

QueueMt mt(std::string engine_id, std::string smsc = "sim") {
  return {.engine_id = std::move(engine_id), .smsc = std::move(smsc), .source = "1234", .destination = "628121",
          .text = "TOKEN 1234", .want_receipt = true, .created_at_ms = 1000};
}

QueueReceipt receipt(std::string message_id, int64_t at_ms = 2000) {
  return {.smsc = "sim", .message_id = std::move(message_id), .state = "DELIVERED", .error = "000",
          .received_at_ms = at_ms};
}

TEST_CASE("an MO stays queued until the engine acknowledges it, across reopening", "[gateway_queue]") {
  const auto path = temp_db("mo");
  int64_t first = 0;
  {
    auto queue = open_queue(path);
    auto id = queue->add_mo_sync(mo("BELI 20000"));
    REQUIRE(id.ok());
    first = id->id;
    REQUIRE(queue->add_mo_sync(mo("SALDO")).ok());
  }
  auto queue = open_queue(path);
  auto pending = queue->mos_after(0, 10);
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 2);
  CHECK(pending->at(0).id == first);
  CHECK(pending->at(0).mo.text == "BELI 20000");
  CHECK(pending->at(1).mo.text == "SALDO");
  CHECK(queue->mos_after(first, 10)->size() == 1);

  queue->ack_mo(first);
  auto after_ack = queue->mos_after(0, 10);
  REQUIRE(after_ack->size() == 1);
  CHECK(after_ack->at(0).mo.text == "SALDO");
}

TEST_CASE("ids are never reused after acknowledged rows are deleted", "[gateway_queue]") {
  auto queue = open_queue(temp_db("reuse"));
  const int64_t first = queue->add_mo_sync(mo("one"))->id;
  queue->ack_mo(first);
  const int64_t second = queue->add_mo_sync(mo("two"))->id;
  CHECK(second > first);
  CHECK(queue->mos_after(first, 10)->size() == 1);  // a reader that saw `first` still finds it

  const int64_t mt_id = queue->add_mt_sync(mt("m1"))->id;
  queue->record_submitted(mt_id, {"1"});
  const int64_t seq = queue->results_after(0, 10)->at(0).seq;
  queue->ack_result(seq);
  const int64_t mt2 = queue->add_mt_sync(mt("m2"))->id;
  queue->record_failed(mt2, 0x0B, "x");
  auto results = queue->results_after(seq, 10);
  REQUIRE(results->size() == 1);
  CHECK(results->at(0).seq > seq);
}

TEST_CASE("an MT is stored once per engine id and resubmitted until it has an outcome", "[gateway_queue]") {
  const auto path = temp_db("mt");
  int64_t a = 0, b = 0;
  {
    auto queue = open_queue(path);
    auto added = queue->add_mt_sync(mt("e-1"));
    REQUIRE(added.ok());
    CHECK(added->inserted);
    a = added->id;
    auto again = queue->add_mt_sync(mt("e-1"));
    REQUIRE(again.ok());
    CHECK_FALSE(again->inserted);
    CHECK(again->id == a);
    b = queue->add_mt_sync(mt("e-2"))->id;
    REQUIRE(queue->add_mt_sync(mt("e-3")).ok());
    queue->record_submitted(a, {"0000000A"});
    queue->record_failed(b, 0x0B, "ESME_RINVDSTADR");
  }
  auto queue = open_queue(path);
  auto unsubmitted = queue->unsubmitted_mts();
  REQUIRE(unsubmitted.ok());
  REQUIRE(unsubmitted->size() == 1);
  CHECK(unsubmitted->at(0).mt.engine_id == "e-3");

  auto results = queue->results_after(0, 10);
  REQUIRE(results.ok());
  REQUIRE(results->size() == 2);
  CHECK(results->at(0).engine_id == "e-1");
  CHECK(results->at(0).submitted);
  CHECK(results->at(0).message_ids == std::vector<std::string>{"0000000A"});
  CHECK(results->at(1).engine_id == "e-2");
  CHECK_FALSE(results->at(1).submitted);
  CHECK(results->at(1).command_status == 0x0B);
  CHECK(results->at(1).reason == "ESME_RINVDSTADR");

  // A second outcome for a settled MT (a duplicate submission's answer) changes nothing.
  queue->record_failed(a, 0x08, "late");
  CHECK(queue->results_after(0, 10)->size() == 2);
  queue->ack_result(results->at(0).seq);
  CHECK(queue->results_after(0, 10)->size() == 1);
}

TEST_CASE("MTs waiting for a bind are read back by id, in the order asked, settled ones left out",
          "[gateway_queue]") {
  const auto path = temp_db("mt-by-id");
  auto queue = open_queue(path);
  std::vector<int64_t> ids;
  for (const char* id : {"w-1", "w-2", "w-3", "w-4"}) ids.push_back(queue->add_mt_sync(mt(id))->id);
  queue->record_submitted(ids[1], {"00AB"});
  REQUIRE(queue->flush().ok());

  std::promise<Result<std::vector<QueuedMtRow>>> read;
  queue->unsubmitted_mts({ids[3], ids[1], ids[0], ids[3] + 100},
                         [&](Result<std::vector<QueuedMtRow>> mts) { read.set_value(std::move(mts)); });
  auto mts = read.get_future().get();
  REQUIRE(mts.ok());
  REQUIRE(mts->size() == 2);  // w-2 is submitted, the last id was never stored
  CHECK(mts->at(0).id == ids[3]);
  CHECK(mts->at(0).mt.engine_id == "w-4");
  CHECK(mts->at(1).id == ids[0]);
  CHECK(mts->at(1).mt.engine_id == "w-1");
  CHECK(mts->at(1).mt.text == mt("w-1").text);
}

TEST_CASE("receipts match the MT part by message id, even when they come first", "[gateway_queue]") {
  auto queue = open_queue(temp_db("receipt"));
  const int64_t id = queue->add_mt_sync(mt("long-1"))->id;
  // Part 1's receipt overtakes the submit_sm_resp of part 2: not deliverable yet.
  REQUIRE(queue->add_receipt_sync(receipt("00000001")).ok());
  CHECK(queue->receipts_after(0, 10)->empty());
  // A receipt for an id of another SMSC never matches.
  REQUIRE(queue->add_receipt_sync({.smsc = "other", .message_id = "00000002", .state = "DELIVERED", .error = "",
                                   .received_at_ms = 2000})
              .ok());

  queue->record_submitted(id, {"00000001", "00000002"});
  auto results = queue->results_after(0, 10);
  REQUIRE(results->size() == 1);
  CHECK(results->at(0).message_ids == std::vector<std::string>{"00000001", "00000002"});
  REQUIRE(queue->add_receipt_sync(receipt("00000002")).ok());
  auto ready = queue->receipts_after(0, 10);
  REQUIRE(ready.ok());
  REQUIRE(ready->size() == 2);
  CHECK(ready->at(0).engine_id == std::optional<std::string>("long-1"));
  CHECK(ready->at(0).part == 1);
  CHECK(ready->at(1).part == 2);

  // The unmatched receipt goes out on its own once its wait is over.
  REQUIRE(queue->release_unmatched_receipts(1000).ok());
  CHECK(queue->receipts_after(0, 10)->size() == 2);
  REQUIRE(queue->release_unmatched_receipts(3000).ok());
  auto all = queue->receipts_after(0, 10);
  REQUIRE(all->size() == 3);
  CHECK(all->at(2).receipt.smsc == "other");
  CHECK_FALSE(all->at(2).engine_id.has_value());

  for (const auto& r : *all) queue->ack_receipt(r.id);
  CHECK(queue->receipts_after(0, 10)->empty());
}

TEST_CASE("an SMSC reusing a message id: each MT keeps its ids, receipts go to the newest MT awaiting one",
          "[gateway_queue]") {
  const std::string path = temp_db("reused-id");
  auto queue = open_queue(path);
  const int64_t older = queue->add_mt_sync(mt("older"))->id;
  const int64_t newer = queue->add_mt_sync(mt("newer"))->id;
  // The SMSC restarted its counter between the two binds: both MTs got id 00000007.
  queue->record_submitted(older, {"00000007"});
  queue->record_submitted(newer, {"00000007", "00000008"});
  queue.reset();
  queue = open_queue(path);  // the ids survive a restart of the gateway (results sent again)
  auto results = queue->results_after(0, 10);
  REQUIRE(results.ok());
  REQUIRE(results->size() == 2);
  CHECK(results->at(0).engine_id == "older");
  CHECK(results->at(0).message_ids == std::vector<std::string>{"00000007"});
  CHECK(results->at(1).message_ids == std::vector<std::string>{"00000007", "00000008"});

  auto state = [](std::string message_id, std::string state, bool is_final) {
    QueueReceipt r = receipt(std::move(message_id));
    r.state = std::move(state);
    r.is_final = is_final;
    return r;
  };
  // An intermediate state leaves the newer MT awaiting; its final receipt settles it.
  REQUIRE(queue->add_receipt_sync(state("00000007", "ENROUTE", false)).ok());
  REQUIRE(queue->add_receipt_sync(state("00000007", "DELIVERED", true)).ok());
  // The next receipt with that id belongs to the older MT, still awaiting its outcome.
  REQUIRE(queue->add_receipt_sync(state("00000007", "UNDELIVERABLE", true)).ok());
  auto ready = queue->receipts_after(0, 10);
  REQUIRE(ready.ok());
  REQUIRE(ready->size() == 3);
  CHECK(ready->at(0).engine_id == std::optional<std::string>("newer"));
  CHECK(ready->at(1).engine_id == std::optional<std::string>("newer"));
  CHECK(ready->at(1).receipt.state == "DELIVERED");
  CHECK(ready->at(2).engine_id == std::optional<std::string>("older"));
  CHECK(ready->at(2).part == 1);

  // Every MT with the id is final: a further one (a repeat, or a receipt overtaking the
  // submit_sm_resp of a third MT given the same id) waits unmatched and goes to that third MT.
  REQUIRE(queue->add_receipt_sync(state("00000007", "DELIVERED", true)).ok());
  CHECK(queue->receipts_after(ready->back().id, 10)->empty());
  const int64_t third = queue->add_mt_sync(mt("third"))->id;
  queue->record_submitted(third, {"00000007"});
  auto late = queue->receipts_after(ready->back().id, 10);
  REQUIRE(late->size() == 1);
  CHECK(late->at(0).engine_id == std::optional<std::string>("third"));
  // ... and it was final, so the third MT no longer awaits one either: a repeat stays unmatched.
  REQUIRE(queue->add_receipt_sync(state("00000007", "DELIVERED", true)).ok());
  CHECK(queue->receipts_after(late->back().id, 10)->empty());
  REQUIRE(queue->release_unmatched_receipts(3000).ok());
  auto released = queue->receipts_after(late->back().id, 10);
  REQUIRE(released->size() == 1);
  CHECK_FALSE(released->at(0).engine_id.has_value());
}

TEST_CASE("prune forgets settled MTs whose outcome was acknowledged", "[gateway_queue]") {
  auto queue = open_queue(temp_db("prune"));
  const int64_t done = queue->add_mt_sync(mt("done"))->id;
  const int64_t waiting = queue->add_mt_sync(mt("waiting"))->id;
  const int64_t unacked = queue->add_mt_sync(mt("unacked"))->id;
  queue->record_submitted(done, {"1"});
  queue->record_submitted(unacked, {"2"});
  (void)waiting;
  auto results = queue->results_after(0, 10);
  REQUIRE(results->size() == 2);
  queue->ack_result(results->at(0).seq);
  REQUIRE(queue->prune(5000).ok());
  // "done" is gone (a later receipt for it no longer matches); the other two stay.
  REQUIRE(queue->add_receipt_sync(receipt("1")).ok());
  REQUIRE(queue->add_receipt_sync(receipt("2")).ok());
  auto receipts = queue->receipts_after(0, 10);
  REQUIRE(receipts->size() == 1);
  CHECK(receipts->at(0).engine_id == std::optional<std::string>("unacked"));
  CHECK(queue->unsubmitted_mts()->size() == 1);
}

TEST_CASE("housekeeping's asynchronous forms return at once and complete after their commit", "[gateway_queue]") {
  const std::string path = temp_db("housekeeping");
  auto queue = open_queue(path);
  const int64_t done = queue->add_mt_sync(mt("done"))->id;
  queue->record_submitted(done, {"1"});
  queue->ack_result(queue->results_after(0, 10)->at(0).seq);
  REQUIRE(queue->add_receipt_sync(receipt("unknown", 2000)).ok());

  // Another process holds the file's write lock, as a backup or the sqlite3 shell can: the
  // writer waits for it (busy_timeout_ms), and so would a caller of a blocking form.
  auto other = sqlite::Connection::open(path, {.create = false});
  REQUIRE(other.ok());
  REQUIRE(other->exec("BEGIN IMMEDIATE").ok());
  std::mutex mutex;
  std::vector<Status> outcomes;
  const auto record = [&](Status status) {
    std::lock_guard lock(mutex);
    outcomes.push_back(std::move(status));
  };
  queue->release_unmatched_receipts(3000, record);
  queue->prune(5000, record);
  {
    std::lock_guard lock(mutex);
    CHECK(outcomes.empty());  // returned while the commit cannot have happened
  }
  REQUIRE(other->exec("COMMIT").ok());
  other = sqlite::Connection();
  REQUIRE(queue->flush().ok());
  {
    std::lock_guard lock(mutex);
    REQUIRE(outcomes.size() == 2);
    CHECK(outcomes[0].ok());
    CHECK(outcomes[1].ok());
  }
  // Both took effect: the unmatched receipt went out on its own, "done" no longer matches.
  auto released = queue->receipts_after(0, 10);
  REQUIRE(released->size() == 1);
  CHECK_FALSE(released->at(0).engine_id.has_value());
  REQUIRE(queue->add_receipt_sync(receipt("1")).ok());
  CHECK(queue->receipts_after(released->at(0).id, 10)->empty());
}

TEST_CASE("the queue file and its -wal and -shm are 0600 under umask 022; an existing file keeps its mode",
          "[gateway_queue]") {
  const std::string path = temp_db("mode");
  const mode_t saved = ::umask(022);  // what a shell or a cron job outside systemd hands down
  {
    auto queue = open_queue(path);
    REQUIRE(queue->add_mo_sync(mo("TOKEN 1234 20000 9999")).ok());
    for (const char* suffix : {"", "-wal", "-shm"}) {
      INFO(path + suffix);
      struct stat st {};
      REQUIRE(::stat((path + suffix).c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0600);
    }
  }
  REQUIRE(::chmod(path.c_str(), 0640) == 0);  // an operator's choice, e.g. for a backup group
  open_queue(path).reset();
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  ::umask(saved);
}

TEST_CASE("concurrent writers share commits and each learns its own outcome", "[gateway_queue]") {
  auto queue = open_queue(temp_db("group"));
  constexpr int kThreads = 8, kEach = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (!queue->add_mt_sync(mt("t" + std::to_string(t) + "-" + std::to_string(i))).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
  CHECK(queue->unsubmitted_mts()->size() == kThreads * kEach);
}

TEST_CASE("a queue file from a newer pintar is refused with a clear message", "[gateway_queue]") {
  const auto path = temp_db("newer");
  { open_queue(path); }
  REQUIRE(sqlite::Connection::open(path, {.create = false})->exec("PRAGMA user_version=99").ok());
  auto queue = GatewayQueue::open({.path = path});
  REQUIRE_FALSE(queue.ok());
  CHECK(queue.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(queue.status().message(), Catch::Contains("revision 99"));
}

// The schema of revision 1 as released (the file a gateway upgraded in place still has).
constexpr const char* kRevision1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE mo(id INTEGER PRIMARY KEY AUTOINCREMENT, smsc TEXT NOT NULL, source TEXT NOT NULL,
  destination TEXT NOT NULL, text TEXT NOT NULL, data_coding INTEGER NOT NULL, received_at_ms INTEGER NOT NULL);
CREATE TABLE mt(id INTEGER PRIMARY KEY AUTOINCREMENT, engine_id TEXT NOT NULL UNIQUE, smsc TEXT NOT NULL,
  source TEXT NOT NULL, destination TEXT NOT NULL, text TEXT NOT NULL, want_receipt INTEGER NOT NULL,
  state INTEGER NOT NULL DEFAULT 0, command_status INTEGER, reason TEXT, created_at_ms INTEGER NOT NULL);
CREATE INDEX mt_unsubmitted ON mt(id) WHERE state = 0;
CREATE TABLE mt_message_id(smsc TEXT NOT NULL, message_id TEXT NOT NULL,
  mt_id INTEGER NOT NULL REFERENCES mt(id) ON DELETE CASCADE, part INTEGER NOT NULL,
  PRIMARY KEY(smsc, message_id)) WITHOUT ROWID;
CREATE INDEX mt_message_id_mt ON mt_message_id(mt_id);
CREATE TABLE mt_result(seq INTEGER PRIMARY KEY AUTOINCREMENT, mt_id INTEGER NOT NULL REFERENCES mt(id) ON DELETE CASCADE);
CREATE TABLE receipt(id INTEGER PRIMARY KEY AUTOINCREMENT, smsc TEXT NOT NULL, message_id TEXT NOT NULL,
  state TEXT NOT NULL, error TEXT NOT NULL, received_at_ms INTEGER NOT NULL, mt_id INTEGER, part INTEGER NOT NULL DEFAULT 0);
CREATE TABLE receipt_unmatched(id INTEGER PRIMARY KEY, smsc TEXT NOT NULL, message_id TEXT NOT NULL,
  state TEXT NOT NULL, error TEXT NOT NULL, received_at_ms INTEGER NOT NULL);
CREATE INDEX receipt_unmatched_id ON receipt_unmatched(smsc, message_id);
INSERT INTO meta VALUES('instance', '0badcafe');
INSERT INTO mt(id, engine_id, smsc, source, destination, text, want_receipt, state, created_at_ms)
  VALUES(1, 'before', 'sim', '1234', '628121', 'TOKEN', 1, 1, 1000);
INSERT INTO mt_message_id VALUES('sim', '00000009', 1, 1);
INSERT INTO mt_result(mt_id) VALUES(1);
INSERT INTO receipt_unmatched VALUES(1, 'sim', '0000000A', 'DELIVERED', '000', 1500);
PRAGMA user_version=1;
)sql";

TEST_CASE("a revision 1 file is migrated keeping its MTs' message ids and waiting receipts", "[gateway_queue]") {
  const auto path = temp_db("revision1");
  REQUIRE(sqlite::Connection::open(path, {})->exec(kRevision1).ok());

  auto queue = open_queue(path);
  CHECK(queue->instance_id() == "0badcafe");
  auto results = queue->results_after(0, 10);
  REQUIRE(results->size() == 1);
  CHECK(results->at(0).message_ids == std::vector<std::string>{"00000009"});
  // A new MT given the same id after the upgrade takes the next receipt; the old one the one after.
  const int64_t after = queue->add_mt_sync(mt("after"))->id;
  queue->record_submitted(after, {"00000009", "0000000A"});
  REQUIRE(queue->add_receipt_sync(receipt("00000009")).ok());
  REQUIRE(queue->add_receipt_sync(receipt("00000009")).ok());
  auto ready = queue->receipts_after(0, 10);
  REQUIRE(ready->size() == 3);  // the receipt waiting since revision 1 matched part 2 of "after"
  CHECK(ready->at(0).engine_id == std::optional<std::string>("after"));
  CHECK(ready->at(0).part == 2);
  CHECK(ready->at(1).engine_id == std::optional<std::string>("after"));
  CHECK(ready->at(2).engine_id == std::optional<std::string>("before"));
}

// A revision 3 file as the previous queue code (store/gateway_queue.cpp, before the SQLite
// layer) left it: `sqlite3 .dump` of files its tests wrote (the MTs of one, the MO of another),
// the revision in PRAGMA user_version as that code kept it.
constexpr const char* kRevision3ByOldCode = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
INSERT INTO meta VALUES('instance','7A03258D');
CREATE TABLE mo(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  smsc TEXT NOT NULL, source TEXT NOT NULL, destination TEXT NOT NULL, text TEXT NOT NULL,
  data_coding INTEGER NOT NULL, received_at_ms INTEGER NOT NULL, user_data BLOB NOT NULL DEFAULT x'', parts INTEGER NOT NULL DEFAULT 1, incomplete INTEGER NOT NULL DEFAULT 0, idempotency_key TEXT NOT NULL DEFAULT '');
CREATE TABLE mt(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  engine_id TEXT NOT NULL UNIQUE,
  smsc TEXT NOT NULL, source TEXT NOT NULL, destination TEXT NOT NULL, text TEXT NOT NULL,
  want_receipt INTEGER NOT NULL,
  state INTEGER NOT NULL DEFAULT 0,          -- 0 waiting for submit_sm_resp, 1 submitted, 2 failed
  command_status INTEGER, reason TEXT,
  created_at_ms INTEGER NOT NULL);
INSERT INTO mt VALUES(1,'e-1','sim','1234','628121','TOKEN 1234',1,1,NULL,NULL,1000);
INSERT INTO mt VALUES(3,'e-2','sim','1234','628121','TOKEN 1234',1,2,11,'ESME_RINVDSTADR',1000);
INSERT INTO mt VALUES(4,'e-3','sim','1234','628121','TOKEN 1234',1,0,NULL,NULL,1000);
CREATE TABLE mt_result(                      -- outcomes not yet acknowledged by the engine
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  mt_id INTEGER NOT NULL REFERENCES mt(id) ON DELETE CASCADE);
INSERT INTO mt_result VALUES(2,3);
CREATE TABLE receipt(                        -- deliverable receipts not yet acknowledged
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  smsc TEXT NOT NULL, message_id TEXT NOT NULL, state TEXT NOT NULL, error TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL,
  mt_id INTEGER, part INTEGER NOT NULL DEFAULT 0);
CREATE TABLE receipt_unmatched(              -- receipts whose message id is not known yet
  id INTEGER PRIMARY KEY,
  smsc TEXT NOT NULL, message_id TEXT NOT NULL, state TEXT NOT NULL, error TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL, final INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS "mt_message_id"(
  mt_id INTEGER NOT NULL REFERENCES mt(id) ON DELETE CASCADE, part INTEGER NOT NULL,
  smsc TEXT NOT NULL, message_id TEXT NOT NULL,
  final INTEGER NOT NULL DEFAULT 0,          -- 1 once a receipt with a final state was credited
  PRIMARY KEY(mt_id, part)) WITHOUT ROWID;
INSERT INTO mt_message_id VALUES(1,1,'sim','0000000A',0);
CREATE TABLE mo_seen(key BLOB PRIMARY KEY, received_at_ms INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE mo_fragment(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  smsc TEXT NOT NULL, source TEXT NOT NULL, destination TEXT NOT NULL,
  reference INTEGER NOT NULL, total INTEGER NOT NULL, data_coding INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL, deadline_ms INTEGER NOT NULL,
  UNIQUE(smsc, source, destination, reference, total));
CREATE TABLE mo_part(
  fragment INTEGER NOT NULL REFERENCES mo_fragment(id) ON DELETE CASCADE,
  sequence INTEGER NOT NULL, user_data BLOB NOT NULL, key BLOB NOT NULL,
  PRIMARY KEY(fragment, sequence)) WITHOUT ROWID;
INSERT INTO sqlite_sequence VALUES('mt',4);
INSERT INTO sqlite_sequence VALUES('mt_result',2);
INSERT INTO sqlite_sequence VALUES('receipt',0);
CREATE INDEX mt_unsubmitted ON mt(id) WHERE state = 0;
CREATE INDEX receipt_unmatched_id ON receipt_unmatched(smsc, message_id);
CREATE INDEX mt_message_id_by_id ON mt_message_id(smsc, message_id);
CREATE INDEX mo_seen_age ON mo_seen(received_at_ms);
CREATE INDEX mo_fragment_source ON mo_fragment(smsc, source);
CREATE INDEX mo_fragment_deadline ON mo_fragment(deadline_ms);
INSERT INTO mo VALUES(2,'sim','628121','1234','SALDO',0,1000,X'',1,0,'498E7016E201C451ECBB0510D4496521500DC94DB500080FDFB4D43A82EBF207');
INSERT INTO mo_seen VALUES(X'498e7016e201c451ecbb0510d4496521500dc94db500080fdfb4d43a82ebf207',1000);
INSERT INTO sqlite_sequence VALUES('mo',2);
PRAGMA user_version=3;
)sql";

TEST_CASE("a revision 3 file written by the previous queue code opens with its rows", "[gateway_queue]") {
  const auto path = temp_db("revision3-old-code");
  REQUIRE(sqlite::Connection::open(path, {})->exec(kRevision3ByOldCode).ok());

  auto queue = open_queue(path);
  CHECK(queue->instance_id() == "7A03258D");
  auto results = queue->results_after(0, 10);
  REQUIRE(results->size() == 1);
  CHECK(results->at(0).engine_id == "e-2");
  CHECK_FALSE(results->at(0).submitted);
  CHECK(results->at(0).command_status == 11);
  auto unsubmitted = queue->unsubmitted_mts();
  REQUIRE(unsubmitted->size() == 1);
  CHECK(unsubmitted->at(0).mt.engine_id == "e-3");
  auto mos = queue->mos_after(0, 10);
  REQUIRE(mos->size() == 1);
  CHECK(mos->at(0).id == 2);
  CHECK(mos->at(0).mo.text == "SALDO");
  // Its receipt matches the old MT's message id; new rows take ids after the old ones.
  REQUIRE(queue->add_receipt_sync(receipt("0000000A")).ok());
  auto receipts = queue->receipts_after(0, 10);
  REQUIRE(receipts->size() == 1);
  CHECK(receipts->at(0).engine_id == std::optional<std::string>("e-1"));
  CHECK(queue->add_mt_sync(mt("new"))->id == 5);
  CHECK(queue->add_mo_sync(mo("again"))->id == 3);
  // The same deliver_sm as the old MO, within the window, is still a duplicate.
  CHECK(queue->add_mo_sync(mo("SALDO"))->duplicate);
}

// --- MOs never doubled nor lost (revision 3) ---

// One deliver_sm as the gateway hands it over: `user_data` raw, text decoded.
QueueMo deliver(std::string text, int64_t at_ms = 1000) {
  QueueMo record = mo(text);
  record.user_data = std::move(text);
  record.received_at_ms = at_ms;
  return record;
}

// Part `sequence` of `total` of a long MO with UDH reference `reference`.
QueueMo part(int reference, int total, int sequence, std::string data, int64_t at_ms = 1000) {
  QueueMo record = deliver(std::move(data), at_ms);
  record.text.clear();  // parts carry user data; the queue decodes the joined text
  record.esm_class = 0x40;
  record.udh = std::string("\x05\x00\x03", 3) + static_cast<char>(reference) + static_cast<char>(total) +
               static_cast<char>(sequence);
  record.reference = reference;
  record.total = total;
  record.sequence = sequence;
  record.deadline_ms = at_ms + 60000;
  return record;
}

std::unique_ptr<GatewayQueue> open_mo_queue(const std::string& path, GatewayQueueOptions options = {}) {
  options.path = path;
  options.decode_text = [](int, std::string_view data) { return std::string(data); };
  auto queue = GatewayQueue::open(options);
  REQUIRE(queue.ok());
  return std::move(queue).value();
}

TEST_CASE("a deliver_sm repeated within the window makes no second row; its key reaches the MO", "[gateway_queue]") {
  const auto path = temp_db("dedup");
  std::string key;
  {
    auto queue = open_mo_queue(path, {.mo_dedup_window_ms = 60000});
    auto first = queue->add_mo_sync(deliver("BELI 14012345678 20000", 1000));
    REQUIRE(first.ok());
    CHECK(first->id > 0);
    CHECK_FALSE(first->duplicate);
    auto rows = queue->mos_after(0, 10);
    REQUIRE(rows->size() == 1);
    key = rows->at(0).mo.idempotency_key;
    CHECK(key.size() == 64);
    queue->ack_mo(first->id);  // the engine took it: the key still guards against a redelivery
  }
  // The SMSC lost the deliver_sm_resp and delivers the same PDU again, after a restart.
  auto queue = open_mo_queue(path, {.mo_dedup_window_ms = 60000});
  auto again = queue->add_mo_sync(deliver("BELI 14012345678 20000", 30000));
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->id == 0);
  CHECK(queue->mos_after(0, 10)->empty());
  // Another sender, another destination or another esm_class is another MO.
  auto other_source = deliver("BELI 14012345678 20000", 30000);
  other_source.source = "628122";
  CHECK_FALSE(queue->add_mo_sync(other_source)->duplicate);
  auto other_class = deliver("BELI 14012345678 20000", 30000);
  other_class.esm_class = 0x80;
  CHECK_FALSE(queue->add_mo_sync(other_class)->duplicate);
  // After the window the same text is a new purchase request, under the same key.
  auto later = queue->add_mo_sync(deliver("BELI 14012345678 20000", 1000 + 60001));
  REQUIRE(later.ok());
  CHECK_FALSE(later->duplicate);
  auto rows = queue->mos_after(0, 10);
  REQUIRE(rows->size() == 3);
  CHECK(rows->at(2).mo.idempotency_key == key);
}

TEST_CASE("binary user data is stored as octets and read back unchanged", "[gateway_queue]") {
  auto queue = open_mo_queue(temp_db("binary"));
  QueueMo binary = deliver(std::string("\x00\x01\xff\x1b\x00", 5));
  binary.text.clear();
  binary.data_coding = 0x04;
  REQUIRE(queue->add_mo_sync(binary).ok());
  auto rows = queue->mos_after(0, 10);
  REQUIRE(rows->size() == 1);
  CHECK(rows->at(0).mo.user_data == std::string("\x00\x01\xff\x1b\x00", 5));
  CHECK(rows->at(0).mo.data_coding == 0x04);
  CHECK(rows->at(0).mo.parts == 1);
  CHECK_FALSE(rows->at(0).mo.incomplete);
}

TEST_CASE("each part of a long MO is committed on its own; the last joins them, across a reopen", "[gateway_queue]") {
  const auto path = temp_db("parts");
  {
    auto queue = open_mo_queue(path);
    auto third = queue->add_mo_sync(part(7, 3, 3, "three"));  // parts come in any order
    REQUIRE(third.ok());
    CHECK(third->held);
    CHECK(third->deadline_ms == std::optional<int64_t>(61000));
    auto first = queue->add_mo_sync(part(7, 3, 1, "one "));
    REQUIRE(first.ok());
    CHECK(first->held);
    CHECK_FALSE(first->deadline_ms.has_value());  // the set was open already
    CHECK(queue->mos_after(0, 10)->empty());
  }
  // A crash (here: closing) after two parts were answered loses neither.
  auto queue = open_mo_queue(path);
  auto last = queue->add_mo_sync(part(7, 3, 2, "two "));
  REQUIRE(last.ok());
  CHECK(last->id > 0);
  auto rows = queue->mos_after(0, 10);
  REQUIRE(rows->size() == 1);
  CHECK(rows->at(0).mo.text == "one two three");
  CHECK(rows->at(0).mo.user_data == "one two three");
  CHECK(rows->at(0).mo.parts == 3);
  CHECK_FALSE(rows->at(0).mo.incomplete);
  CHECK(rows->at(0).mo.idempotency_key.size() == 64);
  // The SMSC retries the last part (its deliver_sm_resp was lost): no new set, no new MO.
  auto retried = queue->add_mo_sync(part(7, 3, 2, "two "));
  REQUIRE(retried.ok());
  CHECK(retried->duplicate);
  CHECK_FALSE(retried->held);
  CHECK(queue->mos_after(0, 10)->size() == 1);
  CHECK(queue->expire_fragments_sync(1000000)->joined == 0);  // nothing was left open
}

TEST_CASE("an incomplete long MO is joined at its deadline, marked incomplete", "[gateway_queue]") {
  auto queue = open_mo_queue(temp_db("expire"));
  REQUIRE(queue->add_mo_sync(part(1, 3, 1, "a", 1000)).ok());   // deadline 61000
  REQUIRE(queue->add_mo_sync(part(2, 2, 2, "b", 5000)).ok());   // deadline 65000
  auto none = queue->expire_fragments_sync(60999);
  REQUIRE(none.ok());
  CHECK(none->joined == 0);
  CHECK(none->next_deadline_ms == std::optional<int64_t>(61000));
  auto one = queue->expire_fragments_sync(61000);
  REQUIRE(one.ok());
  CHECK(one->joined == 1);
  CHECK(one->next_deadline_ms == std::optional<int64_t>(65000));
  auto rows = queue->mos_after(0, 10);
  REQUIRE(rows->size() == 1);
  CHECK(rows->at(0).mo.text == "a");
  CHECK(rows->at(0).mo.parts == 1);
  CHECK(rows->at(0).mo.incomplete);
  CHECK(queue->expire_fragments_sync(70000)->joined == 1);
  CHECK_FALSE(queue->expire_fragments_sync(70000)->next_deadline_ms.has_value());
}

TEST_CASE("incomplete long MOs are capped per source and in total octets", "[gateway_queue]") {
  auto queue = open_mo_queue(temp_db("caps"), {.max_fragments_per_source = 2, .max_fragment_bytes = 100});
  REQUIRE(queue->add_mo_sync(part(1, 2, 1, "x")).ok());
  REQUIRE(queue->add_mo_sync(part(2, 2, 1, "x")).ok());
  auto third = queue->add_mo_sync(part(3, 2, 1, "x"));
  REQUIRE_FALSE(third.ok());
  CHECK(third.status().code() == StatusCode::kResourceExhausted);
  // A part of a set already open still gets in, and completes it.
  auto completes = queue->add_mo_sync(part(1, 2, 2, "y"));
  REQUIRE(completes.ok());
  CHECK(completes->id > 0);
  // Another source has its own count, but not its own octets.
  auto other = part(4, 2, 1, std::string(100, 'z'));  // 1 octet held already: 101 > 100
  other.source = "628999";
  auto too_big = queue->add_mo_sync(other);
  REQUIRE_FALSE(too_big.ok());
  CHECK(too_big.status().code() == StatusCode::kResourceExhausted);
  other.user_data.resize(90);
  CHECK(queue->add_mo_sync(other).ok());
  // A refused part left nothing behind: the SMSC retries it later.
  CHECK(queue->expire_fragments_sync(1000000)->joined == 2);
}

TEST_CASE("a file that is not a database is reported, not crashed on", "[gateway_queue]") {
  const auto path = temp_db("garbage");
  { FILE* f = std::fopen(path.c_str(), "w"); std::fputs("this is not sqlite, just text padding it out......", f); std::fclose(f); }
  auto queue = GatewayQueue::open({.path = path});
  REQUIRE_FALSE(queue.ok());
  CHECK_THAT(queue.status().message(), Catch::Contains(path));
  CHECK_FALSE(GatewayQueue::open({.path = temp_db("sync"), .synchronous = sqlite::Synchronous::kOff}).ok());
}

}  // namespace
}  // namespace pintar::gateway
