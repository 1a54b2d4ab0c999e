#include "store/chain_head.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "store/chain.h"

namespace pintar::store {
namespace {

std::span<const uint8_t> bytes_of(const crypto::Sha256Digest& digest) { return digest; }

}  // namespace

Result<ChainLink> next_link(std::string_view chain, const ChainHead& head, std::string_view canonical,
                            const ChainKey* key) {
  if (head.keyed_from && key == nullptr) {
    return Status::failed_precondition(fmt::format(
        "chain {} is keyed but this process has no chain key (ledger.chain_key_secret)", chain));
  }
  if (!head.keyed_from && key != nullptr) {
    return Status::failed_precondition(fmt::format(
        "chain {} is not keyed yet: check it with `pintar ledger verify`, then key it with `pintar ledger migrate` "
        "(with ledger.chain_key_secret)",
        chain));
  }
  ChainLink link{.seq = head.seq + 1, .hash = chain_hash(head.hash, canonical), .mac = std::nullopt};
  if (key != nullptr) link.mac = key->row_mac(chain, link.seq, link.hash);
  return link;
}

void advance(ChainHead& head, const ChainLink& link) {
  head.seq = link.seq;
  head.hash = link.hash;
  head.moved = true;
}

Status load_head(sqlite::Statement& get, std::string_view chain, ChainHead& head) {
  sqlite::Cursor row(get.bind(chain));
  auto found = row.next();
  if (!found.ok()) return found.status();
  if (!*found) return Status::corruption(fmt::format("chain_heads has no row for {}", chain));
  const std::vector<uint8_t> hash = row->blob(1);
  if (hash.size() != head.hash.size()) return Status::corruption(fmt::format("chain head of {} is damaged", chain));
  head.seq = row->integer(0);
  std::ranges::copy(hash, head.hash.begin());
  head.keyed_from = row->is_null(2) ? std::nullopt : std::optional<int64_t>(row->integer(2));
  head.moved = false;
  return Status::ok_status();
}

Status store_head(sqlite::Statement& put, std::string_view chain, const ChainHead& head, const ChainKey* key) {
  if (!head.moved) return Status::ok_status();
  std::optional<crypto::Sha256Digest> mac;
  if (head.keyed_from && key != nullptr) mac = key->head_mac(chain, head.seq, head.hash, *head.keyed_from);
  if (mac) return put.bind(head.seq, bytes_of(head.hash), bytes_of(*mac), chain).run();
  return put.bind(head.seq, bytes_of(head.hash), nullptr, chain).run();
}

Status prepare_chain_key(sqlite::Connection& db, const ChainKey* key, bool seal, std::string_view file_name) {
  if (key == nullptr) return Status::ok_status();
  PINTAR_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
  auto work = [&]() -> Status {
    auto id = db.prepare("SELECT value FROM meta WHERE key = 'chain_key_id'");
    if (!id.ok()) return id.status();
    auto found = id->step();
    if (!found.ok()) return found.status();
    const bool recorded = *found;
    if (recorded && !crypto::constant_time_equal(crypto::as_bytes(id->text(0)), crypto::as_bytes(key->key_id()))) {
      return Status::failed_precondition("ledger.chain_key_secret is not the key this ledger's chains are keyed with");
    }
    id->reset();
    if (!seal) return Status::ok_status();
    auto heads = db.prepare("SELECT chain, seq, row_hash FROM chain_heads WHERE keyed_from IS NULL");
    if (!heads.ok()) return heads.status();
    auto put = db.prepare("UPDATE chain_heads SET keyed_from = ?, head_mac = ? WHERE chain = ?");
    if (!put.ok()) return put.status();
    for (;;) {
      auto more = heads->step();
      if (!more.ok()) return more.status();
      if (!*more) break;
      const std::string chain = heads->text(0);
      const int64_t seq = heads->integer(1);
      const std::vector<uint8_t> hash_bytes = heads->blob(2);
      crypto::Sha256Digest hash{};
      if (hash_bytes.size() != hash.size()) return Status::corruption(fmt::format("chain head of {} is damaged", chain));
      std::ranges::copy(hash_bytes, hash.begin());
      PINTAR_RETURN_IF_ERROR(put->bind(seq + 1, bytes_of(key->head_mac(chain, seq, hash, seq + 1)), chain).run());
    }
    heads->reset();
    if (recorded) return Status::ok_status();
    auto record = db.prepare("INSERT INTO meta (key, value) VALUES ('chain_key_id', ?)");
    if (!record.ok()) return record.status();
    return record->bind(key->key_id()).run();
  }();
  if (!work.ok()) {
    (void)db.exec("ROLLBACK");
    return work.with_context(file_name);
  }
  return db.exec("COMMIT");
}

}  // namespace pintar::store
