// Config: the one TOML file every pintar daemon reads, checked against a schema.
//
// Each module declares its keys in a table of config::Key (path, type, default, range,
// description) and exposes it; cli/ assembles the full Schema. Loading validates the whole
// file before anything starts: unknown keys, wrong types and out-of-range values are all
// reported at once, each with "file:line:column: key.path: problem" (the caller exits 78).
// docs/configuration.md is generated from the same tables (`pintar config keys`).
//
// Arrays of tables ([[smsc]]) are declared with "[]" in the path ("smsc[].host") and read
// with an index ("smsc[0].host"). A Config is immutable after loading and may be shared
// between threads.
#ifndef PINTAR_COMMON_CONFIG_H_
#define PINTAR_COMMON_CONFIG_H_

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace pintar::config {

enum class Type {
  kString,
  kInteger,
  kBoolean,
  kStringList,  // array of strings
  kStringMap,   // table whose keys are free-form and whose values are strings
};

std::string_view type_name(Type type);

struct Key {
  std::string_view path;
  Type type;
  // The value used when the file does not set the key, written as text: "5000", "true",
  // "FULL", "a,b" for a list. Empty for a list/map means empty; for a required key unused.
  std::string_view default_value;
  std::string_view description;
  int64_t min = std::numeric_limits<int64_t>::min();  // integers only
  int64_t max = std::numeric_limits<int64_t>::max();
  std::string_view choices = {};  // strings only: "text|json"; empty = any
  bool required = false;
};

class Schema {
 public:
  void add(std::span<const Key> keys);
  // Finds a key by its declared path ("smsc[].host"); nullptr when not declared.
  const Key* find(std::string_view declared_path) const;
  const std::vector<Key>& keys() const { return keys_; }
  // True when some declared key lies under this table path ("smsc[]", "ledger").
  bool has_keys_under(std::string_view table_path) const;
  // A Markdown table of every key, for docs/configuration.md.
  std::string markdown() const;

 private:
  std::vector<Key> keys_;
};

class Config {
 public:
  // Parses and validates TOML text; source_name is used in error messages.
  static Result<Config> parse(std::string_view text, std::string_view source_name, const Schema& schema);
  static Result<Config> load(const std::string& path, const Schema& schema);
  // Every key at its default (what `pintar demo` runs on).
  static Config defaults(const Schema& schema);

  // Readers. The path must be declared in the schema with that type (a bug otherwise:
  // asserts in debug builds, returns an empty value in release builds). Unset keys yield
  // their default.
  std::string string(std::string_view path) const;
  int64_t integer(std::string_view path) const;
  bool boolean(std::string_view path) const;
  std::vector<std::string> strings(std::string_view path) const;
  std::map<std::string, std::string> string_map(std::string_view path) const;
  // Number of elements of an array of tables ("smsc"); 0 when absent.
  size_t count(std::string_view array_path) const;
  // Whether the file sets this key.
  bool is_set(std::string_view path) const;

  const std::string& source_name() const { return source_name_; }

 private:
  struct Document;  // the parsed TOML tree
  Config(std::shared_ptr<const Document> document, std::shared_ptr<const Schema> schema, std::string source_name);
  const Key* declared(std::string_view path, Type type) const;

  std::shared_ptr<const Document> document_;
  std::shared_ptr<const Schema> schema_;
  std::string source_name_;
};

// Keys that belong to no module: logging and the state directory.
std::span<const Key> common_keys();

}  // namespace pintar::config

#endif  // PINTAR_COMMON_CONFIG_H_
