#include "common/histogram.h"

#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace pintar {
namespace {

using namespace std::chrono_literals;

constexpr HistogramSpec kSpec{"test.latency", "a test histogram"};

TEST_CASE("histogram: an observation lands in the first bucket whose bound it does not exceed") {
  Histogram h(kSpec);
  h.observe(0ms);        // le 1
  h.observe(1ms);        // le 1 (bounds are inclusive)
  h.observe(1500us);     // le 2
  h.observe(60s);        // le 60000
  h.observe(61s);        // +Inf
  h.observe(-5ms);       // a clock step back counts as 0: le 1
  const Histogram::Snapshot s = h.snapshot();
  CHECK(s.counts[0] == 3);
  CHECK(s.counts[1] == 1);
  CHECK(s.counts[Histogram::kBoundsMs.size() - 1] == 1);
  CHECK(s.counts[Histogram::kBuckets - 1] == 1);
  CHECK(s.count == 6);
  CHECK(s.sum_us == 1000 + 1500 + 60'000'000 + 61'000'000);
  CHECK(s.sum_seconds() == Approx(121.0025));
}

TEST_CASE("histogram: quantile bounds follow the buckets") {
  Histogram h(kSpec);
  CHECK(h.snapshot().quantile_bound_ms(0.5) == 0);  // empty
  for (int i = 0; i < 90; ++i) h.observe(3ms);      // le 5
  for (int i = 0; i < 10; ++i) h.observe(150ms);    // le 200
  const Histogram::Snapshot s = h.snapshot();
  CHECK(s.quantile_bound_ms(0.5) == 5);
  CHECK(s.quantile_bound_ms(0.9) == 5);
  CHECK(s.quantile_bound_ms(0.95) == 200);
  h.observe(2min);
  CHECK(h.snapshot().quantile_bound_ms(1.0) == -1);  // past the last bound
}

TEST_CASE("histogram: observations from many threads are all counted") {
  Histogram h(kSpec);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h, t] {
      for (int i = 0; i < 10000; ++i) h.observe(std::chrono::milliseconds(t * 7));
    });
  }
  for (auto& thread : threads) thread.join();
  const Histogram::Snapshot s = h.snapshot();
  CHECK(s.count == 40000);
  CHECK(s.counts[0] == 10000);  // 0 ms
  CHECK(s.counts[3] == 10000);  // 7 ms: le 10
  CHECK(s.counts[4] == 10000);  // 14 ms: le 20
  CHECK(s.counts[5] == 10000);  // 21 ms: le 50
  CHECK(s.sum_us == 10000ULL * (7 + 14 + 21) * 1000);
}

}  // namespace
}  // namespace pintar
