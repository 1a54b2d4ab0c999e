#include "vending/sts/sta.h"

#include <catch2/catch.hpp>

namespace pintar::sts {
namespace {

TEST_CASE("EA07 with the IEC 62055-41 sample tables: known answer", "[sts][sta]") {
  // IEC 62055-41 sample STA tables; DataBlock of the sample-table example (class 0, RND 11,
  // 1996-03-25 13:55, 25.6 kWh) as in paadevelopments/sts_ea07_da07, enciphered with the
  // standard's LSB-first permutation rule (clause 6.5.4, "source bit 7 ... bit position 52").
  const StaCipher cipher(StaTables::sample(), 0x0ABC12DEF3456789);
  CHECK(cipher.encrypt(0x0B19EB230100C207) == 0xC45ED1619406DF95);
  CHECK(cipher.decrypt(0xC45ED1619406DF95) == 0x0B19EB230100C207);
  CHECK(cipher.uses_sample_tables());
}

TEST_CASE("EA07 decrypt inverts encrypt for many keys and blocks", "[sts][sta]") {
  uint64_t x = 0x9E3779B97F4A7C15;
  for (int i = 0; i < 200; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift: varied keys and blocks
    const StaCipher cipher(StaTables::sample(), x);
    const uint64_t block = x * 0x2545F4914F6CDD1D;
    CHECK(cipher.decrypt(cipher.encrypt(block)) == block);
  }
}

TEST_CASE("operator table files", "[sts][sta]") {
  const std::string sample_file =
      "# IEC 62055-41 sample tables\n"
      "S1 = 12,10,8,4,3,15,0,2,14,1,5,13,6,9,7,11\n"
      "S2 = 6,9,7,4,3,10,12,14,2,13,1,15,0,11,8,5\r\n"
      "P = 29,27,34,9,16,62,55,2,40,49,38,25,33,61,30,23,1,41,21,57,42,15,5,58,19,53,22,17,48,28,24,39,3,60,36,"
      "14,11,52,54,12,31,51,10,26,0,45,37,43,44,6,59,4,7,35,56,50,13,18,32,47,46,63,20,8  # permutation\n";
  auto loaded = StaTables::parse(sample_file);
  REQUIRE(loaded.ok());
  CHECK_FALSE((*loaded)->is_sample());  // loaded from a file: no warning, whatever it holds
  CHECK(StaCipher(*loaded, 0x0ABC12DEF3456789).encrypt(0x0B19EB230100C207) == 0xC45ED1619406DF95);

  CHECK_THAT(StaTables::parse("S1 = 1,2\n").status().message(), Catch::Contains("line 1: S1 has 2 values, not 16"));
  CHECK_THAT(StaTables::parse("S1 = 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\nS1 = 1\n").status().message(),
             Catch::Contains("line 2: S1 given twice"));
  CHECK_THAT(StaTables::parse("Q = 1\n").status().message(), Catch::Contains("unknown table"));
  CHECK_THAT(StaTables::parse("S1 = a\n").status().message(), Catch::Contains("line 1: value 1"));
  CHECK_THAT(StaTables::parse("").status().message(), Catch::Contains("needs S1, S2 and P"));
  std::string not_permutation = sample_file;
  not_permutation.replace(not_permutation.find("12,10"), 5, "10,10");
  CHECK_THAT(StaTables::parse(not_permutation).status().message(), Catch::Contains("S1 is not a permutation"));
}

}  // namespace
}  // namespace pintar::sts
