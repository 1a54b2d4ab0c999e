// Histogram: a latency distribution over fixed bucket bounds, declared with a name and a
// description like counters (common/counters.h), so /metrics, `pintar stats` and
// docs/metrics.md read one list.
//
//   inline constexpr HistogramSpec kRoundTrip{"p2apst.round_trip", "request sent -> matched answer"};
//   Histogram round_trip(kRoundTrip);  round_trip.observe(answered - sent);
//
// The bounds are the same for every histogram (kBoundsMs: 1 ms .. 60 s), so that one exporter
// and one reader serve them all and two histograms can be compared bucket by bucket. observe()
// is lock-free (relaxed atomics) and may be called from any thread; a snapshot taken while
// others observe may be off by the observations in flight (its count is the sum of its buckets,
// so it is always self-consistent).
#ifndef PINTAR_COMMON_HISTOGRAM_H_
#define PINTAR_COMMON_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>

namespace pintar {

struct HistogramSpec {
  std::string_view name;  // "module.snake_case", as counters
  std::string_view description;
};

class Histogram {
 public:
  // Upper bounds (inclusive, "le") of the buckets, in milliseconds; one more bucket (+Inf) holds
  // the rest.
  static constexpr std::array<int64_t, 15> kBoundsMs = {1,   2,    5,    10,   20,    50,    100,  200,
                                                        500, 1000, 2000, 5000, 10000, 30000, 60000};
  static constexpr size_t kBuckets = kBoundsMs.size() + 1;

  struct Snapshot {
    std::array<uint64_t, kBuckets> counts{};  // per bucket, not cumulative; the last is +Inf
    uint64_t count = 0;                       // the sum of counts
    uint64_t sum_us = 0;                      // sum of the observations, in microseconds
    double sum_seconds() const { return static_cast<double>(sum_us) / 1e6; }
    // The upper bound (ms) of the bucket holding the q-quantile (0 < q <= 1): an estimate no
    // finer than the buckets; -1 when the quantile is past the last bound, 0 when empty.
    int64_t quantile_bound_ms(double q) const;
  };

  explicit Histogram(HistogramSpec spec) : spec_(spec) {}
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  const HistogramSpec& spec() const { return spec_; }

  // A negative duration (a clock stepping back) counts as 0.
  void observe(std::chrono::nanoseconds elapsed);
  Snapshot snapshot() const;

 private:
  HistogramSpec spec_;
  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
  std::atomic<uint64_t> sum_us_{0};
};

}  // namespace pintar

#endif  // PINTAR_COMMON_HISTOGRAM_H_
