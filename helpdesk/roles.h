// The helpdesk's roles and what each may see: viewer (look-ups, with phone numbers and
// tokens masked), operator (also resend, resolve, unlock, PIN reset), admin (also registry
// changes and keys). Pure, thread-safe.
#ifndef PINTAR_HELPDESK_ROLES_H_
#define PINTAR_HELPDESK_ROLES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pintar::helpdesk {

enum class Role : uint8_t { kViewer, kOperator, kAdmin };  // in order of power

std::optional<Role> parse_role(std::string_view name);  // "viewer" | "operator" | "admin"
std::string_view role_name(Role role);
// True when `have` may do what needs `need`.
inline bool allows(Role have, Role need) { return static_cast<uint8_t>(have) >= static_cast<uint8_t>(need); }

// What a caller of `role` sees of personal data: viewers get masked phone numbers and tokens.
inline bool sees_whole(Role role) { return allows(role, Role::kOperator); }

// "6281******890": the country code and operator prefix and the last 3 digits stay, so a
// caller can be matched ("ends in 890") without the number being readable.
std::string mask_msisdn(std::string_view msisdn);
// "1234 **** **** **** 5678" style: first and last 4 digits of the 20.
std::string mask_token(std::string_view token);

}  // namespace pintar::helpdesk

#endif  // PINTAR_HELPDESK_ROLES_H_
