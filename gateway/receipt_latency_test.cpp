#include "gateway/receipt_latency.h"

#include <catch2/catch.hpp>

namespace pintar::gateway {
namespace {

using namespace std::chrono_literals;

const Clock::SteadyTime kT0{};

TEST_CASE("receipt latency: a final receipt is measured from its submit, once") {
  Histogram histogram(kSubmitToReceiptHistogram);
  ReceiptLatency latency(10, histogram);
  latency.submitted("abc", kT0);
  CHECK_FALSE(latency.receipt("abc", false, kT0 + 1s));  // ENROUTE: not the end
  CHECK(latency.receipt("abc", true, kT0 + 3s));
  CHECK_FALSE(latency.receipt("abc", true, kT0 + 4s));  // forgotten once measured
  CHECK_FALSE(latency.receipt("unknown", true, kT0 + 4s));
  const Histogram::Snapshot s = histogram.snapshot();
  CHECK(s.count == 1);
  CHECK(s.sum_us == 3'000'000);
  CHECK(s.counts[11] == 1);  // (2 s, 5 s]
  CHECK(latency.remembered() == 0);
}

TEST_CASE("receipt latency: bounded, the oldest ids are forgotten first") {
  Histogram histogram(kSubmitToReceiptHistogram);
  ReceiptLatency latency(3, histogram);
  for (int i = 0; i < 5; ++i) latency.submitted("id" + std::to_string(i), kT0 + std::chrono::seconds(i));
  CHECK(latency.remembered() == 3);
  CHECK_FALSE(latency.receipt("id0", true, kT0 + 10s));
  CHECK_FALSE(latency.receipt("id1", true, kT0 + 10s));
  CHECK(latency.receipt("id2", true, kT0 + 10s));
  CHECK(latency.receipt("id4", true, kT0 + 10s));
  CHECK(histogram.snapshot().count == 2);
}

TEST_CASE("receipt latency: a reused id is measured from its newest submit") {
  Histogram histogram(kSubmitToReceiptHistogram);
  ReceiptLatency latency(2, histogram);
  latency.submitted("x", kT0);
  latency.submitted("y", kT0 + 1s);
  latency.submitted("x", kT0 + 5s);  // reused: still two remembered, x now the newest
  CHECK(latency.remembered() == 2);
  latency.submitted("z", kT0 + 6s);  // evicts y, the oldest
  CHECK_FALSE(latency.receipt("y", true, kT0 + 7s));
  CHECK(latency.receipt("x", true, kT0 + 7s));
  CHECK(histogram.snapshot().sum_us == 2'000'000);
}

}  // namespace
}  // namespace pintar::gateway
