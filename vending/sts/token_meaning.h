// What a decoded token means, as JSON for people and tools (`pintar sts decode`, the
// helpdesk, the meter simulator). Pure, thread-safe. Key-change tokens are described by
// their control fields only: the key bits they carry are never rendered.
#ifndef PINTAR_VENDING_STS_TOKEN_MEANING_H_
#define PINTAR_VENDING_STS_TOKEN_MEANING_H_

#include <string_view>

#include <nlohmann/json.hpp>

#include "vending/sts/token.h"

namespace pintar::sts {

// {"kind": "...", ...}: kind is one of credit, test, set_maximum_power_limit, clear_credit,
// set_tariff_rate, key_change, clear_tamper_condition,
// set_maximum_phase_power_unbalance_limit, set_water_meter_factor, reserved; the other
// members depend on the kind (amount and unit, watts, register, section, ...).
nlohmann::json describe(const TokenData& data);

// "electricity", "water", "gas", "time".
std::string_view register_name(CreditRegister reg);

// The full decode report: class, subclass, rnd, tid, field (4 hex digits), crc_ok, and
// meaning (null when the CRC fails: the bits mean nothing then).
nlohmann::json decode_report(const DecodedToken& decoded);

}  // namespace pintar::sts

#endif  // PINTAR_VENDING_STS_TOKEN_MEANING_H_
