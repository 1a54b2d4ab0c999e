// Reading an exposition back (what `pintar stats` does with a daemon's /metrics): the samples
// of the Prometheus text format 0.0.4, and a summary of them, counters with their values and
// histograms with their count, sum and bucket quantiles.
//
// It reads what metrics/exposition.cpp writes (and any well-formed text of the format); a
// line it cannot read is a Corruption error naming the line, never silently skipped.
#ifndef PINTAR_METRICS_SCRAPE_H_
#define PINTAR_METRICS_SCRAPE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "metrics/registry.h"

namespace pintar::metrics {

struct Sample {
  std::string name;  // as written: pintar_x_total, pintar_y_seconds_bucket
  Labels labels;     // in the order written, values unescaped
  double value = 0;
};

struct Scrape {
  std::vector<Sample> samples;
  std::vector<std::pair<std::string, std::string>> types;  // family -> "counter", "histogram", ...
  std::vector<std::pair<std::string, std::string>> help;   // family -> text (unescaped)
};

Result<Scrape> parse_exposition(std::string_view text);

struct CounterSummary {
  std::string name;  // the family without "pintar_" and "_total": gateway_mo_stored
  Labels labels;
  uint64_t value = 0;
};

struct HistogramSummary {
  std::string name;  // without "pintar_" and "_seconds": p2apst_round_trip
  Labels labels;     // without le
  uint64_t count = 0;
  double sum_seconds = 0;
  // Upper bucket bounds (seconds) holding the 50th, 90th and 99th percentiles; +inf when past
  // the last finite bound, 0 when empty.
  double p50 = 0, p90 = 0, p99 = 0;
};

struct Summary {
  std::vector<CounterSummary> counters;
  std::vector<HistogramSummary> histograms;
};

// Counter families are those typed "counter"; histogram families those typed "histogram".
Summary summarize(const Scrape& scrape);

}  // namespace pintar::metrics

#endif  // PINTAR_METRICS_SCRAPE_H_
