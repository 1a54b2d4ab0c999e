#include "vending/sts/data_block.h"

#include <catch2/catch.hpp>

namespace pintar::sts {
namespace {

// The 7 CRC input bytes are class<<48 | payload48.
uint16_t crc_of_seven_bytes(uint64_t bytes) { return sts_crc(static_cast<uint8_t>(bytes >> 48), bytes); }

TEST_CASE("STS CRC known answers", "[sts][crc]") {
  // DataBlock of the IEC 62055-41 sample-table STA example (as published in
  // paadevelopments/sts_ea07_da07 Program.java, block ...C207).
  CHECK(crc_of_seven_bytes(0x000B19EB230100) == 0xC207);
  // Public STS CRC self-test (kf_sts_token.py, an STSSimulator-checked implementation).
  CHECK(crc_of_seven_bytes(0x00004A2D900FF2) == 0x0FFA);
  // STS Association web page on KEN (https://www.sts.org.za/key-expiry-number-ken.html):
  // class 0, sub 0, RND 0101, TID 0xC02A55, amount 0x2710 -> CRC 0x1970.
  CHECK(sts_crc(0, payload_of({.subclass = 0, .rnd = 5, .tid = 0xC02A55, .field = 0x2710})) == 0x1970);
}

TEST_CASE("seal and check a DataBlock", "[sts][crc]") {
  const uint64_t block = seal_data_block(0, 0x0B19EB230100);
  CHECK(block == 0x0B19EB230100C207);
  CHECK(crc_ok(0, block));
  CHECK_FALSE(crc_ok(0, block ^ (uint64_t{1} << 40)));  // one flipped payload bit
  CHECK_FALSE(crc_ok(2, block));                          // the class is covered too
  CHECK_FALSE(crc_ok(0, block ^ 1));                      // a flipped CRC bit
}

TEST_CASE("register fields pack and unpack", "[sts]") {
  const TokenFields f{.subclass = 0xA, .rnd = 0x5, .tid = 0xABCDEF, .field = 0x1234};
  const TokenFields back = fields_of(payload_of(f) << 16);
  CHECK(back.subclass == f.subclass);
  CHECK(back.rnd == f.rnd);
  CHECK(back.tid == f.tid);
  CHECK(back.field == f.field);
}

}  // namespace
}  // namespace pintar::sts
