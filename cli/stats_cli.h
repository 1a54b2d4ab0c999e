// `pintar stats`: a running daemon's counters and latency histograms, read from its /metrics
// (docs/metrics.md), and `pintar stats --list`, every counter and histogram each daemon
// declares (docs/metrics.md's tables are its output).
//
// Also the one list of what each daemon exports, so the daemons and --list cannot disagree:
// declared_metrics() for the tables, and metrics_options_or_fail() for the [metrics] keys.
#ifndef PINTAR_CLI_STATS_CLI_H_
#define PINTAR_CLI_STATS_CLI_H_

#include <span>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/cli_context.h"
#include "common/counters.h"
#include "common/histogram.h"
#include "metrics/metrics_config.h"

namespace pintar::cli {

struct DeclaredMetrics {
  struct Table {
    std::span<const CounterSpec> counters;
    std::string_view labels;  // "smsc, bind" when one series per bind, "" when one per daemon
  };
  struct HistogramEntry {
    HistogramSpec spec;
    std::string_view labels;
  };
  std::vector<Table> tables;
  std::vector<HistogramEntry> histograms;
};

DeclaredMetrics declared_metrics(metrics::Daemon daemon);

// [metrics] of the configuration, or exit 78 with the reason (a listen address not loopback).
metrics::MetricsOptions metrics_options_or_fail(const config::Config& config);

void add_stats_command(CLI::App& app, const Context& context);

}  // namespace pintar::cli

#endif  // PINTAR_CLI_STATS_CLI_H_
