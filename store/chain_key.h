// The chain key: what turns the plain hash chains (chain.h) into evidence against someone
// who can write the ledger file.
//
// A plain SHA-256 chain catches accidental damage only: whoever can write the file can
// rewrite a row and recompute every later hash. So each chained row also carries
//   row_mac  = HMAC-SHA-256(chain key, field("pintar.chain.row.v1") ‖ field(chain) ‖ field(seq) ‖ field(row_hash))
// and each chain head (chain_heads) carries
//   head_mac = HMAC-SHA-256(chain key, field("pintar.chain.head.v1") ‖ field(chain) ‖ field(seq) ‖
//                                      field(row_hash) ‖ field(keyed_from))
// with field() as in chain.h (row_hash as its 32 raw bytes). Since row_hash already commits
// to every earlier row, one MAC vouches for the whole prefix: rows written before the chain
// was keyed (seq < keyed_from) are covered by the first MAC after them. The head MAC, in its
// own domain, stops a tamperer from cutting rows off the end and presenting an earlier row's
// hash as the head. What no key inside this design catches: putting back a whole older copy
// of the file (rollback); that needs a checkpoint kept elsewhere.
//
// The key lives outside the file (ledger.chain_key_secret, a systemd credential of the
// writing daemons only; the helpdesk does not get it). The file records only a key id,
// HMAC-SHA-256(key, "pintar.chain.key-id.v1") in hex, so a process holding the wrong key is
// refused instead of writing MACs nobody can check. Immutable after create(); thread-safe.
#ifndef PINTAR_STORE_CHAIN_KEY_H_
#define PINTAR_STORE_CHAIN_KEY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/crypto.h"
#include "common/secret.h"
#include "common/status.h"

namespace pintar::store {

inline constexpr size_t kMinChainKeyBytes = 32;

class ChainKey {
 public:
  // InvalidArgument when the key is shorter than kMinChainKeyBytes.
  static Result<ChainKey> create(Secret key);

  crypto::Sha256Digest row_mac(std::string_view chain, int64_t seq, const crypto::Sha256Digest& row_hash) const;
  crypto::Sha256Digest head_mac(std::string_view chain, int64_t seq, const crypto::Sha256Digest& row_hash,
                                int64_t keyed_from) const;
  // What meta('chain_key_id') holds for this key: 64 hex digits; reveals nothing of the key.
  const std::string& key_id() const { return key_id_; }

 private:
  explicit ChainKey(Secret key);
  Secret key_;
  std::string key_id_;
};

}  // namespace pintar::store

#endif  // PINTAR_STORE_CHAIN_KEY_H_
