#include "metrics/scrape.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

namespace pintar::metrics {
namespace {

std::string unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      ++i;
      out += text[i] == 'n' ? '\n' : text[i];
    } else {
      out += text[i];
    }
  }
  return out;
}

bool parse_value(std::string_view text, double& value) {
  if (text == "+Inf") {
    value = std::numeric_limits<double>::infinity();
    return true;
  }
  if (text == "-Inf") {
    value = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (text == "NaN") {
    value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end;
}

// name{a="x",b="y"} value [timestamp]
bool parse_sample(std::string_view line, Sample& sample) {
  size_t i = 0;
  while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
  sample.name = std::string(line.substr(0, i));
  if (sample.name.empty()) return false;
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      const size_t eq = line.find('=', i);
      if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"') return false;
      std::string label(line.substr(i, eq - i));
      size_t j = eq + 2;
      while (j < line.size() && line[j] != '"') j += line[j] == '\\' ? 2 : 1;
      if (j >= line.size()) return false;
      sample.labels.emplace_back(std::move(label), unescape(line.substr(eq + 2, j - eq - 2)));
      i = j + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) return false;
    ++i;  // '}'
  }
  while (i < line.size() && line[i] == ' ') ++i;
  std::string_view rest = line.substr(i);
  rest = rest.substr(0, rest.find(' '));  // a timestamp may follow
  return parse_value(rest, sample.value);
}

bool strip(std::string_view& name, std::string_view prefix, std::string_view suffix) {
  if (!name.starts_with(prefix) || !name.ends_with(suffix) || name.size() < prefix.size() + suffix.size()) return false;
  name = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  return true;
}

std::string short_name(std::string_view family, std::string_view suffix) {
  std::string_view name = family;
  if (name.starts_with("pintar_")) name.remove_prefix(7);
  if (name.ends_with(suffix)) name.remove_suffix(suffix.size());
  return std::string(name);
}

}  // namespace

Result<Scrape> parse_exposition(std::string_view text) {
  Scrape scrape;
  size_t number = 0;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.front() == '#') {
      std::string_view rest = line.substr(1);
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      const bool is_type = rest.starts_with("TYPE ");
      const bool is_help = rest.starts_with("HELP ");
      if (!is_type && !is_help) continue;  // a comment
      rest.remove_prefix(5);
      const size_t space = rest.find(' ');
      std::string family(rest.substr(0, space));
      std::string value = space == std::string_view::npos ? "" : std::string(rest.substr(space + 1));
      (is_type ? scrape.types : scrape.help).emplace_back(std::move(family), is_help ? unescape(value) : value);
      continue;
    }
    Sample sample;
    if (!parse_sample(line, sample)) {
      return Status::corruption(fmt::format("metrics line {}: not a sample: {}", number, line.substr(0, 120)));
    }
    scrape.samples.push_back(std::move(sample));
  }
  return scrape;
}

Summary summarize(const Scrape& scrape) {
  std::map<std::string, std::string> type_of(scrape.types.begin(), scrape.types.end());
  Summary summary;
  // Histogram series by (family, labels without le), in first-seen order.
  struct Series {
    std::string family;
    Labels labels;
    std::vector<std::pair<double, double>> buckets;  // (le, cumulative count)
    double sum = 0, count = 0;
  };
  std::vector<Series> series;
  auto series_for = [&series](const std::string& family, const Labels& labels) -> Series& {
    for (Series& s : series) {
      if (s.family == family && s.labels == labels) return s;
    }
    series.push_back({family, labels, {}, 0, 0});
    return series.back();
  };
  for (const Sample& sample : scrape.samples) {
    auto type = type_of.find(sample.name);
    if (type != type_of.end() && type->second == "counter") {
      summary.counters.push_back({short_name(sample.name, "_total"), sample.labels,
                                  static_cast<uint64_t>(std::llround(sample.value))});
      continue;
    }
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      std::string_view name = sample.name;
      if (!strip(name, "", suffix)) continue;
      auto family_type = type_of.find(std::string(name));
      if (family_type == type_of.end() || family_type->second != "histogram") continue;
      Labels labels;
      double le = 0;
      for (const auto& label : sample.labels) {
        if (label.first == "le") {
          parse_value(label.second, le);
        } else {
          labels.push_back(label);
        }
      }
      Series& s = series_for(std::string(name), labels);
      if (suffix == "_bucket") {
        s.buckets.emplace_back(le, sample.value);
      } else if (suffix == "_sum") {
        s.sum = sample.value;
      } else {
        s.count = sample.value;
      }
      break;
    }
  }
  for (const Series& s : series) {
    HistogramSummary h{.name = short_name(s.family, "_seconds"), .labels = s.labels,
                       .count = static_cast<uint64_t>(std::llround(s.count)), .sum_seconds = s.sum};
    auto quantile = [&s, &h](double q) {
      if (h.count == 0) return 0.0;
      const double rank = std::ceil(q * static_cast<double>(h.count));
      for (const auto& [le, cumulative] : s.buckets) {
        if (cumulative >= rank) return le;
      }
      return std::numeric_limits<double>::infinity();
    };
    h.p50 = quantile(0.5);
    h.p90 = quantile(0.9);
    h.p99 = quantile(0.99);
    summary.histograms.push_back(std::move(h));
  }
  return summary;
}

}  // namespace pintar::metrics
