#include "vending/engine/ledger_purchase_journal.h"

#include <catch2/catch.hpp>

#include "store/test_support.h"

namespace pintar::engine {
namespace {

using p2apst::PurchaseState;

p2apst::PurchaseRecord intent(std::string txn_id = {}) {
  p2apst::PurchaseRecord r;
  r.meter = "11000000002";
  r.amount = 52500;
  r.bit48 = std::string(145, '0');
  r.local_time = "20261125100000";
  r.txn_id = std::move(txn_id);
  return r;
}

TEST_CASE("the ledger's purchase journal speaks PurchaseJournal: states, records, txn look-up", "[engine][p2apst]") {
  const store::LedgerOptions options = store::testing::options_in(store::testing::make_temp_dir());
  auto journal = LedgerPurchaseJournal::open(options);
  REQUIRE(journal.ok());
  p2apst::PurchaseJournal& j = **journal;
  const int64_t id = *j.record_intent(intent("t-1"));
  REQUIRE(j.mark_sent(id, PurchaseState::kIntent, PurchaseState::kSent, "000000000101", 0).ok());
  REQUIRE(j.mark_sent(id, PurchaseState::kSent, PurchaseState::kAdviceSent, "000000000102", 1).ok());
  auto unresolved = j.list_unresolved();
  REQUIRE(unresolved.ok());
  REQUIRE(unresolved->size() == 1);
  CHECK(unresolved->front().state == PurchaseState::kAdviceSent);
  CHECK(unresolved->front().advice_count == 1);
  REQUIRE(j.record_outcome(id, PurchaseState::kAdviceSent, PurchaseState::kCompleted, "0000", std::string(241, '9')).ok());
  auto by_txn = j.find_by_txn("t-1");
  REQUIRE(by_txn.ok());
  REQUIRE(by_txn->has_value());
  CHECK((*by_txn)->id == id);
  CHECK((*by_txn)->state == PurchaseState::kCompleted);
  CHECK((*by_txn)->response_bit48 == std::string(241, '9'));
  CHECK_FALSE(j.find_by_txn("t-2")->has_value());
  CHECK(j.get(99).status().code() == StatusCode::kNotFound);
}

TEST_CASE("a second handle with a stale state cannot overwrite the first's outcome", "[engine][p2apst]") {
  const store::LedgerOptions options = store::testing::options_in(store::testing::make_temp_dir());
  auto first = LedgerPurchaseJournal::open(options);  // two processes on one ledger file
  auto second = LedgerPurchaseJournal::open(options);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  const int64_t id = *(*first)->record_intent(intent());
  REQUIRE((*first)->mark_sent(id, PurchaseState::kIntent, PurchaseState::kSent, "000000000101", 0).ok());
  REQUIRE((*second)->get(id)->state == PurchaseState::kSent);
  REQUIRE((*first)->mark_sent(id, PurchaseState::kSent, PurchaseState::kAdviceSent, "000000000102", 1).ok());
  // The second's 2220 would be a second advice number 1: refused before it leaves.
  const Status second_advice =
      (*second)->mark_sent(id, PurchaseState::kSent, PurchaseState::kAdviceSent, "000000000201", 1);
  CHECK(second_advice.code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(second_advice.message(), Catch::Contains("is advice_sent (1 advices sent), not sent"));
  CHECK((*second)->mark_sent(id, PurchaseState::kAdviceSent, PurchaseState::kAdviceSent, "000000000202", 1).code() ==
        StatusCode::kFailedPrecondition);
  REQUIRE((*first)
              ->record_outcome(id, PurchaseState::kAdviceSent, PurchaseState::kCompleted, "0000", std::string(241, '9'))
              .ok());
  const Status stale = (*second)->record_outcome(id, PurchaseState::kAdviceSent, PurchaseState::kNoSale, "0063", "");
  CHECK(stale.code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(stale.message(), Catch::Contains("is completed"));
  CHECK((*second)->get(id)->state == PurchaseState::kCompleted);
}

}  // namespace
}  // namespace pintar::engine
