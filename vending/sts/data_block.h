// The STS TokenData and its 64-bit DataBlock (IEC 62055-41 clause 6.1): layout, CRC and
// the one place that seals a payload with its CRC. Pure functions, thread-safe.
//
// Bits are numbered LSB = 0. The 66-bit TokenData is
//   Class(2) | SubClass(4) | RND(4) | TID(24) | field(16) | CRC(16)
// and the DataBlock is its low 64 bits (SubClass..CRC), the part that is encrypted for
// classes 0 and 2. Class 1 and the key-change tokens reuse the same 64 bits with other
// fields; all of them are "48 bits of payload, then the CRC".
#ifndef PINTAR_VENDING_STS_DATA_BLOCK_H_
#define PINTAR_VENDING_STS_DATA_BLOCK_H_

#include <cstdint>

namespace pintar::sts {

// Token classes (clause 6.2.1).
inline constexpr uint8_t kClassTransfer = 0;    // TransferCredit, encrypted
inline constexpr uint8_t kClassTest = 1;        // InitiateMeterTest/Display, in clear
inline constexpr uint8_t kClassManagement = 2;  // meter-specific management, encrypted
inline constexpr uint8_t kClassReserved = 3;

inline constexpr uint32_t kMaxTid = 0xFFFFFF;
inline constexpr uint64_t kPayloadMask = (uint64_t{1} << 48) - 1;

// The STS CRC over the 50 bits Class..field: CRC-16 with the reflected polynomial 0xA001
// (x^16 + x^15 + x^2 + 1), initial value 0xFFFF and no final XOR, fed the 50 bits
// zero-padded to 7 bytes, most significant byte first; the two result bytes are swapped
// before they are stored in bits 15..0.
uint16_t sts_crc(uint8_t token_class, uint64_t payload48);

// payload48 << 16 | CRC. payload48 is the DataBlock without its CRC; bits above 47 and
// above bit 1 of token_class are ignored.
uint64_t seal_data_block(uint8_t token_class, uint64_t payload48);

// True when the CRC in bits 15..0 matches the rest.
bool crc_ok(uint8_t token_class, uint64_t data_block);

// The common "register" layout shared by class 0 and most of class 2.
struct TokenFields {
  uint8_t subclass = 0;  // 4 bits
  uint8_t rnd = 0;       // 4 bits
  uint32_t tid = 0;      // 24 bits
  uint16_t field = 0;    // 16 bits: amount, register, limit, ...
};

// Packs fields (each masked to its width) into a 48-bit payload.
constexpr uint64_t payload_of(const TokenFields& f) {
  return uint64_t{f.subclass & 0xFu} << 44 | uint64_t{f.rnd & 0xFu} << 40 | uint64_t{f.tid & kMaxTid} << 16 |
         f.field;
}

constexpr TokenFields fields_of(uint64_t data_block) {
  return {.subclass = static_cast<uint8_t>(data_block >> 60 & 0xF),
          .rnd = static_cast<uint8_t>(data_block >> 56 & 0xF),
          .tid = static_cast<uint32_t>(data_block >> 32 & kMaxTid),
          .field = static_cast<uint16_t>(data_block >> 16)};
}

}  // namespace pintar::sts

#endif  // PINTAR_VENDING_STS_DATA_BLOCK_H_
