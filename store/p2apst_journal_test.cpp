#include "store/p2apst_journal.h"

#include <catch2/catch.hpp>

#include "store/test_support.h"

namespace pintar::store {
namespace {

P2apstPurchaseRow intent(int n) {
  return {.meter = "11000000002", .amount = 52500 + n, .bit48 = std::string(145, '0'), .local_time = "20261125100000"};
}

TEST_CASE("the P2APST purchase table keeps every step across a reopen", "[store][p2apst]") {
  const LedgerOptions options = testing::options_in(testing::make_temp_dir());
  int64_t sent;
  int64_t advised;
  int64_t done;
  {
    auto table = P2apstPurchases::open(options);
    REQUIRE(table.ok());
    P2apstPurchases& t = **table;
    sent = *t.insert_intent(intent(1));
    advised = *t.insert_intent(intent(2));
    done = *t.insert_intent(intent(3));
    REQUIRE(t.mark_sent(sent, "intent", 0, "sent", "000000000101", 0).value() == std::nullopt);
    REQUIRE(t.mark_sent(advised, "intent", 0, "sent", "000000000102", 0).value() == std::nullopt);
    REQUIRE(t.mark_sent(advised, "sent", 0, "advice_sent", "000000000104", 1).value() == std::nullopt);
    REQUIRE(t.mark_sent(advised, "advice_sent", 1, "advice_sent", "000000000105", 2).value() == std::nullopt);
    REQUIRE(t.mark_sent(done, "intent", 0, "sent", "000000000103", 0).value() == std::nullopt);
    REQUIRE(t.record_outcome(done, "sent", "completed", "0000", std::string(241, '9')).value() == std::nullopt);
  }
  auto reopened = P2apstPurchases::open(options);  // as after kill -9
  REQUIRE(reopened.ok());
  auto unresolved = (*reopened)->list_unresolved();
  REQUIRE(unresolved.ok());
  REQUIRE(unresolved->size() == 2);
  CHECK((*unresolved)[0].id == sent);
  CHECK((*unresolved)[0].state == "sent");
  CHECK((*unresolved)[0].stan == "000000000101");
  CHECK((*unresolved)[0].amount == 52501);
  CHECK((*unresolved)[0].bit48 == std::string(145, '0'));
  CHECK((*unresolved)[0].local_time == "20261125100000");
  CHECK((*unresolved)[1].state == "advice_sent");
  CHECK((*unresolved)[1].advice_count == 2);
  auto completed = (*reopened)->get(done);
  REQUIRE(completed.ok());
  CHECK(completed->state == "completed");
  CHECK(completed->response_code == "0000");
  CHECK(completed->response_bit48 == std::string(241, '9'));
}

TEST_CASE("the purchase table refuses unknown ids and malformed rows", "[store][p2apst]") {
  auto table = P2apstPurchases::open(testing::options_in(testing::make_temp_dir()));
  REQUIRE(table.ok());
  P2apstPurchases& t = **table;
  CHECK(t.get(7).status().code() == StatusCode::kNotFound);
  CHECK(t.mark_sent(7, "intent", 0, "sent", "000000000001", 0).status().code() == StatusCode::kNotFound);
  CHECK(t.record_outcome(7, "advice_sent", "no_sale", "0063", "").status().code() == StatusCode::kNotFound);
  P2apstPurchaseRow bad = intent(1);
  bad.bit48 = "short";
  CHECK(t.insert_intent(bad).status().code() == StatusCode::kInvalidArgument);
  const int64_t id = *t.insert_intent(intent(1));
  CHECK(t.mark_sent(id, "intent", 0, "sent", "12", 0).status().code() == StatusCode::kInvalidArgument);
  CHECK(t.list_unresolved()->front().state == "intent");
}

TEST_CASE("an update from a stale state changes nothing and hands back the row as it is", "[store][p2apst]") {
  const LedgerOptions options = testing::options_in(testing::make_temp_dir());
  auto first = P2apstPurchases::open(options);  // two processes on one ledger file
  auto second = P2apstPurchases::open(options);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  const int64_t id = *(*first)->insert_intent(intent(1));
  REQUIRE((*first)->mark_sent(id, "intent", 0, "sent", "000000000101", 0).value() == std::nullopt);
  REQUIRE((*first)->mark_sent(id, "sent", 0, "advice_sent", "000000000102", 1).value() == std::nullopt);
  // The second's 2220 would be a second advice number 1: refused before it leaves.
  auto again = (*second)->mark_sent(id, "sent", 0, "advice_sent", "000000000201", 1);
  REQUIRE(again.ok());
  REQUIRE(again->has_value());
  CHECK((*again)->state == "advice_sent");
  CHECK((*again)->advice_count == 1);
  CHECK((*again)->stan == "000000000102");
  // The same number from advice_sent: the row already holds advice 1, not 0.
  CHECK((*second)->mark_sent(id, "advice_sent", 0, "advice_sent", "000000000202", 1)->has_value());
  REQUIRE((*first)->record_outcome(id, "advice_sent", "completed", "0000", std::string(241, '9')).value() ==
          std::nullopt);
  // A stale no_sale over a completed purchase: refused, the token stays.
  auto stale = (*second)->record_outcome(id, "advice_sent", "no_sale", "0063", "");
  REQUIRE(stale.ok());
  REQUIRE(stale->has_value());
  CHECK((*stale)->state == "completed");
  auto row = (*second)->get(id);
  REQUIRE(row.ok());
  CHECK(row->state == "completed");
  CHECK(row->response_bit48 == std::string(241, '9'));
  CHECK(row->stan == "000000000102");
}

}  // namespace
}  // namespace pintar::store
