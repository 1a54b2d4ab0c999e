#include "store/chain_key.h"

#include <fmt/format.h>

#include "common/hex.h"
#include "store/chain.h"

namespace pintar::store {
namespace {

std::string_view digest_text(const crypto::Sha256Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace

Result<ChainKey> ChainKey::create(Secret key) {
  if (key.size() < kMinChainKeyBytes) {
    return Status::invalid_argument(
        fmt::format("the chain key has {} bytes; at least {} are needed", key.size(), kMinChainKeyBytes));
  }
  return ChainKey(std::move(key));
}

ChainKey::ChainKey(Secret key) : key_(std::move(key)) {
  key_id_ = hex_encode(crypto::hmac_sha256(key_.bytes(), crypto::as_bytes("pintar.chain.key-id.v1")));
}

crypto::Sha256Digest ChainKey::row_mac(std::string_view chain, int64_t seq, const crypto::Sha256Digest& row_hash) const {
  CanonicalRow message;
  message.add(std::string_view("pintar.chain.row.v1")).add(chain).add(seq).add(digest_text(row_hash));
  return crypto::hmac_sha256(key_.bytes(), crypto::as_bytes(message.bytes()));
}

crypto::Sha256Digest ChainKey::head_mac(std::string_view chain, int64_t seq, const crypto::Sha256Digest& row_hash,
                                        int64_t keyed_from) const {
  CanonicalRow message;
  message.add(std::string_view("pintar.chain.head.v1")).add(chain).add(seq).add(digest_text(row_hash)).add(keyed_from);
  return crypto::hmac_sha256(key_.bytes(), crypto::as_bytes(message.bytes()));
}

}  // namespace pintar::store
