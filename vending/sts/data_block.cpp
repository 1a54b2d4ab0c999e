#include "vending/sts/data_block.h"

#include <array>

namespace pintar::sts {
namespace {

constexpr std::array<uint16_t, 256> make_crc_table() {
  std::array<uint16_t, 256> table{};
  for (unsigned byte = 0; byte < 256; ++byte) {
    uint16_t crc = static_cast<uint16_t>(byte);
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? static_cast<uint16_t>(crc >> 1 ^ 0xA001) : crc >> 1;
    table[byte] = crc;
  }
  return table;
}

constexpr std::array<uint16_t, 256> kCrcTable = make_crc_table();

}  // namespace

uint16_t sts_crc(uint8_t token_class, uint64_t payload48) {
  const uint64_t bits50 = uint64_t{token_class & 3u} << 48 | (payload48 & kPayloadMask);
  uint16_t crc = 0xFFFF;
  for (int shift = 48; shift >= 0; shift -= 8) {
    crc = static_cast<uint16_t>(crc >> 8 ^ kCrcTable[(crc ^ (bits50 >> shift)) & 0xFF]);
  }
  return static_cast<uint16_t>(crc << 8 | crc >> 8);
}

uint64_t seal_data_block(uint8_t token_class, uint64_t payload48) {
  return (payload48 & kPayloadMask) << 16 | sts_crc(token_class, payload48);
}

bool crc_ok(uint8_t token_class, uint64_t data_block) {
  return sts_crc(token_class, data_block >> 16) == static_cast<uint16_t>(data_block);
}

}  // namespace pintar::sts
