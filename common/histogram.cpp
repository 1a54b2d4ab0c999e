#include "common/histogram.h"

#include <algorithm>
#include <cmath>

namespace pintar {

void Histogram::observe(std::chrono::nanoseconds elapsed) {
  const int64_t ns = std::max<int64_t>(0, elapsed.count());
  // Bucket i holds (bound[i-1], bound[i]] in ms: compare in nanoseconds so 1.5 ms goes to "le 2".
  size_t bucket = 0;
  while (bucket < kBoundsMs.size() && ns > kBoundsMs[bucket] * 1'000'000) ++bucket;
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<uint64_t>(ns / 1000), std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot out;
  for (size_t i = 0; i < kBuckets; ++i) {
    out.counts[i] = counts_[i].load(std::memory_order_relaxed);
    out.count += out.counts[i];
  }
  out.sum_us = sum_us_.load(std::memory_order_relaxed);
  return out;
}

int64_t Histogram::Snapshot::quantile_bound_ms(double q) const {
  if (count == 0) return 0;
  const auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count)));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBoundsMs.size(); ++i) {
    seen += counts[i];
    if (seen >= std::max<uint64_t>(rank, 1)) return kBoundsMs[i];
  }
  return -1;
}

}  // namespace pintar
