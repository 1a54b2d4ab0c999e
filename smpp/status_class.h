// What the ESME does with a command_status, by class (SMPP 3.4 §5.1.3 lists the codes).
// The table itself is in status_class.cpp and in docs/smpp.md. Pure functions, thread-safe.
#ifndef PINTAR_SMPP_STATUS_CLASS_H_
#define PINTAR_SMPP_STATUS_CLASS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>

namespace pintar::smpp {

enum class StatusClass : uint8_t {
  kOk,           // 0x00
  kBindFailure,  // the bind was refused: stop the bind, alert, no hot reconnect loop
  kThrottle,     // 0x58, 0x14: pause the whole bind, resubmit later in order
  kTemporary,    // retry with backoff a bounded number of times
  kPermanent,    // fail the message, never retry
};

std::string_view status_class_name(StatusClass status_class);
// "throttle" / "temporary" / "permanent" (the spelling used in config); nullopt otherwise.
std::optional<StatusClass> parse_status_class(std::string_view text);

// Class of a response's command_status. `vendor` maps operator codes (0x400–0x4FF, or any
// code the operator redefines) first; unknown codes are temporary, so they are retried a
// bounded number of times rather than lost or retried forever.
StatusClass classify_status(uint32_t command_status, const std::map<uint32_t, StatusClass>& vendor = {});

// "ESME_RTHROTTLED" etc., or "vendor 0x00000400" / "0x000000C5" for codes without a name.
std::string status_name(uint32_t command_status);

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_STATUS_CLASS_H_
