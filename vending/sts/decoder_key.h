// Vending keys and decoder keys (IEC 62055-41 clause 6.5.2): DKGA02 (single DES) and
// DKGA04 (HMAC-SHA-256). Both key types are wiped on destruction and cannot be printed.
// Functions are pure and thread-safe.
#ifndef PINTAR_VENDING_STS_DECODER_KEY_H_
#define PINTAR_VENDING_STS_DECODER_KEY_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/secret.h"
#include "common/status.h"
#include "vending/sts/tid.h"

namespace pintar::sts {

enum class EncryptionAlgorithm : uint8_t { kEa07 = 7, kEa11 = 11 };
enum class KeyDerivation : uint8_t { kDkga02 = 2, kDkga04 = 4 };

// "07"/"11" and "02"/"04", as the command line and DKGA04 write them.
Result<EncryptionAlgorithm> parse_encryption_algorithm(std::string_view code);
std::string_view encryption_algorithm_code(EncryptionAlgorithm ea);
Result<KeyDerivation> parse_key_derivation(std::string_view code);

// Decoder key length in bytes: 8 for EA07 (STA), 16 for EA11 (MISTY1).
constexpr size_t decoder_key_size(EncryptionAlgorithm ea) { return ea == EncryptionAlgorithm::kEa07 ? 8 : 16; }

// A decoder key: 8 or 16 bytes, most significant byte first.
class DecoderKey {
 public:
  DecoderKey() = default;
  // InvalidArgument unless bytes has the length `ea` needs.
  static Result<DecoderKey> from_bytes(EncryptionAlgorithm ea, std::span<const uint8_t> bytes);
  static Result<DecoderKey> from_hex(EncryptionAlgorithm ea, std::string_view hex);
  DecoderKey(const DecoderKey&) = default;
  DecoderKey& operator=(const DecoderKey&) = default;
  ~DecoderKey();

  std::span<const uint8_t> bytes() const { return {bytes_.data(), size_}; }
  EncryptionAlgorithm algorithm() const { return size_ == 8 ? EncryptionAlgorithm::kEa07 : EncryptionAlgorithm::kEa11; }
  // The first 8 bytes as a big-endian integer (the whole key for EA07).
  uint64_t high64() const;
  std::string to_hex() const;  // for `pintar sts dk` only; never log it

  bool operator==(const DecoderKey& other) const;  // constant time

 private:
  std::array<uint8_t, 16> bytes_{};
  size_t size_ = 0;
};

// A vending key as imported: 8 bytes with odd DES parity for DKGA02 (each byte's low bit
// is set so the byte has an odd number of ones, which DES ignores but the final XOR of
// DKGA02 does not), 20 bytes for DKGA04.
class VendingKey {
 public:
  static Result<VendingKey> import(KeyDerivation dkga, std::span<const uint8_t> bytes);
  KeyDerivation derivation() const { return derivation_; }
  const Secret& secret() const { return secret_; }

 private:
  VendingKey(KeyDerivation dkga, Secret secret) : derivation_(dkga), secret_(std::move(secret)) {}
  KeyDerivation derivation_;
  Secret secret_;
};

// What identifies one meter's key besides the vending key.
struct KeyParameters {
  std::string pan;       // 18-digit meter PAN (IIN + DRN + check digit)
  uint8_t key_type = 2;  // KT 0..3 (2 = unique key)
  uint32_t sgc = 0;      // supply group code, 6 decimal digits
  uint8_t tariff_index = 0;  // TI, 2 decimal digits
  uint8_t krn = 1;       // key revision number 1..9
  BaseDate base_date = BaseDate::k1993;  // DKGA04 only
  EncryptionAlgorithm ea = EncryptionAlgorithm::kEa07;  // DKGA04 only (DKGA02 is EA07)
};

// InvalidArgument naming the first parameter out of range.
Status validate(const KeyParameters& params);

// Derives the meter's decoder key: DKGA02 with an 8-byte vending key (the result is an
// EA07 key), DKGA04 with a 20-byte one (an EA07 or EA11 key as params.ea says).
Result<DecoderKey> derive_decoder_key(const VendingKey& vk, const KeyParameters& params);

}  // namespace pintar::sts

#endif  // PINTAR_VENDING_STS_DECODER_KEY_H_
