// The STS token kinds pintar issues, and the generic encode/decode of a DataBlock to and
// from a 20-digit token (IEC 62055-41 clauses 6.2 and 6.3). Pure functions, thread-safe.
//
// A builder returns the class and the sealed DataBlock (CRC included); encode_token
// encrypts it (classes 0 and 2) and transposes the class bits in. Amounts round up in the
// customer's favour (see amount.h).
#ifndef PINTAR_VENDING_STS_TOKEN_H_
#define PINTAR_VENDING_STS_TOKEN_H_

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "vending/sts/data_block.h"
#include "vending/sts/decoder_key.h"
#include "vending/sts/token_cipher.h"
#include "vending/sts/token_number.h"

namespace pintar::sts {

// Class 0 subclasses: the register a credit token adds to, each in units of 0.1.
enum class CreditRegister : uint8_t { kElectricity = 0, kWater = 1, kGas = 2, kTime = 3 };

// Class 2 subclasses (clause 6.2.3, Table "class 2 token subclasses").
namespace subclass {
inline constexpr uint8_t kSetMaximumPowerLimit = 0;
inline constexpr uint8_t kClearCredit = 1;
inline constexpr uint8_t kSetTariffRate = 2;
inline constexpr uint8_t kSet1stSectionDecoderKey = 3;
inline constexpr uint8_t kSet2ndSectionDecoderKey = 4;
inline constexpr uint8_t kClearTamperCondition = 5;
inline constexpr uint8_t kSetMaximumPhasePowerUnbalanceLimit = 6;
inline constexpr uint8_t kSetWaterMeterFactor = 7;
inline constexpr uint8_t kSet3rdSectionDecoderKey = 8;
inline constexpr uint8_t kSet4thSectionDecoderKey = 9;
}  // namespace subclass

// Clear Credit register codes; kAllRegisters clears every one.
inline constexpr uint16_t kAllRegisters = 0xFFFF;

struct TokenData {
  uint8_t token_class = 0;
  uint64_t data_block = 0;  // sealed: the CRC is in bits 15..0
  friend bool operator==(const TokenData&, const TokenData&) = default;
};

// Any class 0..2 token from its register-layout fields (the command line's generic form).
// InvalidArgument for class 3 or a field out of its width.
Result<TokenData> token_from_fields(uint8_t token_class, const TokenFields& fields);

// Class 0: credit of `units` tenths (0.1 kWh, 0.1 m3, 0.1 min).
Result<TokenData> credit_token(CreditRegister reg, uint8_t rnd, uint32_t tid, uint64_t units);

// Class 1 subclass 0: InitiateMeterTest/Display, 36 control bits and an 8-bit
// manufacturer code; not encrypted, accepted by any meter of that manufacturer.
Result<TokenData> test_token(uint64_t control, uint8_t manufacturer_code);

// Class 2, each carrying RND and TID like a credit token.
Result<TokenData> max_power_limit_token(uint8_t rnd, uint32_t tid, uint64_t watts);
Result<TokenData> max_phase_power_unbalance_limit_token(uint8_t rnd, uint32_t tid, uint64_t watts);
Result<TokenData> clear_credit_token(uint8_t rnd, uint32_t tid, uint16_t register_code);
Result<TokenData> clear_tamper_token(uint8_t rnd, uint32_t tid);

// The key a key-change token set installs, and what the meter records with it.
struct NewKeySettings {
  uint8_t key_type = 2;      // KT 0..3
  uint8_t krn = 1;           // key revision number 1..9 (4 bits in the token)
  uint8_t tariff_index = 0;  // TI 0..99, binary in the token
  uint8_t ken = 0xFF;        // key expiry number; 0xFF = never expires
  bool rollover = false;     // RO: the meter clears its TID memory (base date change)
  uint32_t sgc = 0;          // supply group code; carried by the EA11 sections 3 and 4
};

// The key-change set for `new_key`, to be encrypted with the meter's CURRENT key: 2 tokens
// (subclasses 3, 4) for an EA07 key, 4 (3, 4, 8, 9) for an EA11 key. They carry no TID.
Result<std::vector<TokenData>> key_change_tokens(const DecoderKey& new_key, const NewKeySettings& settings);

// Encrypts (classes 0 and 2) and transposes the class bits in. Class 1 is sent in clear.
TokenNumber encode_token(const TokenCipher& cipher, const TokenData& data);
TokenNumber encode_clear_token(const TokenData& data);

// The reverse: untranspose, decrypt unless class 1, check the CRC.
struct DecodedToken {
  TokenData data;
  bool crc_ok = false;
};
DecodedToken decode_token(const TokenCipher& cipher, const TokenNumber& number);
DecodedToken decode_clear_token(const TokenNumber& number);

}  // namespace pintar::sts

#endif  // PINTAR_VENDING_STS_TOKEN_H_
