// libFuzzer target: whatever a customer, an SMS or a helpdesk form may hand the decoder.
// The input is text: it goes to the token parser, then (when it parses) through decoding
// with an EA07 and an EA11 key, the meaning renderer and a meter; it is also offered to
// the STA table-file parser and the time parser. Nothing may crash or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vending/sts/meter.h"
#include "vending/sts/token_meaning.h"

namespace {

using namespace pintar::sts;

const TokenCipher& ea07() {
  static const TokenCipher cipher =
      TokenCipher::create(DecoderKey::from_hex(EncryptionAlgorithm::kEa07, "0ABC12DEF3456789").value(),
                          StaTables::sample())
          .value();
  return cipher;
}

const TokenCipher& ea11() {
  static const TokenCipher cipher =
      TokenCipher::create(DecoderKey::from_hex(EncryptionAlgorithm::kEa11, "F94B6ED353C3BFDB113E2D3A7EA3C41D").value(),
                          nullptr)
          .value();
  return cipher;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto number = parse_token_number(text); number.ok()) {
    for (const TokenCipher* cipher : {&ea07(), &ea11()}) {
      const DecodedToken decoded = decode_token(*cipher, *number);
      (void)decode_report(decoded).dump();
      if (decoded.crc_ok && to_string(encode_token(*cipher, decoded.data)) != to_string(*number)) __builtin_trap();
    }
  }
  auto meter = MeterDecoder::create({.key = DecoderKey::from_hex(EncryptionAlgorithm::kEa07, "0ABC12DEF3456789").value(),
                                     .tables = StaTables::sample(),
                                     .tid_memory_size = 4});
  // Several tokens separated by newlines, as a meter sees a sequence.
  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t newline = rest.find('\n');
    (void)meter->enter(rest.substr(0, newline));
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
  }
  (void)StaTables::parse(text);
  (void)parse_utc_minute(text);
  return 0;
}
