#include "meters/sts_reason.h"

namespace pintar::meters {

std::optional<MeterReason> reason_for(sts::MeterResult result) {
  switch (result) {
    case sts::MeterResult::kAccepted:
    case sts::MeterResult::kKeyChangePending:
    case sts::MeterResult::kKeyChanged:
      return std::nullopt;
    case sts::MeterResult::kFormatError:
      return MeterReason::kFormat;
    case sts::MeterResult::kAuthenticationError:
      return MeterReason::kCrc;
    case sts::MeterResult::kOldError:
      return MeterReason::kOld;
    case sts::MeterResult::kUsedError:
      return MeterReason::kUsed;
    case sts::MeterResult::kKeyExpiredError:
      return MeterReason::kKeyExpired;
    case sts::MeterResult::kFunctionError:
      return MeterReason::kFunction;
  }
  return MeterReason::kFault;  // a result added to the meter and not here: say so, do not ACC
}

}  // namespace pintar::meters
