#include "smpp/session.h"

#include <fmt/format.h>

namespace pintar::smpp {

const char* bind_state_name(BindState state) {
  switch (state) {
    case BindState::kConnecting: return "connecting";
    case BindState::kBound: return "bound";
    case BindState::kThrottled: return "throttled";
    case BindState::kDisconnected: return "disconnected";
    case BindState::kBindFailed: return "bind_failed";
    case BindState::kStopped: return "stopped";
  }
  return "?";
}

Status validate(const BindOptions& o) {
  auto bad = [&](std::string_view key, std::string_view why) {
    return Status::invalid_argument(fmt::format("smsc {}: {}: {}", o.name, key, why));
  };
  if (o.name.empty()) return Status::invalid_argument("smsc: name is empty");
  if (o.host.empty()) return bad("host", "empty");
  if (o.port == 0) return bad("port", "must be 1..65535");
  if (o.system_id.empty() || o.system_id.size() > 15) return bad("system_id", "must be 1..15 characters");
  if (o.password.size() > 8) return bad("password", "longer than 8 octets (SMPP 3.4 §5.2.2)");
  if (o.system_type.size() > 12) return bad("system_type", "longer than 12 characters");
  if (o.address_range.size() > 40) return bad("address_range", "longer than 40 characters");
  if (o.service_type.size() > 5) return bad("service_type", "longer than 5 characters");
  if (o.binds < 1 || o.binds > kMaxBinds) return bad("binds", fmt::format("must be 1..{}", kMaxBinds));
  if (o.window < 1 || o.window > kMaxWindow) return bad("window", fmt::format("must be 1..{}", kMaxWindow));
  if (o.tps < 0) return bad("tps", "must be >= 0");
  if (o.max_retries < 0) return bad("max_retries", "must be >= 0");
  if (o.response_timeout.count() <= 0 || o.connect_timeout.count() <= 0) return bad("timeouts", "must be > 0");
  if (o.enquire_link_interval.count() <= 0) return bad("enquire_link_interval", "must be > 0");
  if (o.reconnect_min.count() <= 0 || o.reconnect_max < o.reconnect_min) {
    return bad("reconnect", "need 0 < reconnect_min <= reconnect_max");
  }
  if (o.max_command_length < kMinCommandLength || o.max_command_length > kMaxCommandLength) {
    return bad("max_command_length", fmt::format("must be {}..{}", kMinCommandLength, kMaxCommandLength));
  }
  for (const auto& [code, status_class] : o.vendor_status) {
    if (status_class == StatusClass::kOk || status_class == StatusClass::kBindFailure) {
      return bad(fmt::format("vendor_status 0x{:X}", code), "must be throttle, temporary or permanent");
    }
  }
  return Status();
}

}  // namespace pintar::smpp
