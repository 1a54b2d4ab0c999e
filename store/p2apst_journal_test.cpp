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
    REQUIRE((*journal)->mark_sent(sent, PurchaseState::kIntent, PurchaseState::kSent, "000000000101", 0).ok());
    REQUIRE((*journal)->mark_sent(advised, PurchaseState::kIntent, PurchaseState::kSent, "000000000102", 0).ok());
    REQUIRE((*journal)->mark_sent(advised, PurchaseState::kSent, PurchaseState::kAdviceSent, "000000000104", 1).ok());
    REQUIRE(
        (*journal)->mark_sent(advised, PurchaseState::kAdviceSent, PurchaseState::kAdviceSent, "000000000105", 2).ok());
    REQUIRE((*journal)->mark_sent(done, PurchaseState::kIntent, PurchaseState::kSent, "000000000103", 0).ok());
    REQUIRE((*journal)
                ->record_outcome(done, PurchaseState::kSent, PurchaseState::kCompleted, "0000", std::string(241, '9'))
                .ok());
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
  CHECK((*journal)->mark_sent(7, PurchaseState::kIntent, PurchaseState::kSent, "000000000001", 0).code() ==
        StatusCode::kNotFound);
  CHECK((*journal)->record_outcome(7, PurchaseState::kAdviceSent, PurchaseState::kNoSale, "0063", "").code() ==
        StatusCode::kNotFound);
  p2apst::PurchaseRecord bad = intent(1);
  bad.bit48 = "short";
  CHECK((*journal)->record_intent(bad).status().code() == StatusCode::kInvalidArgument);
  const int64_t id = *(*journal)->record_intent(intent(1));
  CHECK((*journal)->mark_sent(id, PurchaseState::kIntent, PurchaseState::kSent, "12", 0).code() ==
        StatusCode::kInvalidArgument);
  CHECK((*journal)->list_unresolved()->front().state == PurchaseState::kIntent);
}

TEST_CASE("a second journal handle with a stale state cannot overwrite the first's outcome", "[store][p2apst]") {
  const LedgerOptions options = testing::options_in(testing::make_temp_dir());
  auto first = SqlitePurchaseJournal::open(options);  // two processes on one ledger file
  auto second = SqlitePurchaseJournal::open(options);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  const int64_t id = *(*first)->record_intent(intent(1));
  REQUIRE((*first)->mark_sent(id, PurchaseState::kIntent, PurchaseState::kSent, "000000000101", 0).ok());
  // Both resume the same unresolved row: each has sent (advice count 0) in hand.
  REQUIRE((*second)->get(id)->state == PurchaseState::kSent);
  REQUIRE((*first)->mark_sent(id, PurchaseState::kSent, PurchaseState::kAdviceSent, "000000000102", 1).ok());
  // The second's 2220 would be a second advice number 1: refused before it leaves.
  const Status second_advice =
      (*second)->mark_sent(id, PurchaseState::kSent, PurchaseState::kAdviceSent, "000000000201", 1);
  CHECK(second_advice.code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(second_advice.message(), Catch::Contains("is advice_sent (1 advices sent), not sent"));
  // Same number from advice_sent is refused too: the row already holds advice 1.
  CHECK((*second)->mark_sent(id, PurchaseState::kAdviceSent, PurchaseState::kAdviceSent, "000000000202", 1).code() ==
        StatusCode::kFailedPrecondition);
  REQUIRE((*first)
              ->record_outcome(id, PurchaseState::kAdviceSent, PurchaseState::kCompleted, "0000", std::string(241, '9'))
              .ok());
  // The stale no_sale over a completed purchase: refused, the token stays.
  const Status stale =
      (*second)->record_outcome(id, PurchaseState::kAdviceSent, PurchaseState::kNoSale, "0063", "");
  CHECK(stale.code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(stale.message(), Catch::Contains("is completed"));
  auto row = (*second)->get(id);
  REQUIRE(row.ok());
  CHECK(row->state == PurchaseState::kCompleted);
  CHECK(row->response_code == "0000");
  CHECK(row->response_bit48 == std::string(241, '9'));
  CHECK(row->stan == "000000000102");
}

}  // namespace
}  // namespace pintar::store
