// Schema revision 6 on real files: the vending engine's writes (subscription updates, vend
// details, TIDs, modem commands, deduplicated meter events) and reads.
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
using testing::sample_subscriber;
using testing::sample_transaction;

class OneRecord final : public ImportSource {
 public:
  explicit OneRecord(std::vector<SubscriberRecord> records) : records_(std::move(records)) {}
  bool next(ImportLine& line) override {
    if (next_ == records_.size()) return false;
    line = {.line = next_ + 2, .record = records_[next_], .error = {}};
    ++next_;
    return true;
  }

 private:
  std::vector<SubscriberRecord> records_;
  size_t next_ = 0;
};

void import(Ledger& ledger, std::vector<SubscriberRecord> records) {
  OneRecord source(std::move(records));
  auto report = ledger.import_subscribers(source, {.at_ms = 1, .actor = "t", .action = "import", .subject = "", .detail = ""});
  REQUIRE(report.ok());
  REQUIRE(report->errors.empty());
}

const std::string kToken = "51043465443420856213";

TEST_CASE("update_subscription changes the fields given and keeps the others", "[store][ledger6]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  const SubscriberRecord s = sample_subscriber(1);
  import(*ledger, {s});
  const crypto::Sha256Digest new_hash = crypto::sha256(crypto::as_bytes(std::string("other")));

  WriteSet writes;
  writes.update_subscription({.msisdn = s.subscription.msisdn, .meter_no = s.meter.meter_no, .language = std::nullopt,
                              .pin_hash = std::nullopt, .failed_pin_attempts = 3, .locked_until_ms = 1000});
  REQUIRE(ledger->write(std::move(writes)).ok());
  auto found = ledger->find_subscription(s.subscription.msisdn, s.meter.meter_no);
  REQUIRE(found->has_value());
  CHECK((*found)->failed_pin_attempts == 3);
  CHECK((*found)->locked_until_ms == 1000);
  CHECK((*found)->language == "id");
  CHECK((*found)->pin_hash == s.subscription.pin_hash);

  WriteSet change;
  change.update_subscription({.msisdn = s.subscription.msisdn, .meter_no = s.meter.meter_no, .language = "en",
                              .pin_hash = new_hash, .failed_pin_attempts = 0, .locked_until_ms = std::nullopt});
  REQUIRE(ledger->write(std::move(change)).ok());
  auto all = ledger->subscriptions_of(s.subscription.msisdn);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 1);
  CHECK((*all)[0].language == "en");
  CHECK((*all)[0].pin_hash == new_hash);
  CHECK((*all)[0].failed_pin_attempts == 0);
  CHECK((*all)[0].locked_until_ms == 1000);

  SECTION("an unknown subscription is NotFound and rolls back its whole write set") {
    WriteSet bad;
    bad.append_transaction(sample_transaction(1))
        .update_subscription({.msisdn = s.subscription.msisdn, .meter_no = "14099999999", .language = "en",
                              .pin_hash = std::nullopt, .failed_pin_attempts = std::nullopt,
                              .locked_until_ms = std::nullopt});
    CHECK(ledger->write(std::move(bad)).code() == StatusCode::kNotFound);
    CHECK_FALSE(ledger->find_transaction("txn-1")->has_value());
  }
  SECTION("a malformed language is refused by the schema") {
    WriteSet bad;
    bad.update_subscription({.msisdn = s.subscription.msisdn, .meter_no = s.meter.meter_no, .language = "fr",
                             .pin_hash = std::nullopt, .failed_pin_attempts = -1, .locked_until_ms = std::nullopt});
    CHECK(ledger->write(std::move(bad)).code() == StatusCode::kInvalidArgument);
    CHECK((*ledger->find_subscription(s.subscription.msisdn, s.meter.meter_no))->language == "en");
  }
}

TEST_CASE("subscriber by modem and the subscriptions of a phone", "[store][ledger6]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  SubscriberRecord a = sample_subscriber(1);
  SubscriberRecord b = sample_subscriber(2);
  b.subscription.msisdn = a.subscription.msisdn;  // one phone, two meters
  import(*ledger, {b, a});
  auto view = ledger->find_subscriber_by_modem(b.modem.msisdn);
  REQUIRE(view.ok());
  REQUIRE(view->has_value());
  CHECK((*view)->meter == b.meter);
  CHECK((*view)->modem == b.modem);
  REQUIRE((*view)->phones.size() == 1);
  CHECK_FALSE(ledger->find_subscriber_by_modem("6281100999999")->has_value());
  auto subs = ledger->subscriptions_of(a.subscription.msisdn);
  REQUIRE(subs->size() == 2);
  CHECK((*subs)[0].meter_no == a.meter.meter_no);
  CHECK((*subs)[1].meter_no == b.meter.meter_no);
  CHECK((*subs)[1].pin_hash == b.subscription.pin_hash);
  CHECK(ledger->subscriptions_of("6289999999999")->empty());
}

TEST_CASE("vend details are written once per transaction", "[store][ledger6]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  const VendDetail detail{.txn_id = "txn-1", .admin_rupiah = 2500, .stamp_duty_rupiah = 0, .ppn_rupiah = 0,
                          .ppj_rupiah = 1000, .instalment_rupiah = 0, .power_purchase_rupiah = 16500,
                          .p2apst_token = kToken, .key_change_tokens = {"11111111111111111111", "22222222222222222222"},
                          .tid = 123456, .customer_name = "BUDI", .tariff = "R1", .power_va = 900,
                          .p2apst_reference = "0ABC123"};
  WriteSet writes;
  writes.append_transaction(sample_transaction(1)).record_vend_detail(detail);
  REQUIRE(ledger->write(std::move(writes)).ok());
  CHECK(*ledger->find_vend_detail("txn-1") == detail);
  CHECK_FALSE(ledger->find_vend_detail("txn-2")->has_value());

  WriteSet again;
  again.record_vend_detail(detail);
  CHECK(ledger->write(std::move(again)).code() == StatusCode::kAlreadyExists);

  VendDetail plain = detail;
  plain.txn_id = "txn-2";
  plain.key_change_tokens.clear();
  plain.p2apst_token.reset();
  plain.tid.reset();
  WriteSet second;
  second.record_vend_detail(plain);
  REQUIRE(ledger->write(std::move(second)).ok());
  CHECK(*ledger->find_vend_detail("txn-2") == plain);

  VendDetail bad = detail;
  bad.txn_id = "txn-3";
  bad.key_change_tokens = {"1111,111111111111111"};
  WriteSet refused;
  refused.record_vend_detail(bad);
  CHECK(ledger->write(std::move(refused)).code() == StatusCode::kInvalidArgument);
  bad.key_change_tokens.clear();
  bad.p2apst_token = "123";
  WriteSet refused_token;
  refused_token.record_vend_detail(bad);
  CHECK(ledger->write(std::move(refused_token)).code() == StatusCode::kInvalidArgument);
  CHECK_FALSE(ledger->find_vend_detail("txn-3")->has_value());
}

WriteSet tid(const std::string& meter, int64_t value, const std::string& txn) {
  WriteSet writes;
  writes.issue_tid({.meter_no = meter, .tid = value, .txn_id = txn, .at_ms = 5});
  return writes;
}

TEST_CASE("TIDs strictly increase per meter", "[store][ledger6]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  const std::string meter = "14012345678";
  CHECK_FALSE(ledger->last_tid(meter)->has_value());
  REQUIRE(ledger->write(tid(meter, 100, "t1")).ok());
  CHECK(ledger->write(tid(meter, 100, "t2")).code() == StatusCode::kFailedPrecondition);
  CHECK(ledger->write(tid(meter, 99, "t3")).code() == StatusCode::kFailedPrecondition);
  REQUIRE(ledger->write(tid(meter, 101, "t4")).ok());
  REQUIRE(ledger->write(tid("14012345679", 5, "t5")).ok());  // another meter counts on its own
  CHECK(**ledger->last_tid(meter) == 101);
  CHECK(**ledger->last_tid("14012345679") == 5);
  // A base-1993 meter's TIDs go past 2^24 - 1 on its own scale (schema.cpp tid_issues); 31 bits.
  REQUIRE(ledger->write(tid(meter, 16777216, "t6")).ok());
  CHECK(ledger->write(tid(meter, 2147483648, "t7")).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("the schema keeps TIDs increasing and append-only for any writer", "[store][ledger6]") {
  const std::string dir = make_temp_dir();
  REQUIRE(open_or_die(options_in(dir))->write(tid("14012345678", 10, "t1")).ok());
  auto db = sqlite::Connection::open(dir + "/ledger.db", {});
  REQUIRE(db.ok());
  CHECK_FALSE(db->exec("INSERT INTO tid_issues VALUES ('14012345678', 10, 't2', 1)").ok());
  CHECK_FALSE(db->exec("INSERT INTO tid_issues VALUES ('14012345678', 9, 't2', 1)").ok());
  CHECK_FALSE(db->exec("DELETE FROM tid_issues").ok());
  CHECK_FALSE(db->exec("UPDATE tid_issues SET tid = 11").ok());
  CHECK(db->exec("INSERT INTO tid_issues VALUES ('14012345678', 11, 't2', 1)").ok());
}

TEST_CASE("racing write sets issuing one TID: exactly one wins, across two Ledgers on one file", "[store][ledger6]") {
  const std::string dir = make_temp_dir();
  auto first = open_or_die(options_in(dir));
  auto second = open_or_die(options_in(dir));
  const std::string meter = "14012345678";
  for (int64_t value = 1; value <= 5; ++value) {
    std::vector<std::future<Status>> results;
    for (int i = 0; i < 6; ++i) {
      Ledger& ledger = i % 2 == 0 ? *first : *second;
      results.push_back(ledger.submit(tid(meter, value, fmt::format("t{}-{}", value, i))));
    }
    int won = 0;
    for (auto& result : results) {
      const Status status = result.get();
      if (status.ok()) {
        ++won;
      } else {
        CHECK(status.code() == StatusCode::kFailedPrecondition);
      }
    }
    CHECK(won == 1);
  }
  CHECK(**second->last_tid(meter) == 5);
}

ModemCommand command(int64_t seq, std::string state, std::optional<std::string> txn) {
  return ModemCommand{.meter_no = "14012345678", .seq = seq, .kind = "token", .txn_id = std::move(txn),
                      .state = std::move(state), .attempts = 1, .result = "", .created_ms = 10, .updated_ms = 10};
}

TEST_CASE("modem commands: the newest state of a (meter, seq) wins", "[store][ledger6]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  CHECK(*ledger->max_modem_seq("14012345678") == 0);
  WriteSet writes;
  writes.record_modem_command(command(1, "sent", "txn-1")).record_modem_command(command(2, "queued", "txn-1"));
  writes.record_modem_command(command(3, "sent", std::nullopt));
  REQUIRE(ledger->write(std::move(writes)).ok());
  ModemCommand accepted = command(1, "accepted", "txn-1");
  accepted.attempts = 2;
  accepted.result = "OK credit 154";
  accepted.updated_ms = 20;
  WriteSet update;
  update.record_modem_command(accepted);
  REQUIRE(ledger->write(std::move(update)).ok());

  CHECK(*ledger->find_modem_command("14012345678", 1) == accepted);
  CHECK_FALSE(ledger->find_modem_command("14012345678", 9)->has_value());
  CHECK((*ledger->find_modem_command_for("txn-1"))->seq == 2);
  CHECK_FALSE(ledger->find_modem_command_for("txn-9")->has_value());
  CHECK(*ledger->max_modem_seq("14012345678") == 3);
  auto sent = ledger->modem_commands_in_state("sent");
  REQUIRE(sent->size() == 1);
  CHECK((*sent)[0].seq == 3);

  ModemCommand leak = command(4, "accepted", std::nullopt);
  leak.result = "token " + kToken;
  WriteSet refused;
  refused.record_modem_command(leak);
  CHECK(ledger->write(std::move(refused)).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("meter events with a repeated dedup_key are recorded once", "[store][ledger6]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  const MeterEvent reading{.meter_no = "14012345678", .at_ms = 100, .kind = "reading", .detail = "",
                           .credit_deci_kwh = 154, .energy_deci_kwh = 12345, .dedup_key = "key-1:N7"};
  for (int i = 0; i < 2; ++i) {
    WriteSet writes;
    writes.record_meter_event(reading).append_transaction(sample_transaction(i));
    REQUIRE(ledger->write(std::move(writes)).ok());
    CHECK(ledger->find_transaction(fmt::format("txn-{}", i))->has_value());  // the rest of the set is kept
  }
  MeterEvent later = reading;
  later.at_ms = 200;
  later.dedup_key.reset();
  later.credit_deci_kwh.reset();
  WriteSet writes;
  writes.record_meter_event(later).record_meter_event(later);  // no key: both kept
  REQUIRE(ledger->write(std::move(writes)).ok());
  auto events = ledger->recent_meter_events("14012345678", 10);
  REQUIRE(events->size() == 3);
  CHECK((*events)[0] == later);
  CHECK((*events)[2] == reading);
  CHECK(ledger->recent_meter_events("14012345678", 1)->size() == 1);
}

MessageRecord message(std::string id, std::string direction, std::string state, int64_t at,
                      std::optional<std::string> txn) {
  return MessageRecord{.message_id = std::move(id), .direction = std::move(direction), .msisdn = "6281234567890",
                       .body = "x", .txn_id = std::move(txn), .smpp_message_id = std::nullopt,
                       .delivery_state = std::move(state), .created_ms = at, .updated_ms = at};
}

TEST_CASE("messages by direction and delivery state, and of a transaction, oldest first", "[store][ledger6]") {
  auto ledger = open_or_die(options_in(make_temp_dir()));
  WriteSet writes;
  writes.record_message(message("m3", "out", "queued", 30, "txn-1"))
      .record_message(message("m1", "out", "queued", 10, "txn-1"))
      .record_message(message("m2", "in", "queued", 20, "txn-1"))
      .record_message(message("m4", "out", "submitted", 5, "txn-2"))
      .record_message(message("m5", "out", "queued", 40, std::nullopt));
  REQUIRE(ledger->write(std::move(writes)).ok());
  auto queued = ledger->find_messages("out", "queued", 2);
  REQUIRE(queued->size() == 2);
  CHECK((*queued)[0].message_id == "m1");
  CHECK((*queued)[1].message_id == "m3");
  CHECK(ledger->find_messages("out", "queued", 10)->size() == 3);
  auto of = ledger->messages_of("txn-1");
  REQUIRE(of->size() == 3);
  CHECK((*of)[0].message_id == "m1");
  CHECK((*of)[1].message_id == "m2");
  CHECK((*of)[2] == message("m3", "out", "queued", 30, "txn-1"));
}

}  // namespace
}  // namespace pintar::store
