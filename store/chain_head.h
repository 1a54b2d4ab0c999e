// The heads of the hash chains (table chain_heads) and how a writer extends a chain, keyed
// or not (chain.h, chain_key.h). Private to store/: used by the ledger's writer and by the
// P2APST purchase journal, which append to chains from their own connections.
//
// A chain is keyed from row keyed_from on (chain_heads.keyed_from; NULL = plain chain). A
// process without the chain key cannot extend a keyed chain (FailedPrecondition), and one
// with the key does not silently extend a plain chain either: keying an existing chain is an
// operator's act (`pintar ledger migrate` with the key), since the first MAC vouches for
// everything before it. Pure data plus statements of the caller's connection; not
// synchronised.
#ifndef PINTAR_STORE_CHAIN_HEAD_H_
#define PINTAR_STORE_CHAIN_HEAD_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/crypto.h"
#include "common/status.h"
#include "sqlite/connection.h"
#include "store/chain_key.h"

namespace pintar::store {

struct ChainHead {
  int64_t seq = 0;
  crypto::Sha256Digest hash{};
  std::optional<int64_t> keyed_from;  // first seq carrying a row MAC; nullopt: not keyed
  bool moved = false;                 // rows appended since load_head()
};

struct ChainLink {
  int64_t seq = 0;
  crypto::Sha256Digest hash{};
  std::optional<crypto::Sha256Digest> mac;  // set when the chain is keyed
};

// The columns load_head() reads and store_head() writes, in this order.
inline constexpr std::string_view kChainHeadGetSql =
    "SELECT seq, row_hash, keyed_from, head_mac FROM chain_heads WHERE chain = ?";
inline constexpr std::string_view kChainHeadPutSql =
    "UPDATE chain_heads SET seq = ?, row_hash = ?, head_mac = ? WHERE chain = ?";

// The link of the row after `head`, whose canonical encoding (for seq = head.seq + 1) is
// `canonical`. FailedPrecondition when the chain is keyed and `key` is null, or the other
// way round.
Result<ChainLink> next_link(std::string_view chain, const ChainHead& head, std::string_view canonical,
                            const ChainKey* key);
void advance(ChainHead& head, const ChainLink& link);

// Reads the head of `chain` with `get` (kChainHeadGetSql); Corruption when it is missing or
// malformed.
Status load_head(sqlite::Statement& get, std::string_view chain, ChainHead& head);
// Writes it back with `put` (kChainHeadPutSql), with its head MAC when keyed; nothing when
// the head did not move.
Status store_head(sqlite::Statement& put, std::string_view chain, const ChainHead& head, const ChainKey* key);

// Run at open by a process that writes chained rows, outside any transaction. With a key:
// FailedPrecondition when the file was keyed with another key (meta chain_key_id); when
// `seal`, keys every chain not yet keyed (keyed_from = its head seq + 1, head MAC) and
// records the key id. Without a key: nothing.
Status prepare_chain_key(sqlite::Connection& db, const ChainKey* key, bool seal, std::string_view file_name);

}  // namespace pintar::store

#endif  // PINTAR_STORE_CHAIN_HEAD_H_
