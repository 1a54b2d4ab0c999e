// Reconciliation on a real ledger file against P2APST sales files written in the reports'
// convention (report/report_file.h), every kind of difference once.
#include "report/reconcile.h"

#include <catch2/catch.hpp>

#include "report/report_file.h"
#include "report/test_support.h"
#include "store/test_support.h"

namespace pintar::report {
namespace {

using testing::kDayBegin;
using testing::kDayEnd;
using testing::kNoon;

// A purchase sold at `sold_ms` with `reference`, whose newest state is `state`.
void sold(store::Ledger& ledger, int n, const std::string& reference, int64_t amount, int64_t sold_ms,
          const std::string& state) {
  store::TransactionRecord t = store::testing::sample_transaction(n);
  t.txn_id = fmt::format("T{}", n);
  t.amount_rupiah = amount;
  t.created_ms = t.recorded_ms = sold_ms - 2000;
  store::WriteSet w;
  w.append_transaction(t);
  for (const std::string& next : {std::string("token_issued"), state}) {
    t.version += 1;
    t.state = next;
    t.reference = reference;
    t.recorded_ms = next == "token_issued" ? sold_ms : sold_ms + 4000;
    w.append_transaction(t);
  }
  REQUIRE(ledger.write(std::move(w)).ok());
}

struct World {
  std::string dir = store::testing::make_temp_dir();
  store::LedgerOptions options = store::testing::options_in(dir);
  Period day{.name = "2026-12-06", .begin_ms = kDayBegin, .end_ms = kDayEnd};

  World() {
    auto ledger = store::testing::open_or_die(options);
    sold(*ledger, 1, "REF-A", 50000, kNoon, "completed");          // on both sides, equal
    sold(*ledger, 2, "REF-B", 100000, kNoon + 1000, "completed");  // P2APST says 20000
    sold(*ledger, 3, "REF-C", 50000, kNoon + 2000, "completed");   // not in P2APST's file
    sold(*ledger, 4, "REF-D", 20000, kNoon + 3000, "needs_manual");
    sold(*ledger, 5, "REF-E", 50000, kDayBegin - 1000, "completed");  // the day before
    sold(*ledger, 6, "REF-F", 50000, kDayEnd, "completed");           // the day after
    // Refused: never sold, no reference.
    store::TransactionRecord r = store::testing::sample_transaction(7);
    r.txn_id = "T7";
    r.created_ms = r.recorded_ms = kNoon;
    store::WriteSet w;
    w.append_transaction(r);
    r.version = 2;
    r.state = "refused";
    w.append_transaction(r);
    REQUIRE(ledger->write(std::move(w)).ok());
  }
  // P2APST's file, written as the reports write theirs.
  std::string file(std::initializer_list<std::initializer_list<std::string_view>> rows) {
    static int n = 0;
    auto f = ReportFile::create(dir, fmt::format("p2apst-{}.csv", ++n)).value();
    REQUIRE(f->header({"reference", "meter_no", "amount_rupiah", "sold_at"}).ok());
    for (auto row : rows) REQUIRE(f->row(row).ok());
    REQUIRE(f->commit().ok());
    return testing::read_file(f->path());
  }
  Reconciliation run(const std::string& text) {
    auto sales = parse_p2apst_sales(text);
    INFO(sales.status().to_string());
    REQUIRE(sales.ok());
    auto reads = store::ReportReads::open(options).value();
    return reconcile(*reads, day, *sales).value();
  }
};

TEST_CASE("reconcile: each difference named once; sales outside the business day left out", "[report][reconcile]") {
  World w;
  const std::string text = w.file({{"REF-A", "14012345678", "50000", "2026-12-06T03:00:00Z"},
                                   {"REF-B", "14012345678", "20000", "2026-12-06T03:00:01Z"},
                                   {"REF-D", "14012345678", "20000", "2026-12-06T03:00:03Z"},
                                   {"REF-X", "14099999999", "75000", "2026-12-06T04:00:00Z"},
                                   {"REF-A", "14012345678", "50000", "2026-12-06T03:00:00Z"}});
  const Reconciliation r = w.run(text);
  CHECK(r.our_sales == 4);  // A, B, C, D: E and F were sold on other days, T7 never
  CHECK(r.our_rupiah == 220000);
  CHECK(r.p2apst_sales == 5);
  CHECK(r.p2apst_rupiah == 215000);
  struct Want {
    const char* kind;
    const char* reference;
  };
  const Want want[] = {{"duplicate", "REF-A"},        {"amount", "REF-B"}, {"missing_at_p2apst", "REF-C"},
                       {"not_completed", "REF-D"},    {"missing_here", "REF-X"}};
  REQUIRE(r.differences.size() == std::size(want));
  for (size_t i = 0; i < std::size(want); ++i) {
    INFO(i);
    CHECK(r.differences[i].kind == want[i].kind);
    CHECK(r.differences[i].reference == want[i].reference);
  }
  CHECK(r.differences[1].our_amount == 100000);
  CHECK(r.differences[1].p2apst_amount == 20000);
  CHECK(r.differences[1].txn_id == "T2");
  CHECK(r.differences[2].txn_id == "T3");
  CHECK(r.differences[3].our_state == "needs_manual");
  CHECK(r.differences[4].txn_id.empty());
  CHECK(r.differences[4].meter_no == "14099999999");
}

TEST_CASE("reconcile: the two sides agree: no differences", "[report][reconcile]") {
  World w;
  const Reconciliation r = w.run(w.file({{"REF-A", "14012345678", "50000", "2026-12-06T03:00:00Z"},
                                         {"REF-B", "14012345678", "100000", "2026-12-06T03:00:01Z"},
                                         {"REF-C", "14012345678", "50000", "2026-12-06T03:00:02Z"}}));
  REQUIRE(r.differences.size() == 1);  // REF-D is still needs_manual here and not sold there
  CHECK(r.differences[0].kind == "missing_at_p2apst");
  CHECK(r.differences[0].reference == "REF-D");
}

TEST_CASE("reconcile: a damaged P2APST file is refused, naming the line", "[report][reconcile]") {
  World w;
  const std::string good = w.file({{"REF-A", "14012345678", "50000", "2026-12-06T03:00:00Z"}});
  CHECK(parse_p2apst_sales(good)->size() == 1);
  auto refused = [](const std::string& text, std::string_view says) {
    auto parsed = parse_p2apst_sales(text);
    INFO(text);
    REQUIRE(parsed.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(parsed.status().message(), Catch::Contains(std::string(says)));
  };
  std::string changed = good;
  changed.replace(changed.find("50000"), 5, "90000");
  refused(changed, "SHA-256");
  refused(good.substr(0, good.size() - 1), "line end");
  refused(good.substr(0, good.find("trailer")), "trailer");
  // Well-formed files (their trailers right) with bad rows.
  refused(w.file({{"REF-A", "1401234567", "50000", "2026-12-06T03:00:00Z"}}), "line 2: meter_no");
  refused(w.file({{"REF-A", "14012345678", "5e4", "2026-12-06T03:00:00Z"}}), "line 2: amount_rupiah");
  refused(w.file({{"REF-A", "14012345678", "-1", "2026-12-06T03:00:00Z"}}), "amount_rupiah");
  refused(w.file({{"REF-A", "14012345678", "50000", "2026-02-30T03:00:00Z"}}), "sold_at");
  refused(w.file({{"REF-A", "14012345678", "50000"}}), "4 fields");
}

TEST_CASE("reconcile: the business day starts where the cut-off ends", "[report][reconcile]") {
  auto day = business_day("2026-12-06", 420, 30).value();
  CHECK(day.begin_ms == kDayBegin + 30 * 60'000);  // 2026-12-06 00:30 WIB
  CHECK(day.end_ms == kDayEnd + 30 * 60'000);
  CHECK(business_day("2026-13-01", 420, 30).status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pintar::report
