#include "common/config.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace pintar::config {

struct Config::Document {
  toml::table table;
};

namespace {

// "smsc[3].binds[0].host" -> "smsc[].binds[].host": how a concrete path is declared.
std::string declared_form(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  bool in_index = false;
  for (char c : path) {
    if (c == '[') {
      in_index = true;
      out += "[]";
    } else if (c == ']') {
      in_index = false;
    } else if (!in_index) {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    out.emplace_back(text.substr(start, comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

bool in_choices(std::string_view value, std::string_view choices) {
  if (choices.empty()) return true;
  size_t start = 0;
  while (true) {
    const size_t bar = choices.find('|', start);
    if (choices.substr(start, bar - start) == value) return true;
    if (bar == std::string_view::npos) return false;
    start = bar + 1;
  }
}

// Walks a parsed file against the schema and collects every problem.
class Validator {
 public:
  Validator(const Schema& schema, std::string_view source) : schema_(schema), source_(source) {}

  void check_table(const toml::table& table, const std::string& prefix) {
    for (const auto& [key, node] : table) {
      const std::string path = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
      check_node(node, path, key.source());
    }
    check_required(table, prefix);
  }

  std::vector<std::string> errors;

 private:
  void check_node(const toml::node& node, const std::string& path, const toml::source_region& key_source) {
    if (const Key* key = schema_.find(declared_form(path))) {
      check_value(node, *key, path);
      return;
    }
    if (const toml::table* table = node.as_table(); table != nullptr && schema_.has_keys_under(path)) {
      check_table(*table, path);
      return;
    }
    if (const toml::array* array = node.as_array();
        array != nullptr && array->is_array_of_tables() && schema_.has_keys_under(path + "[]")) {
      for (size_t i = 0; i < array->size(); ++i) check_table(*array->get(i)->as_table(), fmt::format("{}[{}]", path, i));
      return;
    }
    report_at(key_source, path, "unknown key");
  }

  void check_value(const toml::node& node, const Key& key, const std::string& path) {
    switch (key.type) {
      case Type::kString: {
        const auto* value = node.as_string();
        if (value == nullptr) return wrong_type(node, key, path);
        if (!in_choices(value->get(), key.choices)) {
          report(node, path, fmt::format("\"{}\" is not one of {}", value->get(), key.choices));
        }
        return;
      }
      case Type::kInteger: {
        const auto* value = node.as_integer();
        if (value == nullptr) return wrong_type(node, key, path);
        if (value->get() < key.min || value->get() > key.max) {
          report(node, path, fmt::format("{} is out of range {}..{}", value->get(), key.min, key.max));
        }
        return;
      }
      case Type::kBoolean:
        if (!node.is_boolean()) wrong_type(node, key, path);
        return;
      case Type::kStringList: {
        const auto* array = node.as_array();
        if (array == nullptr || !array->is_homogeneous(toml::node_type::string)) {
          if (array == nullptr || !array->empty()) wrong_type(node, key, path);
        }
        return;
      }
      case Type::kStringMap: {
        const auto* table = node.as_table();
        if (table == nullptr) return wrong_type(node, key, path);
        for (const auto& [name, value] : *table) {
          if (!value.is_string()) report(value, path + "." + std::string(name.str()), "expected a string");
        }
        return;
      }
    }
  }

  // Required keys directly under this table (not inside a nested array of tables, which
  // is checked per element).
  void check_required(const toml::table& table, const std::string& prefix) {
    const std::string declared_prefix = prefix.empty() ? "" : declared_form(prefix) + ".";
    for (const Key& key : schema_.keys()) {
      if (!key.required || !key.path.starts_with(declared_prefix)) continue;
      const std::string_view rest = key.path.substr(declared_prefix.size());
      if (rest.find('[') != std::string_view::npos || table.at_path(rest)) continue;
      errors.push_back(fmt::format("{}: {}{}: required key is missing", source_, prefix.empty() ? "" : prefix + ".", rest));
    }
  }

  void wrong_type(const toml::node& node, const Key& key, const std::string& path) {
    report(node, path, fmt::format("expected {}", type_name(key.type)));
  }

  void report(const toml::node& node, const std::string& path, const std::string& problem) {
    report_at(node.source(), path, problem);
  }

  void report_at(const toml::source_region& region, const std::string& path, const std::string& problem) {
    errors.push_back(fmt::format("{}:{}:{}: {}: {}", source_, region.begin.line, region.begin.column, path, problem));
  }

  const Schema& schema_;
  std::string_view source_;
};

constexpr Key kCommonKeys[] = {
    {.path = "log.level", .type = Type::kString, .default_value = "info",
     .description = "Lowest severity written to the log.", .choices = "trace|debug|info|warn|error|off"},
    {.path = "log.format", .type = Type::kString, .default_value = "text",
     .description = "text: one human-readable line per event; json: one JSON object per line (for log shippers).",
     .choices = "text|json"},
    {.path = "state_dir", .type = Type::kString, .default_value = "/var/lib/pintar",
     .description = "Directory for databases and queues; relative paths in other keys are resolved against it. "
                    "The systemd units set it through StateDirectory=."},
};

}  // namespace

std::string_view type_name(Type type) {
  switch (type) {
    case Type::kString: return "a string";
    case Type::kInteger: return "an integer";
    case Type::kBoolean: return "a boolean";
    case Type::kStringList: return "an array of strings";
    case Type::kStringMap: return "a table of strings";
  }
  return "?";
}

std::span<const Key> common_keys() { return kCommonKeys; }

void Schema::add(std::span<const Key> keys) { keys_.insert(keys_.end(), keys.begin(), keys.end()); }

const Key* Schema::find(std::string_view declared_path) const {
  const auto it = std::find_if(keys_.begin(), keys_.end(), [&](const Key& k) { return k.path == declared_path; });
  return it == keys_.end() ? nullptr : &*it;
}

bool Schema::has_keys_under(std::string_view table_path) const {
  const std::string declared = declared_form(table_path);
  return std::any_of(keys_.begin(), keys_.end(), [&](const Key& k) {
    return k.path.size() > declared.size() && k.path.starts_with(declared) &&
           (k.path[declared.size()] == '.' || k.path[declared.size()] == '[');
  });
}

std::string Schema::markdown() const {
  std::string out = "| key | type | default | allowed | description |\n|---|---|---|---|---|\n";
  for (const Key& key : keys_) {
    std::string allowed;
    if (!key.choices.empty()) {
      allowed = std::string(key.choices);
      std::replace(allowed.begin(), allowed.end(), '|', ',');
    } else if (key.type == Type::kInteger &&
               (key.min != std::numeric_limits<int64_t>::min() || key.max != std::numeric_limits<int64_t>::max())) {
      allowed = fmt::format("{}..{}", key.min, key.max);
    }
    const std::string deflt = key.required ? "(required)" : key.default_value.empty() ? "" : fmt::format("`{}`", key.default_value);
    out += fmt::format("| `{}` | {} | {} | {} | {} |\n", key.path, type_name(key.type).substr(type_name(key.type).find(' ') + 1),
                       deflt, allowed, key.description);
  }
  return out;
}

Config::Config(std::shared_ptr<const Document> document, std::shared_ptr<const Schema> schema, std::string source_name)
    : document_(std::move(document)), schema_(std::move(schema)), source_name_(std::move(source_name)) {}

Result<Config> Config::parse(std::string_view text, std::string_view source_name, const Schema& schema) {
  auto document = std::make_shared<Document>();
  try {
    document->table = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::invalid_argument(fmt::format("{}:{}:{}: {}", source_name, where.line, where.column, e.description()));
  }
  Validator validator(schema, source_name);
  validator.check_table(document->table, "");
  if (!validator.errors.empty()) {
    std::string message;
    for (const auto& e : validator.errors) message += (message.empty() ? "" : "\n") + e;
    return Status::invalid_argument(message);
  }
  return Config(std::move(document), std::make_shared<Schema>(schema), std::string(source_name));
}

Result<Config> Config::load(const std::string& path, const Schema& schema) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(fmt::format("{}: cannot open the configuration file", path));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse(text, path, schema);
}

Config Config::defaults(const Schema& schema) {
  return Config(std::make_shared<Document>(), std::make_shared<Schema>(schema), "(built-in defaults)");
}

const Key* Config::declared(std::string_view path, Type type) const {
  const Key* key = schema_->find(declared_form(path));
  assert(key != nullptr && key->type == type && "config key read with an undeclared path or type");
  return key != nullptr && key->type == type ? key : nullptr;
}

std::string Config::string(std::string_view path) const {
  const Key* key = declared(path, Type::kString);
  if (key == nullptr) return {};
  if (auto value = document_->table.at_path(path).value<std::string>()) return *value;
  return std::string(key->default_value);
}

int64_t Config::integer(std::string_view path) const {
  const Key* key = declared(path, Type::kInteger);
  if (key == nullptr) return 0;
  if (auto value = document_->table.at_path(path).value<int64_t>()) return *value;
  int64_t fallback = 0;
  std::from_chars(key->default_value.data(), key->default_value.data() + key->default_value.size(), fallback);
  return fallback;
}

bool Config::boolean(std::string_view path) const {
  const Key* key = declared(path, Type::kBoolean);
  if (key == nullptr) return false;
  if (auto value = document_->table.at_path(path).value<bool>()) return *value;
  return key->default_value == "true";
}

std::vector<std::string> Config::strings(std::string_view path) const {
  const Key* key = declared(path, Type::kStringList);
  if (key == nullptr) return {};
  const toml::array* array = document_->table.at_path(path).as_array();
  if (array == nullptr) return split_list(key->default_value);
  std::vector<std::string> out;
  for (const toml::node& element : *array) out.push_back(element.value_or(std::string()));
  return out;
}

std::map<std::string, std::string> Config::string_map(std::string_view path) const {
  if (declared(path, Type::kStringMap) == nullptr) return {};
  std::map<std::string, std::string> out;
  if (const toml::table* table = document_->table.at_path(path).as_table()) {
    for (const auto& [name, value] : *table) out.emplace(std::string(name.str()), value.value_or(std::string()));
  }
  return out;
}

size_t Config::count(std::string_view array_path) const {
  const toml::array* array = document_->table.at_path(array_path).as_array();
  return array == nullptr ? 0 : array->size();
}

bool Config::is_set(std::string_view path) const { return static_cast<bool>(document_->table.at_path(path)); }

}  // namespace pintar::config
