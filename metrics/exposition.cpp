#include "metrics/exposition.h"

#include <map>
#include <vector>

#include <fmt/format.h>

namespace pintar::metrics {
namespace {

// The format's escapes: backslash and newline everywhere, the double quote in label values.
std::string escape(std::string_view text, bool quote) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || (quote && c == '"')) {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// {a="x",b="y"}, with `extra` (already formatted, e.g. le="0.5") last; empty when no labels.
std::string label_text(const Labels& labels, std::string_view extra = {}) {
  if (labels.empty() && extra.empty()) return "";
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ',';
    out += fmt::format("{}=\"{}\"", name, escape_label_value(value));
  }
  if (!extra.empty()) {
    if (out.size() > 1) out += ',';
    out += extra;
  }
  return out + "}";
}

// Families in first-seen order, each with its header and its series lines.
class Families {
 public:
  std::string& family(const std::string& name, std::string_view help, std::string_view type) {
    auto [it, inserted] = index_.try_emplace(name, bodies_.size());
    if (inserted) bodies_.push_back(fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape(help, false), name, type));
    return bodies_[it->second];
  }
  std::string text() const {
    std::string out;
    for (const std::string& body : bodies_) out += body;
    return out;
  }

 private:
  std::map<std::string, size_t> index_;
  std::vector<std::string> bodies_;
};

}  // namespace

std::string family_name(std::string_view name, std::string_view suffix) {
  std::string out = "pintar_";
  for (char c : name) out += (c == '.') ? '_' : c;
  out += suffix;
  return out;
}

std::string escape_label_value(std::string_view value) { return escape(value, true); }

std::string expose(const Registry& registry) {
  Families families;
  for (const Registry::CounterSource& source : registry.counters()) {
    const auto specs = source.counters->specs();
    for (size_t i = 0; i < specs.size(); ++i) {
      const std::string name = family_name(specs[i].name, "_total");
      families.family(name, specs[i].description, "counter") +=
          fmt::format("{}{} {}\n", name, label_text(source.labels), source.counters->value_at(i));
    }
  }
  for (const Registry::HistogramSource& source : registry.histograms()) {
    const HistogramSpec& spec = source.histogram->spec();
    const std::string name = family_name(spec.name, "_seconds");
    std::string& body = families.family(name, spec.description, "histogram");
    const Histogram::Snapshot snapshot = source.histogram->snapshot();
    uint64_t cumulative = 0;
    for (size_t i = 0; i < Histogram::kBuckets; ++i) {
      cumulative += snapshot.counts[i];
      const std::string le = i < Histogram::kBoundsMs.size()
                                 ? fmt::format("le=\"{}\"", static_cast<double>(Histogram::kBoundsMs[i]) / 1000.0)
                                 : std::string("le=\"+Inf\"");
      body += fmt::format("{}_bucket{} {}\n", name, label_text(source.labels, le), cumulative);
    }
    body += fmt::format("{}_sum{} {}\n", name, label_text(source.labels), snapshot.sum_seconds());
    body += fmt::format("{}_count{} {}\n", name, label_text(source.labels), snapshot.count);
  }
  return families.text();
}

}  // namespace pintar::metrics
