#include "vending/engine/engine_keys.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "common/crypto.h"
#include "common/hex.h"
#include "vending/sts/key_wrap.h"

namespace pintar::engine {
namespace {

// A line of the keyring without its comment, split at single or repeated blanks.
std::vector<std::string_view> words_of(std::string_view line) {
  if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

bool is_meter_number(std::string_view text) {
  if (text.size() != 11) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Reads a key file after checking its mode: a Secret, so the bytes are wiped when dropped.
Result<Secret> load_checked(std::string_view source) {
  auto path = key_file_path(source);
  if (!path.ok()) return path.status();
  if (!path->empty()) PINTAR_RETURN_IF_ERROR(check_key_file_mode(*path));
  const bool has_kind = source.find(':') != std::string_view::npos;
  return Secret::load(has_kind ? std::string(source) : "file:" + std::string(source));
}

}  // namespace

Result<std::string> key_file_path(std::string_view source) {
  const auto colon = source.find(':');
  if (colon == std::string_view::npos) return std::string(source);
  const std::string_view kind = source.substr(0, colon);
  const std::string where(source.substr(colon + 1));
  if (kind == "file" || kind == "hexfile") return where;
  if (kind == "credential") {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (dir == nullptr) return Status::not_found(fmt::format("credential {}: CREDENTIALS_DIRECTORY is not set", where));
    return std::string(dir) + "/" + where;
  }
  if (kind == "env" || kind == "hex") return std::string();
  return Status::invalid_argument(fmt::format("unknown key source kind '{}'", kind));
}

Status check_key_file_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::not_found(fmt::format("key file {}: {}", path, std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) return Status::failed_precondition(fmt::format("key file {} is not a regular file", path));
  // Group write, or anything for others: someone who is not the service could read or swap it.
  if ((st.st_mode & (S_IWGRP | S_IXGRP | S_IRWXO)) != 0) {
    return Status::failed_precondition(
        fmt::format("key file {} has mode {:04o}; keys must be 0600 or 0640 (chmod 600 {})", path,
                    st.st_mode & 07777, path));
  }
  return Status::ok_status();
}

Result<std::unique_ptr<meters::ModemKeyring>> load_modem_keyring(std::string_view source) {
  auto content = load_checked(source);
  if (!content.ok()) return content.status().with_context("modem keyring");
  auto keyring = std::make_unique<meters::MemoryKeyring>();
  const auto bytes = content->bytes();
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  size_t line_no = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    const auto words = words_of(line);
    if (words.empty()) continue;
    auto error = [&](std::string_view why) {
      return Status::invalid_argument(fmt::format("modem keyring line {}: {}", line_no, why));
    };
    if (words.size() != 3) return error("takes three words: key id, meter number, key in hex");
    if (!is_meter_number(words[1])) return error("the meter number has 11 digits");
    auto key = hex_decode(words[2]);
    if (!key.ok()) return error("the key is not hex");  // never the hex decoder's message: it may quote
    Secret secret(std::move(key).value());
    if (Status added = keyring->add(words[0], words[1], std::move(secret)); !added.ok()) {
      return error(added.message());
    }
  }
  return std::unique_ptr<meters::ModemKeyring>(std::move(keyring));
}

Result<std::vector<uint8_t>> wrap_vending_key(const Secret& kek, std::span<const uint8_t> vending_key) {
  if (vending_key.size() != 8 && vending_key.size() != 20) {
    return Status::invalid_argument("a vending key has 8 bytes (DKGA02) or 20 bytes (DKGA04)");
  }
  return sts::wrap_key(kek, vending_key, kVendingKeyContext);
}

Result<sts::VendingKey> load_vending_key(std::string_view wrapped_source, std::string_view kek_source) {
  auto kek = load_checked(kek_source);
  if (!kek.ok()) return kek.status().with_context("key-encryption key");
  if (kek->size() != sts::kKekSize) {
    return Status::invalid_argument(fmt::format("key-encryption key: must be {} bytes", sts::kKekSize));
  }
  auto wrapped = load_checked(wrapped_source);
  if (!wrapped.ok()) return wrapped.status().with_context("vending key");
  auto key = sts::unwrap_key(*kek, wrapped->bytes(), kVendingKeyContext);
  if (!key.ok()) return key.status().with_context("vending key");
  const size_t size = key->size();
  if (size != 8 && size != 20) {
    return Status::invalid_argument("vending key: unwraps to neither 8 bytes (DKGA02) nor 20 bytes (DKGA04)");
  }
  auto vk = sts::VendingKey::import(size == 8 ? sts::KeyDerivation::kDkga02 : sts::KeyDerivation::kDkga04,
                                    key->bytes());
  if (!vk.ok()) return vk.status().with_context("vending key");
  return vk;
}

}  // namespace pintar::engine
