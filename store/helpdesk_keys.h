// HelpdeskKeyStore: the helpdesk's API keys, in the ledger file (table helpdesk_keys,
// schema revision 7).
//
// A key as given to a person is "phk_<key id>_<secret>": the key id (16 hex digits) names the
// row, the secret (64 hex digits, 32 random bytes) proves it. Only SHA-256 of the secret is
// stored. An unkeyed hash suffices here, unlike PINs (store/pin.h): a 256-bit random secret
// cannot be found by trying values, so whoever reads the file learns nothing usable.
// Checks compare the hashes in constant time (helpdesk/access.h).
//
// Every read goes to the file, so a key revoked by another process (`pintar helpdesk keys
// revoke`) stops working at the next request. Names are unique (revoked ones included, so an
// audit line's name stays unambiguous).
//
// Thread-safe: one connection behind a mutex.
#ifndef PINTAR_STORE_HELPDESK_KEYS_H_
#define PINTAR_STORE_HELPDESK_KEYS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto.h"
#include "common/status.h"
#include "store/sqlite_ledger.h"

namespace pintar::store {

struct HelpdeskKey {
  std::string key_id{};  // 16 lower-case hex digits
  std::string name{};    // 1..64 bytes: who holds it ("budi", "ops-laptop")
  std::string role{};    // "viewer" | "operator" | "admin"
  int64_t created_ms = 0;
  std::optional<int64_t> revoked_ms{};
  crypto::Sha256Digest secret_hash{};
};

class HelpdeskKeyStore {
 public:
  // Opens (creating and migrating when allowed) the ledger file of `options`.
  static Result<std::unique_ptr<HelpdeskKeyStore>> open(const LedgerOptions& options);
  ~HelpdeskKeyStore();

  // AlreadyExists when the name or key id is taken; InvalidArgument for a malformed field.
  Status add(const HelpdeskKey& key);
  // Every key, revoked ones too, by name.
  Result<std::vector<HelpdeskKey>> list();
  // NotFound when no key has this name; FailedPrecondition when it is revoked already.
  Status revoke(std::string_view name, int64_t at_ms);
  Result<std::optional<HelpdeskKey>> find(std::string_view key_id);

 private:
  struct Impl;
  explicit HelpdeskKeyStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pintar::store

#endif  // PINTAR_STORE_HELPDESK_KEYS_H_
