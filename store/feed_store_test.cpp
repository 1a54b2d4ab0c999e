// The feed's numbering and cursors on a real ledger file (schema revision 9).
#include "store/feed_store.h"

#include <catch2/catch.hpp>

#include "store/test_support.h"

namespace pintar::store {
namespace {

using testing::sample_transaction;

struct World {
  std::string dir = testing::make_temp_dir();
  LedgerOptions options = testing::options_in(dir);
  std::unique_ptr<Ledger> ledger = open_ledger(options).value();
  std::unique_ptr<FeedStore> feed = FeedStore::open(options).value();

  // Writes txn-n's versions 1.. with these states, one write set each.
  void purchase(int n, std::initializer_list<const char*> states) {
    int64_t version = 0;
    for (const char* state : states) {
      TransactionRecord t = sample_transaction(n, ++version);
      t.state = state;
      WriteSet w;
      w.append_transaction(t);
      REQUIRE(ledger->write(std::move(w)).ok());
    }
  }
  std::vector<FeedRecord> all() { return feed->records_after(0, 1000).value(); }
};

TEST_CASE("feed: each end state of a purchase is numbered once, without gaps, in ledger order", "[store][feed]") {
  World w;
  CHECK(w.all().empty());
  CHECK(*w.feed->last_seq() == 0);
  w.purchase(1, {"received", "validated", "purchasing", "token_issued", "sent", "completed"});
  w.purchase(2, {"received", "validated", "purchasing", "needs_manual", "completed"});  // resolved by a person
  w.purchase(3, {"received", "refused"});
  w.purchase(4, {"received", "awaiting_confirmation", "expired"});
  w.purchase(5, {"received", "token_issued", "sent", "completed", "completed"});  // a later version, same state
  // A write set the ledger refuses (version 7 does not follow 5) takes no number.
  WriteSet bad;
  TransactionRecord skipped = sample_transaction(5, 7);
  skipped.state = "refused";
  bad.append_transaction(skipped);
  CHECK_FALSE(w.ledger->write(std::move(bad)).ok());
  w.purchase(6, {"received", "cancelled"});

  const std::vector<FeedRecord> records = w.all();
  struct Expected {
    const char* txn;
    const char* state;
    int64_t version;
    bool resolved;
  };
  const Expected expected[] = {{"txn-1", "completed", 6, false}, {"txn-2", "needs_manual", 4, false},
                               {"txn-2", "completed", 5, true},  {"txn-3", "refused", 2, false},
                               {"txn-4", "expired", 3, false},   {"txn-5", "completed", 4, false},
                               {"txn-6", "cancelled", 2, false}};
  REQUIRE(records.size() == std::size(expected));
  for (size_t i = 0; i < records.size(); ++i) {
    INFO("record " << i + 1);
    CHECK(records[i].seq == static_cast<int64_t>(i + 1));
    CHECK(records[i].purchase.txn_id == expected[i].txn);
    CHECK(records[i].purchase.state == expected[i].state);
    CHECK(records[i].purchase.version == expected[i].version);
    CHECK(records[i].resolved == expected[i].resolved);
    CHECK(records[i].idpel.empty());  // no meter 14012345678 registered here
  }
  CHECK(records[0].purchase == [] {
    TransactionRecord t = sample_transaction(1, 6);
    t.state = "completed";
    return t;
  }());
  CHECK(*w.feed->last_seq() == 7);

  const auto page = w.feed->records_after(2, 3).value();
  REQUIRE(page.size() == 3);
  CHECK(page.front().seq == 3);
  CHECK(page.back().seq == 5);
  CHECK(w.feed->records_after(7, 10)->empty());
}

TEST_CASE("feed: a cursor moves only forward, never past the last record, and survives a reopen", "[store][feed]") {
  World w;
  w.purchase(1, {"received", "completed"});
  w.purchase(2, {"received", "refused"});
  w.purchase(3, {"received", "refused"});
  CHECK(w.feed->cursor("pln_http")->delivered_seq == 0);
  REQUIRE(w.feed->advance("pln_http", 2, 1000).ok());
  CHECK(w.feed->advance("pln_http", 1, 2000).ok());  // a lagging second process: no change, no error
  CHECK(w.feed->cursor("pln_http")->delivered_seq == 2);
  CHECK(w.feed->cursor("pln_http")->updated_ms == 1000);
  CHECK(w.feed->advance("pln_http", 4, 3000).code() == StatusCode::kInvalidArgument);
  REQUIRE(w.feed->advance("zmq_pub", 3, 4000).ok());

  w.feed.reset();
  w.feed = FeedStore::open(w.options).value();
  const auto cursors = w.feed->cursors().value();
  REQUIRE(cursors.size() == 2);
  CHECK(cursors[0].consumer == "pln_http");
  CHECK(cursors[0].delivered_seq == 2);
  CHECK(cursors[1].consumer == "zmq_pub");
  CHECK(cursors[1].delivered_seq == 3);
}

}  // namespace
}  // namespace pintar::store
