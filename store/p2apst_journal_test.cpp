#include "store/p2apst_journal.h"

#include <catch2/catch.hpp>

#include "store/test_support.h"

namespace pintar::store {
namespace {

using p2apst::PurchaseState;

p2apst::PurchaseRecord intent(int n) {
  p2apst::PurchaseRecord r;
  r.meter = "11000000002";
  r.amount = 52500 + n;
  r.bit48 = std::string(145, '0');
  r.local_time = "20261125100000";
  return r;
}

TEST_CASE("the P2APST purchase journal keeps every step across a reopen", "[store][p2apst]") {
  const LedgerOptions options = testing::options_in(testing::make_temp_dir());
  int64_t sent;
  int64_t advised;
  int64_t done;
  {
    auto journal = SqlitePurchaseJournal::open(options);
    REQUIRE(journal.ok());
    sent = *(*journal)->record_intent(intent(1));
    advised = *(*journal)->record_intent(intent(2));
    done = *(*journal)->record_intent(intent(3));
    REQUIRE((*journal)->mark_sent(sent, PurchaseState::kSent, "000000000101", 0).ok());
    REQUIRE((*journal)->mark_sent(advised, PurchaseState::kAdviceSent, "000000000102", 2).ok());
    REQUIRE((*journal)->mark_sent(done, PurchaseState::kSent, "000000000103", 0).ok());
    REQUIRE((*journal)->record_outcome(done, PurchaseState::kCompleted, "0000", std::string(241, '9')).ok());
  }
  auto reopened = SqlitePurchaseJournal::open(options);  // as after kill -9
  REQUIRE(reopened.ok());
  auto unresolved = (*reopened)->list_unresolved();
  REQUIRE(unresolved.ok());
  REQUIRE(unresolved->size() == 2);
  CHECK((*unresolved)[0].id == sent);
  CHECK((*unresolved)[0].state == PurchaseState::kSent);
  CHECK((*unresolved)[0].stan == "000000000101");
  CHECK((*unresolved)[0].amount == 52501);
  CHECK((*unresolved)[0].bit48 == std::string(145, '0'));
  CHECK((*unresolved)[0].local_time == "20261125100000");
  CHECK((*unresolved)[1].state == PurchaseState::kAdviceSent);
  CHECK((*unresolved)[1].advice_count == 2);
  auto completed = (*reopened)->get(done);
  REQUIRE(completed.ok());
  CHECK(completed->state == PurchaseState::kCompleted);
  CHECK(completed->response_code == "0000");
  CHECK(completed->response_bit48 == std::string(241, '9'));
}

TEST_CASE("the purchase journal refuses unknown ids and malformed rows", "[store][p2apst]") {
  auto journal = SqlitePurchaseJournal::open(testing::options_in(testing::make_temp_dir()));
  REQUIRE(journal.ok());
  CHECK((*journal)->get(7).status().code() == StatusCode::kNotFound);
  CHECK((*journal)->mark_sent(7, PurchaseState::kSent, "000000000001", 0).code() == StatusCode::kNotFound);
  CHECK((*journal)->record_outcome(7, PurchaseState::kNoSale, "0063", "").code() == StatusCode::kNotFound);
  p2apst::PurchaseRecord bad = intent(1);
  bad.bit48 = "short";
  CHECK((*journal)->record_intent(bad).status().code() == StatusCode::kInvalidArgument);
  const int64_t id = *(*journal)->record_intent(intent(1));
  CHECK((*journal)->mark_sent(id, PurchaseState::kSent, "12", 0).code() == StatusCode::kInvalidArgument);
  CHECK((*journal)->list_unresolved()->front().state == PurchaseState::kIntent);
}

}  // namespace
}  // namespace pintar::store
