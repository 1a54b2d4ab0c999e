// MISTY1 (RFC 2994; ISO/IEC 18033-3), the 64-bit block cipher with a 128-bit key that
// STS calls EA11. OpenSSL has none, so it is written here. The key schedule runs once per
// key in the constructor; encrypt/decrypt are const and may run on many threads at once.
#ifndef PINTAR_VENDING_STS_MISTY1_H_
#define PINTAR_VENDING_STS_MISTY1_H_

#include <array>
#include <cstdint>
#include <span>

namespace pintar::sts {

class Misty1 {
 public:
  // key: 16 bytes, most significant first (RFC 2994 K[0..15]).
  explicit Misty1(std::span<const uint8_t, 16> key);
  Misty1(const Misty1&) = default;
  Misty1& operator=(const Misty1&) = default;
  ~Misty1();

  // Blocks as big-endian 64-bit integers (RFC 2994 section 2.3).
  uint64_t encrypt(uint64_t block) const;
  uint64_t decrypt(uint64_t block) const;

  // EK[8..15] of RFC 2994 section 2.2 (K'), exposed for the known-answer test.
  const std::array<uint16_t, 8>& expanded_key() const { return k_prime_; }

 private:
  struct FoKeys {
    std::array<uint16_t, 4> ko;
    std::array<uint16_t, 3> ki;
  };
  struct FlKeys {
    uint16_t kl1;  // ANDed into the right half
    uint16_t kl2;  // ORed into the left half
  };
  uint32_t fo(uint32_t x, int round) const;
  uint32_t fl(uint32_t x, int index) const;
  uint32_t fl_inverse(uint32_t x, int index) const;

  std::array<uint16_t, 8> k_prime_;
  std::array<FoKeys, 8> fo_keys_;
  std::array<FlKeys, 10> fl_keys_;
};

}  // namespace pintar::sts

#endif  // PINTAR_VENDING_STS_MISTY1_H_
