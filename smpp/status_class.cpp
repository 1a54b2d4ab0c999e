#include "smpp/status_class.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace pintar::smpp {

namespace {

struct StatusEntry {
  uint32_t command_status;
  const char* name;  // SMPP 3.4 §5.1.3
  StatusClass status_class;
};

// The status-class table (docs/smpp.md reproduces it). Codes not listed are temporary.
constexpr auto kStatusTable = std::to_array<StatusEntry>({
    {0x00, "ESME_ROK", StatusClass::kOk},
    {0x01, "ESME_RINVMSGLEN", StatusClass::kPermanent},
    {0x02, "ESME_RINVCMDLEN", StatusClass::kPermanent},
    {0x03, "ESME_RINVCMDID", StatusClass::kPermanent},
    {0x04, "ESME_RINVBNDSTS", StatusClass::kBindFailure},
    {0x05, "ESME_RALYBND", StatusClass::kBindFailure},
    {0x06, "ESME_RINVPRTFLG", StatusClass::kPermanent},
    {0x07, "ESME_RINVREGDLVFLG", StatusClass::kPermanent},
    {0x08, "ESME_RSYSERR", StatusClass::kTemporary},
    {0x0A, "ESME_RINVSRCADR", StatusClass::kPermanent},
    {0x0B, "ESME_RINVDSTADR", StatusClass::kPermanent},
    {0x0C, "ESME_RINVMSGID", StatusClass::kPermanent},
    {0x0D, "ESME_RBINDFAIL", StatusClass::kBindFailure},
    {0x0E, "ESME_RINVPASWD", StatusClass::kBindFailure},
    {0x0F, "ESME_RINVSYSID", StatusClass::kBindFailure},
    {0x11, "ESME_RCANCELFAIL", StatusClass::kPermanent},
    {0x13, "ESME_RREPLACEFAIL", StatusClass::kPermanent},
    {0x14, "ESME_RMSGQFUL", StatusClass::kThrottle},
    {0x15, "ESME_RINVSERTYP", StatusClass::kPermanent},
    {0x33, "ESME_RINVNUMDESTS", StatusClass::kPermanent},
    {0x34, "ESME_RINVDLNAME", StatusClass::kPermanent},
    {0x40, "ESME_RINVDESTFLAG", StatusClass::kPermanent},
    {0x42, "ESME_RINVSUBREP", StatusClass::kPermanent},
    {0x43, "ESME_RINVESMCLASS", StatusClass::kPermanent},
    {0x44, "ESME_RCNTSUBDL", StatusClass::kPermanent},
    {0x45, "ESME_RSUBMITFAIL", StatusClass::kTemporary},
    {0x48, "ESME_RINVSRCTON", StatusClass::kPermanent},
    {0x49, "ESME_RINVSRCNPI", StatusClass::kPermanent},
    {0x50, "ESME_RINVDSTTON", StatusClass::kPermanent},
    {0x51, "ESME_RINVDSTNPI", StatusClass::kPermanent},
    {0x53, "ESME_RINVSYSTYP", StatusClass::kBindFailure},
    {0x54, "ESME_RINVREPFLAG", StatusClass::kPermanent},
    {0x55, "ESME_RINVNUMMSGS", StatusClass::kPermanent},
    {0x58, "ESME_RTHROTTLED", StatusClass::kThrottle},
    {0x61, "ESME_RINVSCHED", StatusClass::kPermanent},
    {0x62, "ESME_RINVEXPIRY", StatusClass::kPermanent},
    {0x63, "ESME_RINVDFTMSGID", StatusClass::kPermanent},
    {0x64, "ESME_RX_T_APPN", StatusClass::kTemporary},
    {0x65, "ESME_RX_P_APPN", StatusClass::kPermanent},
    {0x66, "ESME_RX_R_APPN", StatusClass::kPermanent},
    {0x67, "ESME_RQUERYFAIL", StatusClass::kPermanent},
    {0xC0, "ESME_RINVOPTPARSTREAM", StatusClass::kPermanent},
    {0xC1, "ESME_ROPTPARNOTALLWD", StatusClass::kPermanent},
    {0xC2, "ESME_RINVPARLEN", StatusClass::kPermanent},
    {0xC3, "ESME_RMISSINGOPTPARAM", StatusClass::kPermanent},
    {0xC4, "ESME_RINVOPTPARAMVAL", StatusClass::kPermanent},
    {0xFE, "ESME_RDELIVERYFAILURE", StatusClass::kTemporary},
    {0xFF, "ESME_RUNKNOWNERR", StatusClass::kTemporary},
});

const StatusEntry* find_entry(uint32_t command_status) {
  const auto* it = std::find_if(kStatusTable.begin(), kStatusTable.end(),
                                [&](const StatusEntry& e) { return e.command_status == command_status; });
  return it == kStatusTable.end() ? nullptr : it;
}

}  // namespace

std::string_view status_class_name(StatusClass status_class) {
  switch (status_class) {
    case StatusClass::kOk: return "ok";
    case StatusClass::kBindFailure: return "bind_failure";
    case StatusClass::kThrottle: return "throttle";
    case StatusClass::kTemporary: return "temporary";
    case StatusClass::kPermanent: return "permanent";
  }
  return "?";
}

std::optional<StatusClass> parse_status_class(std::string_view text) {
  for (StatusClass c : {StatusClass::kThrottle, StatusClass::kTemporary, StatusClass::kPermanent}) {
    if (text == status_class_name(c)) return c;
  }
  return std::nullopt;
}

StatusClass classify_status(uint32_t command_status, const std::map<uint32_t, StatusClass>& vendor) {
  if (auto it = vendor.find(command_status); it != vendor.end()) return it->second;
  const StatusEntry* entry = find_entry(command_status);
  return entry != nullptr ? entry->status_class : StatusClass::kTemporary;
}

std::string status_name(uint32_t command_status) {
  if (const StatusEntry* entry = find_entry(command_status)) return entry->name;
  if (command_status >= 0x400 && command_status <= 0x4FF) return fmt::format("vendor 0x{:08X}", command_status);
  return fmt::format("0x{:08X}", command_status);
}

}  // namespace pintar::smpp
