// bench/sts: STS class 0 credit tokens per second on one core, end to end (DataBlock and
// CRC, encryption, class transposition, 20 decimal digits), for EA07 and EA11, with the
// decoder key scheduled once (the engine caches it per meter) and derived per token
// (DKGA02 / DKGA04 plus key scheduling for every token). Bounded: a fixed number of
// tokens per case. Results go in docs/performance.md.
//
//   sts_bench [tokens_per_cached_case]   (default 2000000; derived cases use a tenth)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/hex.h"
#include "vending/sts/token.h"

namespace {

using namespace pintar::sts;
using Clock = std::chrono::steady_clock;

// An HSM's published rate: about 5,000 tokens a minute (nectar.software/blog/?p=38).
constexpr double kHsmTokensPerSecond = 5000.0 / 60.0;

struct Case {
  const char* name;
  double tokens_per_second;
};

// Keeps the digits alive so the compiler cannot drop the work.
unsigned sink = 0;

void consume(const TokenNumber& number) {
  const TokenDigits digits = to_digits(number);
  sink += static_cast<unsigned>(digits[19] + digits[7]);
}

TokenData credit_for(uint64_t i) {
  return credit_token(CreditRegister::kElectricity, static_cast<uint8_t>(i & 0xF),
                      static_cast<uint32_t>(0x599863 + (i & 0xFFFF)), 1 + i % 200000)
      .value();
}

template <typename Body>
double tokens_per_second(uint64_t count, Body body) {
  const auto start = Clock::now();
  for (uint64_t i = 0; i < count; ++i) body(i);
  const std::chrono::duration<double> elapsed = Clock::now() - start;
  return static_cast<double>(count) / elapsed.count();
}

double cached(uint64_t count, const TokenCipher& cipher) {
  return tokens_per_second(count, [&](uint64_t i) { consume(encode_token(cipher, credit_for(i))); });
}

double derived(uint64_t count, KeyDerivation dkga, std::string_view vk_hex, EncryptionAlgorithm ea) {
  const VendingKey vk = VendingKey::import(dkga, pintar::hex_decode(vk_hex).value()).value();
  KeyParameters params{.pan = "600727000000000009", .key_type = 2, .sgc = 123457, .tariff_index = 1, .krn = 1,
                       .base_date = BaseDate::k1993, .ea = ea};
  return tokens_per_second(count, [&](uint64_t i) {
    params.pan[15] = static_cast<char>('0' + i % 10);  // a different meter each time
    const TokenCipher cipher = TokenCipher::create(derive_decoder_key(vk, params).value(), StaTables::sample()).value();
    consume(encode_token(cipher, credit_for(i)));
  });
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2'000'000;
  const TokenCipher ea07 =
      TokenCipher::create(DecoderKey::from_hex(EncryptionAlgorithm::kEa07, "0ABC12DEF3456789").value(),
                          StaTables::sample())
          .value();
  const TokenCipher ea11 =
      TokenCipher::create(DecoderKey::from_hex(EncryptionAlgorithm::kEa11, "F94B6ED353C3BFDB113E2D3A7EA3C41D").value(),
                          nullptr)
          .value();
  const Case cases[] = {
      {"EA07 (STA), cached decoder key", cached(count, ea07)},
      {"EA11 (MISTY1), cached decoder key", cached(count, ea11)},
      {"EA07, DKGA02 key derived per token", derived(count / 10, KeyDerivation::kDkga02, "ABABABABABABABAB",
                                                     EncryptionAlgorithm::kEa07)},
      {"EA11, DKGA04 key derived per token",
       derived(count / 10, KeyDerivation::kDkga04, "ABABABABABABABAB949494949494949401234567",
               EncryptionAlgorithm::kEa11)},
  };
  std::printf("%-40s %14s %12s\n", "class 0 credit tokens, one core", "tokens/s", "x HSM");
  for (const Case& c : cases) {
    std::printf("%-40s %14.0f %12.0f\n", c.name, c.tokens_per_second, c.tokens_per_second / kHsmTokensPerSecond);
  }
  std::printf("(reference: an HSM at 5,000 tokens/minute = %.1f tokens/s; checksum %u)\n", kHsmTokensPerSecond, sink);
  return 0;
}
