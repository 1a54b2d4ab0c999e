#include "vending/sts/token_meaning.h"

#include <fmt/format.h>

#include "vending/sts/amount.h"

namespace pintar::sts {
namespace {

using nlohmann::json;

constexpr std::string_view kUnits[] = {"kWh", "m3", "m3", "min"};

json credit(const TokenFields& f) {
  if (f.subclass > 3) return {{"kind", "reserved"}};  // currency and proprietary subclasses
  const auto reg = static_cast<CreditRegister>(f.subclass);
  const uint32_t tenths = decode_amount(f.field);
  return {{"kind", "credit"},
          {"register", register_name(reg)},
          {"amount", tenths},
          {"unit", fmt::format("0.1 {}", kUnits[f.subclass])},
          {"text", fmt::format("{}.{} {}", tenths / 10, tenths % 10, kUnits[f.subclass])}};
}

json test(uint64_t block) {
  const auto sub = static_cast<uint8_t>(block >> 60);
  if (sub == 0) {
    return {{"kind", "test"},
            {"control", fmt::format("{:09X}", block >> 24 & 0xFFFFFFFFF)},
            {"manufacturer_code", block >> 16 & 0xFF}};
  }
  if (sub == 1) {
    return {{"kind", "test"},
            {"control", fmt::format("{:07X}", block >> 32 & 0xFFFFFFF)},
            {"manufacturer_code", block >> 16 & 0xFFFF}};
  }
  return {{"kind", "reserved"}};
}

json clear_credit(uint16_t code) {
  json meaning = {{"kind", "clear_credit"}};
  if (code == kAllRegisters) {
    meaning["register"] = "all";
  } else if (code <= 3) {
    meaning["register"] = register_name(static_cast<CreditRegister>(code));
  } else {
    meaning["register"] = code;
  }
  return meaning;
}

json management(uint64_t block) {
  const TokenFields f = fields_of(block);
  const auto control = static_cast<uint8_t>(block >> 48);  // bits 55..48 of a key-change section
  switch (f.subclass) {
    case subclass::kSetMaximumPowerLimit:
      return {{"kind", "set_maximum_power_limit"}, {"watts", decode_amount(f.field)}};
    case subclass::kClearCredit:
      return clear_credit(f.field);
    case subclass::kSetTariffRate:
      return {{"kind", "set_tariff_rate"}, {"rate", f.field}};
    case subclass::kSet1stSectionDecoderKey:
      return {{"kind", "key_change"},
              {"section", 1},
              {"ken_high_nibble", f.rnd},
              {"krn", control >> 4},
              {"rollover", (control & 0x8) != 0},
              {"key_type", control & 0x3}};
    case subclass::kSet2ndSectionDecoderKey:
      return {{"kind", "key_change"}, {"section", 2}, {"ken_low_nibble", f.rnd}, {"tariff_index", control}};
    case subclass::kClearTamperCondition:
      return {{"kind", "clear_tamper_condition"}};
    case subclass::kSetMaximumPhasePowerUnbalanceLimit:
      return {{"kind", "set_maximum_phase_power_unbalance_limit"}, {"watts", decode_amount(f.field)}};
    case subclass::kSetWaterMeterFactor:
      return {{"kind", "set_water_meter_factor"}, {"factor", f.field}};
    case subclass::kSet3rdSectionDecoderKey:
      return {{"kind", "key_change"}, {"section", 3}, {"sgc_low_12_bits", block >> 48 & 0xFFF}};
    case subclass::kSet4thSectionDecoderKey:
      return {{"kind", "key_change"}, {"section", 4}, {"sgc_high_12_bits", block >> 48 & 0xFFF}};
    default:
      return {{"kind", "reserved"}};
  }
}

}  // namespace

std::string_view register_name(CreditRegister reg) {
  switch (reg) {
    case CreditRegister::kElectricity: return "electricity";
    case CreditRegister::kWater: return "water";
    case CreditRegister::kGas: return "gas";
    case CreditRegister::kTime: return "time";
  }
  return "unknown";
}

json describe(const TokenData& data) {
  switch (data.token_class) {
    case kClassTransfer: return credit(fields_of(data.data_block));
    case kClassTest: return test(data.data_block);
    case kClassManagement: return management(data.data_block);
    default: return {{"kind", "reserved"}};
  }
}

json decode_report(const DecodedToken& decoded) {
  const TokenFields f = fields_of(decoded.data.data_block);
  json meaning = decoded.crc_ok ? describe(decoded.data) : json(nullptr);
  // A key-change section carries bits of the new decoder key where other tokens carry the
  // TID and the amount: those bits are never printed.
  const bool withheld = meaning.is_object() && meaning["kind"] == "key_change";
  return {{"class", decoded.data.token_class},
          {"subclass", f.subclass},
          {"rnd", f.rnd},
          {"tid", withheld ? json(nullptr) : json(f.tid)},
          {"field", withheld ? json(nullptr) : json(fmt::format("{:04X}", f.field))},
          {"crc_ok", decoded.crc_ok},
          {"meaning", std::move(meaning)}};
}

}  // namespace pintar::sts
