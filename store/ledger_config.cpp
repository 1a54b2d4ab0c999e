#include "store/ledger_config.h"

#include <filesystem>
#include <memory>

namespace pintar::store {
namespace {

constexpr config::Key kLedgerKeys[] = {
    {.path = "ledger.path", .type = config::Type::kString, .default_value = "ledger.db",
     .description = "The SQLite ledger file; a relative path is taken from state_dir."},
    {.path = "ledger.synchronous", .type = config::Type::kString, .default_value = "FULL",
     .description = "SQLite synchronous level. FULL: a committed transaction survives power loss (fsync per "
                    "commit group). NORMAL may lose the last commits on power loss; OFF is for tests only.",
     .choices = "OFF|NORMAL|FULL|EXTRA"},
    {.path = "ledger.busy_timeout_ms", .type = config::Type::kInteger, .default_value = "5000",
     .description = "How long a connection waits for another process's write lock before failing.",
     .min = 0, .max = 600000},
    {.path = "ledger.group_commit_max_batch", .type = config::Type::kInteger, .default_value = "256",
     .description = "Most write sets folded into one database transaction (one fsync).", .min = 1, .max = 65536},
    {.path = "ledger.group_commit_max_wait_us", .type = config::Type::kInteger, .default_value = "0",
     .description = "Microseconds the writer may wait for more write sets before committing a group that is not "
                    "full; 0 commits what is queued at once (concurrent writers still share commits).",
     .min = 0, .max = 100000},
    {.path = "ledger.read_connections", .type = config::Type::kInteger, .default_value = "2",
     .description = "Read connections per process; reads beyond that wait for a free one.", .min = 1, .max = 64},
    {.path = "ledger.pin_key_secret", .type = config::Type::kString, .default_value = "credential:pin-key",
     .description = "Where the PIN key is (see Secret specs: credential:, file:, hexfile:, env:, hex:). PINs are "
                    "stored as HMAC-SHA-256 under this key, which is never kept in the database. At least 32 bytes."},
    {.path = "ledger.chain_key_secret", .type = config::Type::kString, .default_value = "credential:ledger-chain-key",
     .description = "Where the chain key is (a Secret spec, at least 32 bytes): the hash chains of transactions, "
                    "audit and the P2APST journal carry HMAC-SHA-256 MACs under it, so a row rewritten by someone "
                    "without it is detected. Give it to every daemon that writes the ledger (vending, and the helpdesk, whose actions are chained rows), never to a reader. "
                    "Empty, or a credential that is not present: plain SHA-256 chains (accidental damage only)."},
};

}  // namespace

std::span<const config::Key> config_keys() { return kLedgerKeys; }

LedgerOptions ledger_options(const config::Config& config) {
  LedgerOptions options;
  options.path = (std::filesystem::path(config.string("state_dir")) / config.string("ledger.path")).string();
  // The schema admits only the four names parse_synchronous() knows.
  options.synchronous = sqlite::parse_synchronous(config.string("ledger.synchronous")).value_or(sqlite::Synchronous::kFull);
  options.busy_timeout_ms = static_cast<int>(config.integer("ledger.busy_timeout_ms"));
  options.group_commit_max_batch = static_cast<size_t>(config.integer("ledger.group_commit_max_batch"));
  options.group_commit_max_wait = std::chrono::microseconds(config.integer("ledger.group_commit_max_wait_us"));
  options.read_connections = static_cast<int>(config.integer("ledger.read_connections"));
  return options;
}

Result<std::shared_ptr<const ChainKey>> chain_key(const config::Config& config) {
  const std::string spec = config.string("ledger.chain_key_secret");
  if (spec.empty()) return std::shared_ptr<const ChainKey>();
  auto key = Secret::load(spec);
  // A credential this process was not given is the helpdesk's normal case, not an error;
  // every other failure (an unreadable file, bad hex) is a configuration mistake.
  if (!key.ok() && key.status().code() == StatusCode::kNotFound && spec.starts_with("credential:")) {
    return std::shared_ptr<const ChainKey>();
  }
  if (!key.ok()) return key.status().with_context("ledger.chain_key_secret");
  auto chain_key = ChainKey::create(std::move(key).value());
  if (!chain_key.ok()) return chain_key.status().with_context("ledger.chain_key_secret");
  return std::shared_ptr<const ChainKey>(std::make_shared<const ChainKey>(std::move(chain_key).value()));
}

Result<PinHasher> pin_hasher(const config::Config& config) {
  auto key = Secret::load(config.string("ledger.pin_key_secret"));
  if (!key.ok()) return key.status().with_context("ledger.pin_key_secret");
  auto hasher = PinHasher::create(std::move(key).value());
  if (!hasher.ok()) return hasher.status().with_context("ledger.pin_key_secret");
  return hasher;
}

}  // namespace pintar::store
