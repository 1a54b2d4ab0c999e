#include "helpdesk/roles.h"

namespace pintar::helpdesk {

std::optional<Role> parse_role(std::string_view name) {
  if (name == "viewer") return Role::kViewer;
  if (name == "operator") return Role::kOperator;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kViewer: return "viewer";
    case Role::kOperator: return "operator";
    case Role::kAdmin: return "admin";
  }
  return "viewer";
}

std::string mask_msisdn(std::string_view msisdn) {
  if (msisdn.size() <= 7) return std::string(msisdn.size(), '*');
  std::string out(msisdn);
  for (size_t i = 4; i + 3 < out.size(); ++i) out[i] = '*';
  return out;
}

std::string mask_token(std::string_view token) {
  if (token.size() <= 8) return std::string(token.size(), '*');
  std::string out(token);
  for (size_t i = 4; i + 4 < out.size(); ++i) out[i] = '*';
  return out;
}

}  // namespace pintar::helpdesk
