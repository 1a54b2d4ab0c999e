// Token identifiers (TID, IEC 62055-41 clause 6.3.5): whole minutes since the base date of
// the vending key, 24 bits wide, and the rule by which a vending engine hands them out.
// Pure functions, thread-safe. All times are UTC.
#ifndef PINTAR_VENDING_STS_TID_H_
#define PINTAR_VENDING_STS_TID_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"

namespace pintar::sts {

using UtcMinutes = std::chrono::sys_time<std::chrono::minutes>;

// The three base dates of edition 2 onwards; a property of the vending key record.
enum class BaseDate : uint8_t { k1993, k2014, k2035 };

// "93", "14" or "35" (the codes used in DKGA04 and on the command line).
Result<BaseDate> parse_base_date(std::string_view code);
std::string_view base_date_code(BaseDate base);
UtcMinutes base_date_start(BaseDate base);

// Minutes from the base date to t (rounded down to the minute). InvalidArgument before
// the base date, and past its last minute (TID 0xFFFFFF) with a message naming that
// minute: a meter on that base date needs a key change with rollover first.
Result<uint32_t> tid_from_time(std::chrono::system_clock::time_point t, BaseDate base);
UtcMinutes time_from_tid(uint32_t tid, BaseDate base);

// "YYYY-MM-DDTHH:MMZ" to a UTC minute.
Result<UtcMinutes> parse_utc_minute(std::string_view text);
std::string format_utc_minute(UtcMinutes t);

// The engine's TID rule, kept pure so its persistence can live elsewhere: two different
// tokens for one meter never share a TID, and a meter's TIDs only grow. Given the last TID
// issued to the meter (none for a new meter) and the TID of the current minute, the next
// token gets max(now_tid, last + 1). ResourceExhausted once that passes 0xFFFFFF (the
// meter needs a rollover key change). Re-sending a token re-sends its stored 20 digits
// and never calls this.
class TidAllocator {
 public:
  static Result<uint32_t> next(std::optional<uint32_t> last_issued, uint32_t now_tid);
};

}  // namespace pintar::sts

#endif  // PINTAR_VENDING_STS_TID_H_
