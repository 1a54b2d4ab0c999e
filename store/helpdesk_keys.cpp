#include "store/helpdesk_keys.h"

#include <algorithm>
#include <mutex>

#include <fmt/format.h>

#include "sqlite/connection.h"
#include "store/side_connection.h"

namespace pintar::store {
namespace {

enum Statement : size_t { kInsert, kList, kRevoke, kFind, kCount };

constexpr std::string_view kSql[] = {
    "INSERT INTO helpdesk_keys (key_id, name, role, secret_hash, created_ms) VALUES (?, ?, ?, ?, ?)",
    "SELECT key_id, name, role, secret_hash, created_ms, revoked_ms FROM helpdesk_keys ORDER BY name",
    "UPDATE helpdesk_keys SET revoked_ms = ? WHERE name = ? AND revoked_ms IS NULL",
    "SELECT key_id, name, role, secret_hash, created_ms, revoked_ms FROM helpdesk_keys WHERE key_id = ?",
};
static_assert(std::size(kSql) == kCount);

HelpdeskKey read_key(const sqlite::Statement& row) {
  HelpdeskKey key{.key_id = row.text(0), .name = row.text(1), .role = row.text(2), .created_ms = row.integer(4)};
  const std::vector<uint8_t> hash = row.blob(3);
  std::copy_n(hash.begin(), std::min(hash.size(), key.secret_hash.size()), key.secret_hash.begin());
  if (!row.is_null(5)) key.revoked_ms = row.integer(5);
  return key;
}

}  // namespace

struct HelpdeskKeyStore::Impl {
  std::mutex mutex;
  sqlite::Connection db;
  std::array<sqlite::Statement, kCount> sql;
};

HelpdeskKeyStore::HelpdeskKeyStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HelpdeskKeyStore::~HelpdeskKeyStore() = default;

Result<std::unique_ptr<HelpdeskKeyStore>> HelpdeskKeyStore::open(const LedgerOptions& options) {
  auto impl = std::make_unique<Impl>();
  auto db = open_side_connection(options, options.synchronous, kSql, impl->sql);
  if (!db.ok()) return db.status();
  impl->db = std::move(*db);
  return std::unique_ptr<HelpdeskKeyStore>(new HelpdeskKeyStore(std::move(impl)));
}

Status HelpdeskKeyStore::add(const HelpdeskKey& key) {
  std::lock_guard lock(impl_->mutex);
  return impl_->sql[kInsert]
      .bind(key.key_id, key.name, key.role, std::span<const uint8_t>(key.secret_hash), key.created_ms)
      .run();
}

Result<std::vector<HelpdeskKey>> HelpdeskKeyStore::list() {
  std::lock_guard lock(impl_->mutex);
  sqlite::Cursor cursor(impl_->sql[kList].bind());
  std::vector<HelpdeskKey> keys;
  for (;;) {
    auto more = cursor.next();
    if (!more.ok()) return more.status();
    if (!*more) return keys;
    keys.push_back(read_key(cursor.statement()));
  }
}

Status HelpdeskKeyStore::revoke(std::string_view name, int64_t at_ms) {
  std::lock_guard lock(impl_->mutex);
  PINTAR_RETURN_IF_ERROR(impl_->sql[kRevoke].bind(at_ms, name).run());
  if (impl_->db.changes() == 1) return Status::ok_status();
  sqlite::Cursor cursor(impl_->sql[kList].bind());
  for (;;) {
    auto more = cursor.next();
    if (!more.ok()) return more.status();
    if (!*more) return Status::not_found(fmt::format("no helpdesk key named '{}'", name));
    if (cursor->text(1) == name) return Status::failed_precondition(fmt::format("key '{}' is revoked already", name));
  }
}

Result<std::optional<HelpdeskKey>> HelpdeskKeyStore::find(std::string_view key_id) {
  std::lock_guard lock(impl_->mutex);
  sqlite::Cursor cursor(impl_->sql[kFind].bind(key_id));
  auto found = cursor.next();
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<HelpdeskKey>();
  return std::optional<HelpdeskKey>(read_key(cursor.statement()));
}

}  // namespace pintar::store
