// TokenCipher: one meter's decoder key, scheduled for its encryption algorithm (EA07 STA
// with a table set, or EA11 MISTY1). Build one per key and keep it: scheduling costs more
// than encrypting a token. Immutable after creation; safe to share between threads.
#ifndef PINTAR_VENDING_STS_TOKEN_CIPHER_H_
#define PINTAR_VENDING_STS_TOKEN_CIPHER_H_

#include <cstdint>
#include <memory>
#include <variant>

#include "common/status.h"
#include "vending/sts/decoder_key.h"
#include "vending/sts/misty1.h"
#include "vending/sts/sta.h"

namespace pintar::sts {

class TokenCipher {
 public:
  // tables: the STA tables (EA07; FailedPrecondition when missing); ignored for EA11.
  static Result<TokenCipher> create(const DecoderKey& key, std::shared_ptr<const StaTables> tables);

  EncryptionAlgorithm algorithm() const;
  uint64_t encrypt(uint64_t data_block) const;
  uint64_t decrypt(uint64_t block) const;
  // True for EA07 with the built-in sample tables: the issuer logs kSampleTablesWarning.
  bool uses_sample_tables() const;

 private:
  explicit TokenCipher(std::variant<StaCipher, Misty1> impl) : impl_(std::move(impl)) {}
  std::variant<StaCipher, Misty1> impl_;
};

}  // namespace pintar::sts

#endif  // PINTAR_VENDING_STS_TOKEN_CIPHER_H_
