// MemoryPurchaseJournal: find_by_txn, the look-up the engine resumes a crashed sale by.
#include "vending/p2apst/purchase_journal.h"

#include <catch2/catch.hpp>

namespace pintar::p2apst {
namespace {

PurchaseRecord intent(std::string txn_id, int64_t amount) {
  PurchaseRecord r;
  r.meter = "14012345678";
  r.amount = amount;
  r.bit48 = std::string(145, '0');
  r.local_time = "20261202195500";
  r.txn_id = std::move(txn_id);
  return r;
}

TEST_CASE("MemoryPurchaseJournal finds the newest purchase of a transaction", "[p2apst][journal]") {
  MemoryPurchaseJournal journal;
  REQUIRE(journal.record_intent(intent("", 1000)).ok());
  const int64_t first = *journal.record_intent(intent("txn-1", 2000));
  REQUIRE(journal.record_intent(intent("txn-2", 3000)).ok());
  const int64_t retry = *journal.record_intent(intent("txn-1", 4000));
  REQUIRE(journal.mark_sent(retry, PurchaseState::kIntent, PurchaseState::kSent, "000000000001", 0).ok());
  auto found = journal.find_by_txn("txn-1");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->id == retry);
  CHECK((*found)->id != first);
  CHECK((*found)->state == PurchaseState::kSent);
  CHECK((*found)->txn_id == "txn-1");
  CHECK_FALSE(journal.find_by_txn("txn-9")->has_value());
  CHECK_FALSE(journal.find_by_txn("")->has_value());  // CLI purchases belong to no transaction
  CHECK(journal.get(first)->txn_id == "txn-1");
}

}  // namespace
}  // namespace pintar::p2apst
