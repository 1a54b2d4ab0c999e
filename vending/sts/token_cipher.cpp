#include "vending/sts/token_cipher.h"

namespace pintar::sts {

Result<TokenCipher> TokenCipher::create(const DecoderKey& key, std::shared_ptr<const StaTables> tables) {
  if (key.algorithm() == EncryptionAlgorithm::kEa11) {
    return TokenCipher(Misty1(key.bytes().first<16>()));
  }
  if (!tables) return Status::failed_precondition("EA07 needs STA tables (the operator's file, or the sample tables)");
  return TokenCipher(StaCipher(std::move(tables), key.high64()));
}

EncryptionAlgorithm TokenCipher::algorithm() const {
  return std::holds_alternative<StaCipher>(impl_) ? EncryptionAlgorithm::kEa07 : EncryptionAlgorithm::kEa11;
}

uint64_t TokenCipher::encrypt(uint64_t data_block) const {
  return std::visit([data_block](const auto& cipher) { return cipher.encrypt(data_block); }, impl_);
}

uint64_t TokenCipher::decrypt(uint64_t block) const {
  return std::visit([block](const auto& cipher) { return cipher.decrypt(block); }, impl_);
}

bool TokenCipher::uses_sample_tables() const {
  const auto* sta = std::get_if<StaCipher>(&impl_);
  return sta != nullptr && sta->uses_sample_tables();
}

}  // namespace pintar::sts
