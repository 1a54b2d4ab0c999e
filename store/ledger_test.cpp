// The SQLite ledger on real files: group commit, savepoint isolation, reads, import, verify.
#include "store/ledger.h"

#include <sys/stat.h>

#include <thread>

#include <catch2/catch.hpp>

#include "sqlite/connection.h"
#include "store/ledger_test_support.h"
#include "store/sqlite_ledger.h"
#include "store/test_support.h"

namespace pintar::store {
namespace {

using testing::make_temp_dir;
using testing::open_or_die;
using testing::options_in;
using testing::sample_subscriber;
using testing::sample_transaction;

WriteSet one(TransactionRecord record) {
  WriteSet writes;
  writes.append_transaction(std::move(record));
  return writes;
}

class VectorSource final : public ImportSource {
 public:
  explicit VectorSource(std::vector<ImportLine> lines) : lines_(std::move(lines)) {}
  bool next(ImportLine& line) override {
    if (next_ == lines_.size()) return false;
    line = lines_[next_++];
    return true;
  }

 private:
  std::vector<ImportLine> lines_;
  size_t next_ = 0;
};

std::vector<ImportLine> lines_for(std::initializer_list<SubscriberRecord> records) {
  std::vector<ImportLine> lines;
  uint64_t n = 2;
  for (const auto& record : records) lines.push_back({.line = n++, .record = record, .error = {}});
  return lines;
}

Status import_records(Ledger& ledger, std::initializer_list<SubscriberRecord> records) {
  VectorSource source(lines_for(records));
  auto report = ledger.import_subscribers(source, AuditEntry{.at_ms = 1, .actor = "test", .action = "import",
                                                             .subject = "", .detail = ""});
  if (!report.ok()) return report.status();
  return report->errors.empty() ? Status::ok_status() : Status::invalid_argument(report->errors.front().reason);
}

TEST_CASE("a transaction's versions append and the newest is current", "[store][ledger]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  REQUIRE(ledger->write(one(sample_transaction(1))).ok());
  REQUIRE(ledger->write(one(sample_transaction(1, 2))).ok());

  auto found = ledger->find_transaction("txn-1");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK(**found == sample_transaction(1, 2));
  auto by_key = ledger->find_transaction_by_idempotency_key("key-1");
  REQUIRE(by_key.ok());
  CHECK(by_key->value().version == 2);
  CHECK_FALSE(ledger->find_transaction("txn-404")->has_value());

  // A version must follow the previous one of the same transaction.
  CHECK(ledger->write(one(sample_transaction(1, 4))).code() == StatusCode::kInvalidArgument);
  CHECK(ledger->write(one(sample_transaction(9, 2))).code() == StatusCode::kInvalidArgument);
  // One transaction per idempotency key.
  TransactionRecord reused = sample_transaction(2);
  reused.idempotency_key = "key-1";
  CHECK(ledger->write(one(reused)).code() == StatusCode::kAlreadyExists);
  // The schema refuses what no caller should send.
  TransactionRecord negative = sample_transaction(3);
  negative.amount_rupiah = -1;
  CHECK(ledger->write(one(negative)).code() == StatusCode::kInvalidArgument);

  auto report = ledger->verify_chains();
  REQUIRE(report.ok());
  CHECK_FALSE(report->problem);
  CHECK(report->transactions_rows == 2);
}

TEST_CASE("a failing write set is rolled back alone; its group commits once", "[store][ledger][group]") {
  LedgerOptions options = options_in(make_temp_dir());
  // Hold groups open long enough for all four to join one.
  options.group_commit_max_batch = 4;
  options.group_commit_max_wait = std::chrono::seconds(5);
  auto ledger = open_or_die(options);

  TransactionRecord duplicate = sample_transaction(2);
  duplicate.idempotency_key = "key-1";
  WriteSet mixed;  // the audit entry must vanish with the failing transaction
  mixed.append_audit({.at_ms = 1, .actor = "test", .action = "x", .subject = "", .detail = ""})
      .append_transaction(duplicate);
  std::vector<std::future<Status>> results;
  results.push_back(ledger->submit(one(sample_transaction(1))));
  results.push_back(ledger->submit(std::move(mixed)));
  results.push_back(ledger->submit(one(sample_transaction(3))));
  results.push_back(ledger->submit(one(sample_transaction(4))));

  CHECK(results[0].get().ok());
  CHECK(results[1].get().code() == StatusCode::kAlreadyExists);
  CHECK(results[2].get().ok());
  CHECK(results[3].get().ok());
  CHECK(ledger->counters().value(kCommits) == 1);
  CHECK(ledger->counters().value(kWriteSetsCommitted) == 3);
  CHECK(ledger->counters().value(kWriteSetsFailed) == 1);

  CHECK(ledger->find_transaction("txn-3")->has_value());
  CHECK_FALSE(ledger->find_transaction("txn-2")->has_value());
  auto report = ledger->verify_chains();
  REQUIRE(report.ok());
  CHECK_FALSE(report->problem);  // the rolled-back rows left no hole in the chain
  CHECK(report->transactions_rows == 3);
  CHECK(report->audit_rows == 0);
}

TEST_CASE("concurrent writers share commits and every write lands", "[store][ledger][group]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!ledger->write(one(sample_transaction(t * kPerThread + i))).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
  CHECK(ledger->counters().value(kWriteSetsCommitted) == kThreads * kPerThread);
  CHECK(ledger->counters().value(kCommits) < kThreads * kPerThread);
  for (int n = 0; n < kThreads * kPerThread; n += 37) CHECK(ledger->find_transaction(fmt::format("txn-{}", n))->has_value());
  auto report = ledger->verify_chains();
  REQUIRE(report.ok());
  CHECK_FALSE(report->problem);
  CHECK(report->transactions_rows == kThreads * kPerThread);
}

TEST_CASE("closing the ledger answers every write set already submitted", "[store][ledger]") {
  const std::string dir = make_temp_dir();
  std::vector<std::future<Status>> results;
  {
    auto ledger = open_or_die(options_in(dir));
    for (int n = 0; n < 100; ++n) results.push_back(ledger->submit(one(sample_transaction(n))));
  }
  for (auto& result : results) CHECK(result.get().ok());
  auto reopened = open_or_die(options_in(dir));
  CHECK(reopened->verify_chains()->transactions_rows == 100);
}

TEST_CASE("messages are stored and their delivery state moves", "[store][ledger]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  const MessageRecord mt{.message_id = "m1", .direction = "out", .msisdn = "6281234567890", .body = "TOKEN ...",
                         .txn_id = "txn-1", .smpp_message_id = std::nullopt, .delivery_state = "queued",
                         .created_ms = 10, .updated_ms = 10};
  WriteSet writes;
  writes.record_message(mt).record_meter_event({.meter_no = "14012345678", .at_ms = 5, .kind = "tamper", .detail = ""});
  REQUIRE(ledger->write(std::move(writes)).ok());
  WriteSet again;
  again.record_message(mt);
  CHECK(ledger->write(std::move(again)).code() == StatusCode::kAlreadyExists);

  WriteSet delivered;
  delivered.update_delivery({.message_id = "m1", .smpp_message_id = "abc123", .delivery_state = "submitted",
                             .updated_ms = 11});
  REQUIRE(ledger->write(std::move(delivered)).ok());
  WriteSet receipt;  // a receipt keeps the SMSC id it does not repeat
  receipt.update_delivery({.message_id = "m1", .smpp_message_id = std::nullopt, .delivery_state = "delivered",
                           .updated_ms = 12});
  REQUIRE(ledger->write(std::move(receipt)).ok());
  auto stored = ledger->find_message("m1");
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->smpp_message_id == "abc123");
  CHECK((*stored)->delivery_state == "delivered");
  CHECK((*stored)->updated_ms == 12);

  // A repeated mt_result or mt_ack after the receipt is no step back.
  for (const char* late : {"submitted", "queued", "pending"}) {
    WriteSet repeat;
    repeat.update_delivery({.message_id = "m1", .smpp_message_id = "zzz", .delivery_state = late, .updated_ms = 13});
    CHECK(ledger->write(std::move(repeat)).ok());
    auto kept = ledger->find_message("m1");
    REQUIRE(kept.ok());
    CHECK((*kept)->delivery_state == "delivered");
    CHECK((*kept)->smpp_message_id == "abc123");
    CHECK((*kept)->updated_ms == 12);
  }

  WriteSet unknown;
  unknown.update_delivery({.message_id = "m2", .smpp_message_id = std::nullopt, .delivery_state = "delivered",
                           .updated_ms = 12});
  CHECK(ledger->write(std::move(unknown)).code() == StatusCode::kNotFound);
}

TEST_CASE("subscribers are found by meter, IDPEL and MSISDN", "[store][ledger][import]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  SubscriberRecord second_phone = sample_subscriber(1);
  second_phone.subscription.msisdn = "6289999999999";
  SubscriberRecord second_meter = sample_subscriber(2);
  second_meter.customer = sample_subscriber(1).customer;
  second_meter.meter.idpel = second_meter.customer.idpel;
  REQUIRE(import_records(*ledger, {sample_subscriber(1), second_phone, second_meter}).ok());

  auto by_meter = ledger->find_subscribers(sample_subscriber(1).meter.meter_no);
  REQUIRE(by_meter.ok());
  REQUIRE(by_meter->size() == 1);
  CHECK((*by_meter)[0].customer == sample_subscriber(1).customer);
  CHECK((*by_meter)[0].meter == sample_subscriber(1).meter);
  CHECK((*by_meter)[0].modem == sample_subscriber(1).modem);
  CHECK((*by_meter)[0].phones.size() == 2);

  CHECK(ledger->find_subscribers(sample_subscriber(1).customer.idpel)->size() == 2);
  CHECK(ledger->find_subscribers("6289999999999")->size() == 1);
  CHECK(ledger->find_subscribers("6280000000000")->empty());

  auto subscription = ledger->find_subscription("6289999999999", sample_subscriber(1).meter.meter_no);
  REQUIRE(subscription.ok());
  REQUIRE(subscription->has_value());
  CHECK((*subscription)->pin_hash == sample_subscriber(1).subscription.pin_hash);
}

TEST_CASE("an import is all or nothing and names every bad line", "[store][ledger][import]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  REQUIRE(import_records(*ledger, {sample_subscriber(1)}).ok());

  SubscriberRecord renamed = sample_subscriber(1);  // contradicts the ledger
  renamed.customer.name = "SOMEONE ELSE";
  SubscriberRecord modem_taken = sample_subscriber(3);  // modem already fitted to meter 1
  modem_taken.meter.modem_msisdn = modem_taken.modem.msisdn = sample_subscriber(1).modem.msisdn;
  SubscriberRecord new_pin = sample_subscriber(1);
  new_pin.subscription.pin_hash[0] ^= 1;
  std::vector<ImportLine> lines = lines_for({sample_subscriber(2), renamed, modem_taken, new_pin, sample_subscriber(4)});
  lines.push_back({.line = 99, .record = std::nullopt, .error = "pin must be 6 digits"});
  VectorSource source(lines);
  auto report = ledger->import_subscribers(source, AuditEntry{.at_ms = 1, .actor = "t", .action = "import",
                                                              .subject = "", .detail = ""});
  REQUIRE(report.ok());
  REQUIRE(report->errors.size() == 4);
  CHECK(report->errors[0].line == 3);
  CHECK_THAT(report->errors[0].reason, Catch::Contains("customer") && Catch::Contains("differs"));
  CHECK(report->errors[1].line == 4);
  CHECK_THAT(report->errors[1].reason, Catch::Contains("modem"));
  CHECK(report->errors[2].line == 5);
  CHECK_THAT(report->errors[2].reason, Catch::Contains("another PIN"));
  CHECK(report->errors[3].line == 99);

  // Nothing of the good lines was kept, nor the audit entry.
  CHECK(ledger->find_subscribers(sample_subscriber(2).meter.meter_no)->empty());
  CHECK(ledger->find_subscribers(sample_subscriber(4).meter.meter_no)->empty());
  CHECK(ledger->verify_chains()->audit_rows == 1);

  // The same file again changes nothing and is not an error.
  VectorSource repeat(lines_for({sample_subscriber(1)}));
  auto again = ledger->import_subscribers(repeat, AuditEntry{.at_ms = 2, .actor = "t", .action = "import",
                                                             .subject = "", .detail = ""});
  REQUIRE(again.ok());
  CHECK(again->errors.empty());
  CHECK(again->subscriptions_added == 0);
  CHECK(again->customers_added == 0);
}

TEST_CASE("the ledger file and its -wal and -shm are 0600 even under umask 0", "[store][ledger]") {
  const std::string dir = make_temp_dir();
  const mode_t saved = ::umask(0);
  {
    auto ledger = open_or_die(options_in(dir));
    REQUIRE(ledger->write(one(sample_transaction(1))).ok());
    for (const char* suffix : {"", "-wal", "-shm"}) {
      const std::string path = dir + "/ledger.db" + suffix;
      INFO(path);
      struct stat st{};
      REQUIRE(::stat(path.c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0600);
    }
  }
  ::umask(saved);
}

TEST_CASE("verify names the first row that was changed, and rows cut off the end", "[store][ledger][chain]") {
  const std::string dir = make_temp_dir();
  {
    auto ledger = open_or_die(options_in(dir));
    for (int n = 1; n <= 5; ++n) REQUIRE(ledger->write(one(sample_transaction(n))).ok());
    WriteSet audit;
    audit.append_audit({.at_ms = 1, .actor = "t", .action = "a", .subject = "s", .detail = "d"});
    REQUIRE(ledger->write(std::move(audit)).ok());
    REQUIRE_FALSE(ledger->verify_chains()->problem);
  }
  auto raw = sqlite::Connection::open(dir + "/ledger.db", {});
  REQUIRE(raw.ok());
  // The append-only triggers stop a casual edit...
  CHECK_FALSE(raw->exec("UPDATE transactions SET amount_rupiah = 1 WHERE seq = 3").ok());
  // ...and the chain catches one that removes them first.
  REQUIRE(raw->exec("DROP TRIGGER transactions_append_only_update").ok());
  REQUIRE(raw->exec("UPDATE transactions SET amount_rupiah = 1 WHERE seq = 3").ok());
  {
    auto ledger = open_or_die(options_in(dir));
    auto report = ledger->verify_chains();
    REQUIRE(report.ok());
    CHECK(report->problem == "row 3 of transactions: hash mismatch");
  }
  REQUIRE(raw->exec("DROP TRIGGER transactions_append_only_delete").ok());
  REQUIRE(raw->exec("DELETE FROM transactions WHERE seq >= 3").ok());
  {
    auto ledger = open_or_die(options_in(dir));
    auto report = ledger->verify_chains();
    REQUIRE(report.ok());
    REQUIRE(report->problem);
    CHECK_THAT(*report->problem, Catch::StartsWith("transactions: the chain head (row 5)"));
  }
}

}  // namespace
}  // namespace pintar::store
