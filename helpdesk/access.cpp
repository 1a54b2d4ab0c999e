#include "helpdesk/access.h"

#include <algorithm>
#include <cctype>

#include "common/crypto.h"
#include "common/hex.h"

namespace pintar::helpdesk {
namespace {

constexpr std::string_view kPrefix = "phk_";
constexpr size_t kIdHex = 16;
constexpr size_t kSecretHex = 64;

crypto::Sha256Digest hash_secret(std::span<const uint8_t> secret) { return crypto::sha256(secret); }

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string lower_hex(std::span<const uint8_t> bytes) {
  std::string out = hex_encode(bytes);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<NewKey> make_key(std::string_view name, Role role, int64_t now_ms) {
  const bool printable = std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 0x7f; });
  if (name.empty() || name.size() > 64 || !printable) {
    return Status::invalid_argument("key name: 1 to 64 printable characters without spaces");
  }
  std::array<uint8_t, kIdHex / 2> id{};
  std::array<uint8_t, kSecretHex / 2> secret{};
  PINTAR_RETURN_IF_ERROR(crypto::random_bytes(id));
  PINTAR_RETURN_IF_ERROR(crypto::random_bytes(secret));
  NewKey key;
  key.row = {.key_id = lower_hex(id), .name = std::string(name), .role = std::string(role_name(role)),
             .created_ms = now_ms, .revoked_ms = std::nullopt, .secret_hash = hash_secret(secret)};
  key.text = std::string(kPrefix) + key.row.key_id + "_" + lower_hex(secret);
  std::fill(secret.begin(), secret.end(), 0);
  return key;
}

AccessResult Access::check(std::string_view presented, Role need) {
  AccessResult out;
  if (presented.size() != kPrefix.size() + kIdHex + 1 + kSecretHex || presented.substr(0, kPrefix.size()) != kPrefix ||
      presented[kPrefix.size() + kIdHex] != '_') {
    return out;
  }
  const std::string_view id = presented.substr(kPrefix.size(), kIdHex);
  const std::string_view secret_hex = presented.substr(kPrefix.size() + kIdHex + 1);
  if (!is_hex(id) || !is_hex(secret_hex)) return out;
  auto secret = hex_decode(secret_hex);
  if (!secret.ok()) return out;
  auto found = keys_.find(id);
  if (!found.ok()) {
    out.verdict = Verdict::kError;
    return out;
  }
  if (!found->has_value() || (*found)->revoked_ms) return out;
  const store::HelpdeskKey& key = **found;
  const crypto::Sha256Digest presented_hash = hash_secret(*secret);
  std::fill(secret->begin(), secret->end(), 0);
  if (!crypto::constant_time_equal(presented_hash, key.secret_hash)) return out;
  const std::optional<Role> role = parse_role(key.role);
  if (!role) return out;
  out.caller = Caller{.key_id = key.key_id, .name = key.name, .role = *role};
  if (!take_token(key.key_id)) {
    out.verdict = Verdict::kRateLimited;
  } else {
    out.verdict = allows(*role, need) ? Verdict::kAllowed : Verdict::kForbidden;
  }
  return out;
}

bool Access::take_token(const std::string& key_id) {
  const Clock::SteadyTime now = clock_.steady_now();
  const double capacity = static_cast<double>(rate_per_minute_);
  std::lock_guard lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace(key_id, Bucket{capacity, now});
  Bucket& b = it->second;
  if (!fresh) {
    const double elapsed_s = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(capacity, b.tokens + elapsed_s * capacity / 60.0);
    b.last = now;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace pintar::helpdesk
