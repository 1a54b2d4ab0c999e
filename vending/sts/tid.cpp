#include "vending/sts/tid.h"

#include <fmt/format.h>

#include "vending/sts/data_block.h"

namespace pintar::sts {

using std::chrono::days;
using std::chrono::minutes;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month_day;

Result<BaseDate> parse_base_date(std::string_view code) {
  if (code == "93") return BaseDate::k1993;
  if (code == "14") return BaseDate::k2014;
  if (code == "35") return BaseDate::k2035;
  return Status::invalid_argument("the base date code is 93, 14 or 35");
}

std::string_view base_date_code(BaseDate base) {
  switch (base) {
    case BaseDate::k1993: return "93";
    case BaseDate::k2014: return "14";
    case BaseDate::k2035: return "35";
  }
  return "??";
}

UtcMinutes base_date_start(BaseDate base) {
  const int y = base == BaseDate::k1993 ? 1993 : base == BaseDate::k2014 ? 2014 : 2035;
  return UtcMinutes(sys_days(year(y) / 1 / 1));
}

Result<uint32_t> tid_from_time(std::chrono::system_clock::time_point t, BaseDate base) {
  const UtcMinutes start = base_date_start(base);
  const UtcMinutes minute = std::chrono::floor<minutes>(t);
  if (minute < start) {
    return Status::invalid_argument(fmt::format("{} is before base date {}", format_utc_minute(minute),
                                                format_utc_minute(start)));
  }
  const int64_t tid = (minute - start).count();
  if (tid > kMaxTid) {
    return Status::invalid_argument(fmt::format("{} is past the last minute of base date {} ({}); the meter needs a "
                                                "key change with rollover to a later base date",
                                                format_utc_minute(minute), base_date_code(base),
                                                format_utc_minute(time_from_tid(kMaxTid, base))));
  }
  return static_cast<uint32_t>(tid);
}

UtcMinutes time_from_tid(uint32_t tid, BaseDate base) { return base_date_start(base) + minutes(tid); }

Result<UtcMinutes> parse_utc_minute(std::string_view text) {
  // Fixed layout: YYYY-MM-DDTHH:MMZ (17 characters).
  constexpr std::string_view kLayout = "dddd-dd-ddTdd:ddZ";
  bool shape = text.size() == kLayout.size();
  for (size_t i = 0; shape && i < text.size(); ++i) {
    shape = kLayout[i] == 'd' ? (text[i] >= '0' && text[i] <= '9') : text[i] == kLayout[i];
  }
  if (!shape) return Status::invalid_argument("a time is written YYYY-MM-DDTHH:MMZ (UTC)");
  auto number = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  const year_month_day date{year(number(0, 4)), std::chrono::month(static_cast<unsigned>(number(5, 2))),
                            std::chrono::day(static_cast<unsigned>(number(8, 2)))};
  const int hour = number(11, 2);
  const int minute = number(14, 2);
  if (!date.ok() || hour > 23 || minute > 59) return Status::invalid_argument("the time is not a valid date and time");
  return UtcMinutes(sys_days(date)) + std::chrono::hours(hour) + minutes(minute);
}

std::string format_utc_minute(UtcMinutes t) {
  const sys_days day = std::chrono::floor<days>(t);
  const year_month_day date(day);
  const auto in_day = (t - day).count();
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), in_day / 60, in_day % 60);
}

Result<uint32_t> TidAllocator::next(std::optional<uint32_t> last_issued, uint32_t now_tid) {
  const uint64_t candidate = last_issued ? std::max<uint64_t>(now_tid, uint64_t{*last_issued} + 1) : now_tid;
  if (candidate > kMaxTid) {
    return Status::resource_exhausted("no TID left on this base date; the meter needs a key change with rollover");
  }
  return static_cast<uint32_t>(candidate);
}

}  // namespace pintar::sts
