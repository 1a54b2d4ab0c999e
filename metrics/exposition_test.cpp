#include "metrics/exposition.h"

#include <catch2/catch.hpp>

#include "metrics/scrape.h"

namespace pintar::metrics {
namespace {

using namespace std::chrono_literals;

enum TestCounter : size_t { kStored, kRefused, kTestCounterCount };
constexpr size_t counter_count(TestCounter) { return kTestCounterCount; }
constexpr CounterSpec kTestCounters[] = {{"gateway.mo_stored", "MOs stored"},
                                         {"gateway.mo_refused", "MOs refused \\ with \"quotes\"\nand a newline"}};
constexpr HistogramSpec kLatency{"p2apst.round_trip", "request sent -> matched answer"};

TEST_CASE("exposition: counters as pintar_<name>_total, one family per name across label sets") {
  Counters<TestCounter> a(kTestCounters), b(kTestCounters);
  a.add(kStored, 3);
  b.add(kStored, 5);
  b.add(kRefused);
  Registry registry;
  registry.add(a, {{"smsc", "telkomsel"}});
  registry.add(b, {{"smsc", "indosat"}});
  REQUIRE(registry.validate().ok());
  const std::string text = expose(registry);
  CHECK(text ==
        "# HELP pintar_gateway_mo_stored_total MOs stored\n"
        "# TYPE pintar_gateway_mo_stored_total counter\n"
        "pintar_gateway_mo_stored_total{smsc=\"telkomsel\"} 3\n"
        "pintar_gateway_mo_stored_total{smsc=\"indosat\"} 5\n"
        "# HELP pintar_gateway_mo_refused_total MOs refused \\\\ with \"quotes\"\\nand a newline\n"
        "# TYPE pintar_gateway_mo_refused_total counter\n"
        "pintar_gateway_mo_refused_total{smsc=\"telkomsel\"} 0\n"
        "pintar_gateway_mo_refused_total{smsc=\"indosat\"} 1\n");
}

TEST_CASE("exposition: label values are escaped") {
  CHECK(escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
  Counters<TestCounter> counters(kTestCounters);
  Registry registry;
  registry.add(counters, {{"bind", "x\"y"}});
  CHECK(expose(registry).find("pintar_gateway_mo_stored_total{bind=\"x\\\"y\"} 0\n") != std::string::npos);
}

TEST_CASE("exposition: histograms in seconds, cumulative buckets, _sum and _count") {
  Histogram histogram(kLatency);
  histogram.observe(3ms);
  histogram.observe(3ms);
  histogram.observe(700ms);
  histogram.observe(2min);
  Registry registry;
  registry.add(histogram);
  const std::string text = expose(registry);
  CHECK(text.starts_with("# HELP pintar_p2apst_round_trip_seconds request sent -> matched answer\n"
                         "# TYPE pintar_p2apst_round_trip_seconds histogram\n"
                         "pintar_p2apst_round_trip_seconds_bucket{le=\"0.001\"} 0\n"
                         "pintar_p2apst_round_trip_seconds_bucket{le=\"0.002\"} 0\n"
                         "pintar_p2apst_round_trip_seconds_bucket{le=\"0.005\"} 2\n"));
  CHECK(text.find("pintar_p2apst_round_trip_seconds_bucket{le=\"0.5\"} 2\n") != std::string::npos);
  CHECK(text.find("pintar_p2apst_round_trip_seconds_bucket{le=\"1\"} 3\n") != std::string::npos);
  CHECK(text.find("pintar_p2apst_round_trip_seconds_bucket{le=\"60\"} 3\n") != std::string::npos);
  CHECK(text.find("pintar_p2apst_round_trip_seconds_bucket{le=\"+Inf\"} 4\n") != std::string::npos);
  CHECK(text.find("pintar_p2apst_round_trip_seconds_sum 120.706\n") != std::string::npos);
  CHECK(text.ends_with("pintar_p2apst_round_trip_seconds_count 4\n"));
}

TEST_CASE("exposition: a labelled histogram puts le last") {
  Histogram histogram(kLatency);
  Registry registry;
  registry.add(histogram, {{"smsc", "a"}});
  const std::string text = expose(registry);
  CHECK(text.find("pintar_p2apst_round_trip_seconds_bucket{smsc=\"a\",le=\"0.001\"} 0\n") != std::string::npos);
  CHECK(text.find("pintar_p2apst_round_trip_seconds_count{smsc=\"a\"} 0\n") != std::string::npos);
}

TEST_CASE("registry: bad names, bad labels and a series exported twice are refused") {
  constexpr CounterSpec kBad[] = {{"Gateway.MoStored", ""}, {"gateway.ok", ""}};
  Counters<TestCounter> bad(kBad);
  Registry names;
  names.add(bad);
  CHECK(names.validate().code() == StatusCode::kInvalidArgument);

  Counters<TestCounter> good(kTestCounters);
  Registry labels;
  labels.add(good, {{"le", "x"}});
  CHECK(labels.validate().code() == StatusCode::kInvalidArgument);

  Registry twice;
  twice.add(good, {{"smsc", "a"}});
  twice.add(good, {{"smsc", "a"}});
  CHECK(twice.validate().code() == StatusCode::kInvalidArgument);
  Registry distinct;
  distinct.add(good, {{"smsc", "a"}});
  distinct.add(good, {{"smsc", "b"}});
  CHECK(distinct.validate().ok());
}

TEST_CASE("scrape: an exposition reads back as counters and histogram summaries") {
  Counters<TestCounter> counters(kTestCounters);
  counters.add(kRefused, 7);
  Histogram histogram(kLatency);
  for (int i = 0; i < 98; ++i) histogram.observe(15ms);  // le 0.02
  histogram.observe(400ms);                              // le 0.5
  histogram.observe(90s);                                // +Inf
  Registry registry;
  registry.add(counters, {{"smsc", "a\"b"}});
  registry.add(histogram);
  auto scrape = parse_exposition(expose(registry));
  REQUIRE(scrape.ok());
  const Summary summary = summarize(*scrape);
  REQUIRE(summary.counters.size() == 2);
  CHECK(summary.counters[1].name == "gateway_mo_refused");
  CHECK(summary.counters[1].value == 7);
  REQUIRE(summary.counters[1].labels.size() == 1);
  CHECK(summary.counters[1].labels[0].second == "a\"b");
  REQUIRE(summary.histograms.size() == 1);
  const HistogramSummary& h = summary.histograms[0];
  CHECK(h.name == "p2apst_round_trip");
  CHECK(h.labels.empty());
  CHECK(h.count == 100);
  CHECK(h.sum_seconds == Approx(98 * 0.015 + 0.4 + 90));
  CHECK(h.p50 == Approx(0.02));
  CHECK(h.p90 == Approx(0.02));
  CHECK(h.p99 == Approx(0.5));
}

TEST_CASE("scrape: a line that is not a sample is an error naming it") {
  auto scrape = parse_exposition("# TYPE x counter\nx 1\nnot a sample\n");
  REQUIRE_FALSE(scrape.ok());
  CHECK(scrape.status().code() == StatusCode::kCorruption);
  CHECK(scrape.status().message().find("line 3") != std::string::npos);
}

}  // namespace
}  // namespace pintar::metrics
