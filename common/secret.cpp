#include "common/secret.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "common/crypto.h"
#include "common/hex.h"

namespace pintar {
namespace {

// How the bytes of a file: or credential: spec are taken.
enum class Form { kBinary, kText };

Result<std::string> read_file(const std::string& path, Form form) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(fmt::format("cannot read secret file {}", path));
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (form == Form::kText) {
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  }
  return content;
}

Result<Secret> from_hex(std::string_view text, std::string_view where) {
  auto bytes = hex_decode(text);
  if (!bytes.ok()) return bytes.status().with_context(fmt::format("secret {}", where));
  return Secret(std::move(bytes).value());
}

Result<Secret> from_raw(Result<std::string> content) {
  if (!content.ok()) return content.status();
  std::vector<uint8_t> bytes(content->begin(), content->end());
  crypto::cleanse({reinterpret_cast<uint8_t*>(content->data()), content->size()});
  return Secret(std::move(bytes));
}

Result<Secret> load_spec(std::string_view spec, Form form) {
  const auto colon = spec.find(':');
  if (colon == std::string_view::npos) {
    return Status::invalid_argument("secret spec must be file:, hexfile:, credential:, env: or hex:");
  }
  const std::string_view kind = spec.substr(0, colon);
  const std::string where(spec.substr(colon + 1));
  if (kind == "file") return from_raw(read_file(where, form));
  if (kind == "hexfile") {
    auto text = read_file(where, Form::kText);
    if (!text.ok()) return text.status();
    return from_hex(*text, "in " + where);
  }
  if (kind == "credential") {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (dir == nullptr) return Status::not_found(fmt::format("credential {}: CREDENTIALS_DIRECTORY is not set", where));
    return from_raw(read_file(std::string(dir) + "/" + where, form));
  }
  if (kind == "env") {
    const char* value = std::getenv(where.c_str());
    if (value == nullptr) return Status::not_found(fmt::format("environment variable {} is not set", where));
    return from_hex(value, "in $" + where);
  }
  if (kind == "hex") return from_hex(where, "given inline");
  return Status::invalid_argument(fmt::format("unknown secret kind '{}'", kind));
}

}  // namespace

Secret::~Secret() { crypto::cleanse(bytes_); }

bool Secret::operator==(const Secret& other) const { return crypto::constant_time_equal(bytes_, other.bytes_); }

Result<Secret> Secret::load(std::string_view spec) { return load_spec(spec, Form::kBinary); }

Result<Secret> Secret::load_text(std::string_view spec) { return load_spec(spec, Form::kText); }

}  // namespace pintar
