#include "metrics/registry.h"

#include <set>

#include <fmt/format.h>

namespace pintar::metrics {
namespace {

bool valid_label_name(const std::string& name) {
  if (name.empty() || name == "le") return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!(alpha || (i > 0 && c >= '0' && c <= '9'))) return false;
  }
  return true;
}

std::string series_key(std::string_view name, const Labels& labels) {
  std::string key(name);
  for (const auto& [label, value] : labels) key += fmt::format("\x1f{}={}", label, value);
  return key;
}

}  // namespace

Status Registry::validate() const {
  std::set<std::string> seen;
  auto check = [&seen](std::string_view name, const Labels& labels) -> Status {
    if (!valid_counter_name(name)) return Status::invalid_argument(fmt::format("metric {}: not module.snake_case", name));
    for (const auto& [label, value] : labels) {
      if (!valid_label_name(label)) return Status::invalid_argument(fmt::format("metric {}: bad label {}", name, label));
    }
    if (!seen.insert(series_key(name, labels)).second) {
      return Status::invalid_argument(fmt::format("metric {}: exported twice with the same labels", name));
    }
    return Status();
  };
  for (const CounterSource& source : counters_) {
    for (const CounterSpec& spec : source.counters->specs()) {
      if (Status status = check(spec.name, source.labels); !status.ok()) return status;
    }
  }
  for (const HistogramSource& source : histograms_) {
    if (Status status = check(source.histogram->spec().name, source.labels); !status.ok()) return status;
  }
  return Status();
}

}  // namespace pintar::metrics
