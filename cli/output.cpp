#include "cli/output.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace pintar::cli {
namespace {

std::string scalar_text(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// Flattens an object into (dotted label, text) rows; arrays of scalars join with ", ".
void flatten(const nlohmann::json& value, const std::string& label, std::vector<std::pair<std::string, std::string>>& rows) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) flatten(item, label.empty() ? key : label + "." + key, rows);
    return;
  }
  if (value.is_array()) {
    const bool scalars = std::all_of(value.begin(), value.end(), [](const auto& v) { return !v.is_structured(); });
    if (scalars) {
      std::string joined;
      for (const auto& item : value) joined += (joined.empty() ? "" : ", ") + scalar_text(item);
      rows.emplace_back(label, joined.empty() ? "-" : joined);
      return;
    }
    for (size_t i = 0; i < value.size(); ++i) flatten(value[i], fmt::format("{}[{}]", label, i), rows);
    return;
  }
  rows.emplace_back(label, scalar_text(value));
}

void print_object(const nlohmann::json& object) {
  std::vector<std::pair<std::string, std::string>> rows;
  flatten(object, "", rows);
  size_t width = 10;
  for (const auto& row : rows) width = std::max(width, row.first.size() + 1);
  for (const auto& [label, text] : rows) fmt::print("{:<{}} {}\n", label, width, text);
}

}  // namespace

CLI::Option* add_format_option(CLI::App& command, std::string& format) {
  return command.add_option("--format", format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
}

void print_json(const nlohmann::json& document) { fmt::print("{}\n", document.dump(2)); }

void print_text(const nlohmann::json& document) {
  if (!document.is_array()) {
    if (document.is_object()) return print_object(document);
    return (void)fmt::print("{}\n", scalar_text(document));
  }
  for (size_t i = 0; i < document.size(); ++i) {
    if (i > 0) fmt::print("\n");
    print_text(document[i]);
  }
}

void print_as(const std::string& format, const nlohmann::json& document) {
  if (format == "json") return print_json(document);
  print_text(document);
}

}  // namespace pintar::cli
