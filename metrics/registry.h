// Registry: the list of what one daemon exports on /metrics, its counter sets and histograms
// (common/counters.h, common/histogram.h), each with optional labels (e.g. smsc="telkomsel").
//
// A daemon lists its sources once, at start, and hands the registry to metrics::Server; the
// sources are referenced, not copied, and must outlive every reader (stop the server first).
// Reads (exposition) are lock-free on the sources; add() is not thread-safe and must finish
// before the server starts.
#ifndef PINTAR_METRICS_REGISTRY_H_
#define PINTAR_METRICS_REGISTRY_H_

#include <string>
#include <utility>
#include <vector>

#include "common/counters.h"
#include "common/histogram.h"
#include "common/status.h"

namespace pintar::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Registry {
 public:
  struct CounterSource {
    const CounterSet* counters;
    Labels labels;
  };
  struct HistogramSource {
    const Histogram* histogram;
    Labels labels;
  };

  void add(const CounterSet& counters, Labels labels = {}) { counters_.push_back({&counters, std::move(labels)}); }
  void add(const Histogram& histogram, Labels labels = {}) { histograms_.push_back({&histogram, std::move(labels)}); }

  const std::vector<CounterSource>& counters() const { return counters_; }
  const std::vector<HistogramSource>& histograms() const { return histograms_; }

  // InvalidArgument naming the first problem: a name that is not "module.snake_case", a label
  // name outside [a-zA-Z_][a-zA-Z0-9_]* (or "le"), or one name exported twice with the same
  // labels (two series Prometheus could not tell apart). The daemons' tests call it.
  Status validate() const;

 private:
  std::vector<CounterSource> counters_;
  std::vector<HistogramSource> histograms_;
};

}  // namespace pintar::metrics

#endif  // PINTAR_METRICS_REGISTRY_H_
