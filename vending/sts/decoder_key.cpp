#include "vending/sts/decoder_key.h"

#include <algorithm>
#include <bit>

#include <fmt/format.h>

#include "common/crypto.h"
#include "common/hex.h"

// DKGA02 is single DES by definition. OpenSSL 3 marks its low-level DES calls deprecated;
// they are still the plainest way to run one block, so the deprecation is silenced here,
// in this one file, and nowhere else.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/des.h>

namespace pintar::sts {
namespace {

constexpr size_t kDkga02KeySize = 8;
constexpr size_t kDkga04KeySize = 20;

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

uint64_t load_be64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}

void store_be64(uint64_t v, uint8_t* p) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}

// Decimal digits packed one per nibble, as the DKGA02 blocks write them.
uint64_t nibbles_of(std::string_view digits) {
  uint64_t v = 0;
  for (char c : digits) v = v << 4 | static_cast<uint64_t>(c - '0');
  return v;
}

uint8_t with_odd_parity(uint8_t b) {
  const uint8_t high7 = b & 0xFE;
  return static_cast<uint8_t>(high7 | ((std::popcount(high7) & 1) ^ 1));
}

// DKGA02: X = PANBlock XOR CONTROLBlock; DK = DES_VK(X) XOR X XOR VK.
DecoderKey dkga02(std::span<const uint8_t> vk, const KeyParameters& p) {
  // PANBlock: the PAN without its first (IIN) digit and its last (check) digit.
  const uint64_t pan_block = nibbles_of(std::string_view(p.pan).substr(1, 16));
  // CONTROLBlock: KT | SGC | TI | KRN | FFFFFF, one decimal digit per nibble.
  const uint64_t control_block = uint64_t{p.key_type} << 60 | nibbles_of(fmt::format("{:06}", p.sgc)) << 36 |
                                 nibbles_of(fmt::format("{:02}", p.tariff_index)) << 28 | uint64_t{p.krn} << 24 |
                                 0xFFFFFF;
  const uint64_t x = pan_block ^ control_block;

  DES_cblock key_block;
  std::copy(vk.begin(), vk.end(), key_block);
  DES_key_schedule schedule;
  DES_set_key_unchecked(&key_block, &schedule);
  DES_cblock in;
  DES_cblock out;
  store_be64(x, in);
  DES_ecb_encrypt(&in, &out, &schedule, DES_ENCRYPT);
  const uint64_t dk = load_be64(out) ^ x ^ load_be64(vk.data());

  uint8_t dk_bytes[8];
  store_be64(dk, dk_bytes);
  auto key = DecoderKey::from_bytes(EncryptionAlgorithm::kEa07, dk_bytes);
  crypto::cleanse(dk_bytes);
  crypto::cleanse(std::span(key_block));
  crypto::cleanse(std::span(reinterpret_cast<uint8_t*>(&schedule), sizeof schedule));
  crypto::cleanse(std::span(out));
  return std::move(key).value();
}

// DKGA04: the first 8 or 16 bytes of HMAC-SHA-256(VK, message), where the message is a
// count of length-prefixed labels, a zero byte, a count of length-prefixed context
// fields, and the output length in bits (an SP 800-108 style KDF input):
//   04 | 02 "04" | 02 BD | 02 EA | 02 TI | 00 | 04 | 06 SGC | 01 KT | 01 KRN | 12 PAN | 00 00 00 L
DecoderKey dkga04(std::span<const uint8_t> vk, const KeyParameters& p) {
  std::string message;
  auto field = [&message](std::string_view text) {
    message.push_back(static_cast<char>(text.size()));
    message.append(text);
  };
  message.push_back(4);
  field("04");
  field(base_date_code(p.base_date));
  field(encryption_algorithm_code(p.ea));
  field(fmt::format("{:02}", p.tariff_index));
  message.push_back(0);
  message.push_back(4);
  field(fmt::format("{:06}", p.sgc));
  field(fmt::format("{}", p.key_type));
  field(fmt::format("{}", p.krn));
  field(p.pan);
  const size_t size = decoder_key_size(p.ea);
  message.append({0, 0, 0, static_cast<char>(size * 8)});

  crypto::Sha256Digest mac = crypto::hmac_sha256(vk, crypto::as_bytes(message));
  auto key = DecoderKey::from_bytes(p.ea, std::span(mac).first(size));
  crypto::cleanse(mac);
  return std::move(key).value();
}

}  // namespace

Result<EncryptionAlgorithm> parse_encryption_algorithm(std::string_view code) {
  if (code == "07") return EncryptionAlgorithm::kEa07;
  if (code == "11") return EncryptionAlgorithm::kEa11;
  return Status::invalid_argument("the encryption algorithm is 07 (STA) or 11 (MISTY1)");
}

std::string_view encryption_algorithm_code(EncryptionAlgorithm ea) {
  return ea == EncryptionAlgorithm::kEa07 ? "07" : "11";
}

Result<KeyDerivation> parse_key_derivation(std::string_view code) {
  if (code == "02") return KeyDerivation::kDkga02;
  if (code == "04") return KeyDerivation::kDkga04;
  return Status::invalid_argument("the decoder key generation algorithm is 02 (DES) or 04 (HMAC-SHA-256)");
}

Result<DecoderKey> DecoderKey::from_bytes(EncryptionAlgorithm ea, std::span<const uint8_t> bytes) {
  const size_t size = decoder_key_size(ea);
  if (bytes.size() != size) {
    return Status::invalid_argument(
        fmt::format("an EA{} decoder key has {} bytes ({} hex digits), not {}", encryption_algorithm_code(ea), size,
                    2 * size, bytes.size()));
  }
  DecoderKey key;
  std::copy(bytes.begin(), bytes.end(), key.bytes_.begin());
  key.size_ = size;
  return key;
}

Result<DecoderKey> DecoderKey::from_hex(EncryptionAlgorithm ea, std::string_view hex) {
  auto bytes = hex_decode(hex);
  if (!bytes.ok()) return bytes.status().with_context("decoder key");
  auto key = from_bytes(ea, *bytes);
  crypto::cleanse(*bytes);
  return key;
}

DecoderKey::~DecoderKey() { crypto::cleanse(bytes_); }

uint64_t DecoderKey::high64() const { return load_be64(bytes_.data()); }

std::string DecoderKey::to_hex() const { return hex_encode(bytes()); }

bool DecoderKey::operator==(const DecoderKey& other) const { return crypto::constant_time_equal(bytes(), other.bytes()); }

Result<VendingKey> VendingKey::import(KeyDerivation dkga, std::span<const uint8_t> bytes) {
  const size_t size = dkga == KeyDerivation::kDkga02 ? kDkga02KeySize : kDkga04KeySize;
  if (bytes.size() != size) {
    return Status::invalid_argument(fmt::format("a DKGA0{} vending key has {} bytes ({} hex digits), not {}",
                                                static_cast<int>(dkga), size, 2 * size, bytes.size()));
  }
  std::vector<uint8_t> copy(bytes.begin(), bytes.end());
  if (dkga == KeyDerivation::kDkga02) std::transform(copy.begin(), copy.end(), copy.begin(), with_odd_parity);
  return VendingKey(dkga, Secret(std::move(copy)));
}

Status validate(const KeyParameters& p) {
  if (p.pan.size() != 18 || !all_digits(p.pan)) return Status::invalid_argument("the meter PAN has 18 digits");
  if (p.key_type > 3) return Status::invalid_argument("the key type (KT) is 0..3");
  if (p.sgc > 999'999) return Status::invalid_argument("the supply group code (SGC) has 6 digits");
  if (p.tariff_index > 99) return Status::invalid_argument("the tariff index (TI) is 00..99");
  if (p.krn < 1 || p.krn > 9) return Status::invalid_argument("the key revision number (KRN) is 1..9");
  return Status::ok_status();
}

Result<DecoderKey> derive_decoder_key(const VendingKey& vk, const KeyParameters& params) {
  PINTAR_RETURN_IF_ERROR(validate(params));
  if (vk.derivation() == KeyDerivation::kDkga02) {
    if (params.ea != EncryptionAlgorithm::kEa07) {
      return Status::invalid_argument("DKGA02 gives EA07 (STA) keys only; EA11 needs DKGA04");
    }
    return dkga02(vk.secret().bytes(), params);
  }
  return dkga04(vk.secret().bytes(), params);
}

}  // namespace pintar::sts
