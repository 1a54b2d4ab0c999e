#include "vending/sts/token.h"

#include <fmt/format.h>

#include "vending/sts/amount.h"

namespace pintar::sts {
namespace {

Status check_rnd_tid(uint8_t rnd, uint32_t tid) {
  if (rnd > 0xF) return Status::invalid_argument("RND is 0..15");
  if (tid > kMaxTid) return Status::invalid_argument("the TID is 24 bits (0..16777215)");
  return Status::ok_status();
}

Result<TokenData> amount_token(uint8_t token_class, uint8_t sub, uint8_t rnd, uint32_t tid, uint64_t value) {
  PINTAR_RETURN_IF_ERROR(check_rnd_tid(rnd, tid));
  auto field = encode_amount(value);
  if (!field.ok()) return field.status();
  return TokenData{token_class, seal_data_block(token_class, payload_of({sub, rnd, tid, *field}))};
}

}  // namespace

Result<TokenData> token_from_fields(uint8_t token_class, const TokenFields& fields) {
  if (token_class > kClassManagement) return Status::invalid_argument("the token class is 0, 1 or 2 (3 is reserved)");
  if (fields.subclass > 0xF) return Status::invalid_argument("the subclass is 0..15");
  PINTAR_RETURN_IF_ERROR(check_rnd_tid(fields.rnd, fields.tid));
  return TokenData{token_class, seal_data_block(token_class, payload_of(fields))};
}

Result<TokenData> credit_token(CreditRegister reg, uint8_t rnd, uint32_t tid, uint64_t units) {
  return amount_token(kClassTransfer, static_cast<uint8_t>(reg), rnd, tid, units);
}

Result<TokenData> test_token(uint64_t control, uint8_t manufacturer_code) {
  if (control >> 36 != 0) return Status::invalid_argument("the test control field is 36 bits");
  return TokenData{kClassTest, seal_data_block(kClassTest, control << 8 | manufacturer_code)};
}

Result<TokenData> max_power_limit_token(uint8_t rnd, uint32_t tid, uint64_t watts) {
  return amount_token(kClassManagement, subclass::kSetMaximumPowerLimit, rnd, tid, watts);
}

Result<TokenData> max_phase_power_unbalance_limit_token(uint8_t rnd, uint32_t tid, uint64_t watts) {
  return amount_token(kClassManagement, subclass::kSetMaximumPhasePowerUnbalanceLimit, rnd, tid, watts);
}

Result<TokenData> clear_credit_token(uint8_t rnd, uint32_t tid, uint16_t register_code) {
  return token_from_fields(kClassManagement, {subclass::kClearCredit, rnd, tid, register_code});
}

Result<TokenData> clear_tamper_token(uint8_t rnd, uint32_t tid) {
  return token_from_fields(kClassManagement, {subclass::kClearTamperCondition, rnd, tid, 0});
}

Result<std::vector<TokenData>> key_change_tokens(const DecoderKey& new_key, const NewKeySettings& s) {
  if (s.key_type > 3) return Status::invalid_argument("the key type (KT) is 0..3");
  if (s.krn < 1 || s.krn > 9) return Status::invalid_argument("the key revision number (KRN) is 1..9");
  if (s.tariff_index > 99) return Status::invalid_argument("the tariff index (TI) is 00..99");
  if (s.sgc > 999'999) return Status::invalid_argument("the supply group code (SGC) has 6 digits");

  // The new key in 32-bit parts, most significant first: NKHO, [NKMO2, NKMO1,] NKLO.
  const auto bytes = new_key.bytes();
  std::vector<uint32_t> parts;
  for (size_t i = 0; i < bytes.size(); i += 4) {
    parts.push_back(uint32_t{bytes[i]} << 24 | uint32_t{bytes[i + 1]} << 16 | uint32_t{bytes[i + 2]} << 8 | bytes[i + 3]);
  }
  const auto ken_high = static_cast<uint8_t>(s.ken >> 4);
  const auto ken_low = static_cast<uint8_t>(s.ken & 0xF);
  // 1st section control byte: KENHO(4) KRN(4) | RO(1) reserved(1) KT(2) ; 2nd: KENLO(4) TI(8).
  const uint8_t first_control_high = static_cast<uint8_t>(ken_high << 4 | s.krn);
  const uint8_t first_control_low = static_cast<uint8_t>((s.rollover ? 1u : 0u) << 3 | s.key_type);
  auto seal = [](uint64_t payload) { return TokenData{kClassManagement, seal_data_block(kClassManagement, payload)}; };

  std::vector<TokenData> set;
  set.push_back(seal(uint64_t{subclass::kSet1stSectionDecoderKey} << 44 | uint64_t{first_control_high} << 36 |
                     uint64_t{first_control_low} << 32 | parts.front()));
  set.push_back(seal(uint64_t{subclass::kSet2ndSectionDecoderKey} << 44 | uint64_t{ken_low} << 40 |
                     uint64_t{s.tariff_index} << 32 | parts.back()));
  if (parts.size() == 4) {
    // EA11: the middle parts, each with 12 bits of the SGC (as a 24-bit binary number).
    set.push_back(seal(uint64_t{subclass::kSet3rdSectionDecoderKey} << 44 | uint64_t{s.sgc & 0xFFF} << 32 | parts[1]));
    set.push_back(seal(uint64_t{subclass::kSet4thSectionDecoderKey} << 44 | uint64_t{s.sgc >> 12 & 0xFFF} << 32 |
                       parts[2]));
  }
  return set;
}

TokenNumber encode_token(const TokenCipher& cipher, const TokenData& data) {
  if (data.token_class == kClassTest) return encode_clear_token(data);
  return transpose_class(data.token_class, cipher.encrypt(data.data_block));
}

TokenNumber encode_clear_token(const TokenData& data) { return transpose_class(data.token_class, data.data_block); }

DecodedToken decode_token(const TokenCipher& cipher, const TokenNumber& number) {
  const Untransposed u = untranspose_class(number);
  if (u.token_class == kClassTest) return decode_clear_token(number);
  const uint64_t block = cipher.decrypt(u.block);
  return {.data = {u.token_class, block}, .crc_ok = crc_ok(u.token_class, block)};
}

DecodedToken decode_clear_token(const TokenNumber& number) {
  const Untransposed u = untranspose_class(number);
  return {.data = {u.token_class, u.block}, .crc_ok = crc_ok(u.token_class, u.block)};
}

}  // namespace pintar::sts
