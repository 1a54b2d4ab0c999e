#include "vending/sts/meter.h"

#include "common/crypto.h"
#include "vending/sts/amount.h"

namespace pintar::sts {

std::string_view meter_result_name(MeterResult result) {
  switch (result) {
    case MeterResult::kAccepted: return "Accepted";
    case MeterResult::kKeyChangePending: return "KeyChangePending";
    case MeterResult::kKeyChanged: return "KeyChanged";
    case MeterResult::kFormatError: return "FormatError";
    case MeterResult::kAuthenticationError: return "AuthenticationError";
    case MeterResult::kOldError: return "OldError";
    case MeterResult::kUsedError: return "UsedError";
    case MeterResult::kKeyExpiredError: return "KeyExpiredError";
    case MeterResult::kFunctionError: return "FunctionError";
  }
  return "Unknown";
}

Result<MeterDecoder> MeterDecoder::create(MeterConfig config) {
  if (config.tid_memory_size == 0) return Status::invalid_argument("the TID memory holds at least one TID");
  auto cipher = TokenCipher::create(config.key, config.tables);
  if (!cipher.ok()) return cipher.status();
  return MeterDecoder(std::move(config), std::move(cipher).value());
}

MeterDecoder::MeterDecoder(MeterConfig config, TokenCipher cipher)
    : config_(std::move(config)), cipher_(std::move(cipher)) {
  tid_memory_.insert(config_.manufacture_tid);
}

MeterDecoder::Outcome MeterDecoder::enter(std::string_view token_text) {
  auto number = parse_token_number(token_text);
  if (!number.ok()) return {MeterResult::kFormatError, std::nullopt};
  const DecodedToken decoded = decode_token(cipher_, *number);
  if (!decoded.crc_ok) return {MeterResult::kAuthenticationError, std::nullopt};
  if (decoded.data.token_class == kClassReserved) return {MeterResult::kFormatError, std::nullopt};
  return {apply(decoded.data), decoded.data};
}

MeterResult MeterDecoder::check_tid(uint32_t tid) const {
  if (!tid_memory_.empty() && tid < *tid_memory_.begin()) return MeterResult::kOldError;
  if (tid_memory_.contains(tid)) return MeterResult::kUsedError;
  if (tid >> 16 > config_.ken) return MeterResult::kKeyExpiredError;
  return MeterResult::kAccepted;
}

void MeterDecoder::remember_tid(uint32_t tid) {
  tid_memory_.insert(tid);
  if (tid_memory_.size() > config_.tid_memory_size) tid_memory_.erase(tid_memory_.begin());
}

MeterResult MeterDecoder::apply(const TokenData& data) {
  const TokenFields f = fields_of(data.data_block);
  if (data.token_class == kClassTest) {
    const uint64_t manufacturer = f.subclass == 0 ? (data.data_block >> 16 & 0xFF) : (data.data_block >> 16 & 0xFFFF);
    if (f.subclass > 1) return MeterResult::kFunctionError;
    return manufacturer == config_.manufacturer_code ? MeterResult::kAccepted : MeterResult::kAuthenticationError;
  }
  if (data.token_class == kClassManagement &&
      (f.subclass == subclass::kSet1stSectionDecoderKey || f.subclass == subclass::kSet2ndSectionDecoderKey ||
       f.subclass == subclass::kSet3rdSectionDecoderKey || f.subclass == subclass::kSet4thSectionDecoderKey)) {
    return key_change_section(data);
  }

  const bool supported =
      (data.token_class == kClassTransfer && f.subclass <= 3) ||
      (data.token_class == kClassManagement &&
       (f.subclass == subclass::kSetMaximumPowerLimit || f.subclass == subclass::kClearCredit ||
        f.subclass == subclass::kClearTamperCondition || f.subclass == subclass::kSetMaximumPhasePowerUnbalanceLimit));
  if (!supported) return MeterResult::kFunctionError;
  if (const MeterResult tid_check = check_tid(f.tid); tid_check != MeterResult::kAccepted) return tid_check;
  remember_tid(f.tid);

  if (data.token_class == kClassTransfer) {
    credit_[f.subclass] += decode_amount(f.field);
    return MeterResult::kAccepted;
  }
  switch (f.subclass) {
    case subclass::kSetMaximumPowerLimit:
      maximum_power_limit_ = decode_amount(f.field);
      break;
    case subclass::kClearCredit:
      if (f.field == kAllRegisters) {
        credit_.fill(0);
      } else if (f.field <= 3) {
        credit_[f.field] = 0;
      }
      break;
    case subclass::kClearTamperCondition:
      ++tamper_clears_;
      break;
    default:  // kSetMaximumPhasePowerUnbalanceLimit
      maximum_unbalance_limit_ = decode_amount(f.field);
      break;
  }
  return MeterResult::kAccepted;
}

MeterResult MeterDecoder::key_change_section(const TokenData& data) {
  const auto sub = static_cast<uint8_t>(data.data_block >> 60);
  const bool four_sections = config_.key.algorithm() == EncryptionAlgorithm::kEa11;
  if (!four_sections && sub >= subclass::kSet3rdSectionDecoderKey) return MeterResult::kFunctionError;
  key_sections_[sub] = data.data_block;
  if (key_sections_.size() < (four_sections ? 4u : 2u)) return MeterResult::kKeyChangePending;

  // All sections are here: assemble NKHO [NKMO2 NKMO1] NKLO, most significant first.
  auto key_part = [this](uint8_t section) { return static_cast<uint32_t>(key_sections_[section] >> 16); };
  std::vector<uint32_t> parts = {key_part(subclass::kSet1stSectionDecoderKey)};
  if (four_sections) {
    parts.push_back(key_part(subclass::kSet3rdSectionDecoderKey));
    parts.push_back(key_part(subclass::kSet4thSectionDecoderKey));
  }
  parts.push_back(key_part(subclass::kSet2ndSectionDecoderKey));
  std::vector<uint8_t> bytes;
  for (uint32_t part : parts) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(part >> shift));
  }
  const uint64_t first = key_sections_[subclass::kSet1stSectionDecoderKey];
  const uint64_t second = key_sections_[subclass::kSet2ndSectionDecoderKey];
  for (auto& [section, block] : key_sections_) crypto::cleanse(std::span(reinterpret_cast<uint8_t*>(&block), 8));
  key_sections_.clear();

  auto key = DecoderKey::from_bytes(config_.key.algorithm(), bytes);
  crypto::cleanse(bytes);
  if (!key.ok()) return MeterResult::kFunctionError;
  auto cipher = TokenCipher::create(*key, config_.tables);
  if (!cipher.ok()) return MeterResult::kFunctionError;
  config_.key = *key;
  cipher_ = std::move(cipher).value();
  config_.ken = static_cast<uint8_t>((first >> 56 & 0xF) << 4 | (second >> 56 & 0xF));
  krn_ = static_cast<uint8_t>(first >> 52 & 0xF);
  // RolloverKeyChange: the meter moves to a new base date, so its TID memory starts empty.
  if ((first >> 51 & 1) != 0) tid_memory_.clear();
  return MeterResult::kKeyChanged;
}

}  // namespace pintar::sts
