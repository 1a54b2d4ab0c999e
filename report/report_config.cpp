#include "report/report_config.h"

#include <charconv>
#include <chrono>
#include <filesystem>
#include <tuple>

#include <fmt/format.h>

namespace pintar::report {
namespace {

using config::Key;
using config::Type;
using namespace std::chrono;

constexpr Key kReportKeys[] = {
    {.path = "report.daily_dir", .type = Type::kString, .default_value = "reports",
     .description = "Folder of the daily non-transaction data files for PLN (docs/pln-daily.md), one "
                    "pln-daily-YYYY-MM-DD.csv per date; a relative path is taken from state_dir."},
    {.path = "report.daily_at", .type = Type::kString, .default_value = "01:00",
     .description = "Local time (HH:MM at report.utc_offset_minutes) after which `pintar vending` writes the "
                    "previous date's daily file, once; a vending started later writes a missing one at start."},
    {.path = "report.sms_dir", .type = Type::kString, .default_value = "reports",
     .description = "Folder of the monthly SMS charging records (docs/sms-charging.md), "
                    "sms-charging-YYYY-MM.csv; a relative path is taken from state_dir."},
    {.path = "report.utc_offset_minutes", .type = Type::kInteger, .default_value = "420",
     .description = "Offset of the local time that days and months are counted in (420: WIB, UTC+7).",
     .min = -720, .max = 840},
};

bool parse_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int64_t ms_of(sys_days day, int utc_offset_minutes) {
  return duration_cast<milliseconds>((day - minutes(utc_offset_minutes)).time_since_epoch()).count();
}

// The local day holding `now_ms`.
sys_days local_day_of(int64_t now_ms, int utc_offset_minutes) {
  return floor<days>(sys_time<milliseconds>(milliseconds(now_ms)) + minutes(utc_offset_minutes));
}

}  // namespace

std::span<const config::Key> config_keys() { return kReportKeys; }

Result<ReportOptions> report_options(const config::Config& config) {
  ReportOptions o;
  const std::filesystem::path state_dir = config.string("state_dir");
  o.daily_dir = (state_dir / config.string("report.daily_dir")).string();
  o.sms_dir = (state_dir / config.string("report.sms_dir")).string();
  o.utc_offset_minutes = static_cast<int>(config.integer("report.utc_offset_minutes"));
  const std::string at = config.string("report.daily_at");
  int h = 0;
  int m = 0;
  if (at.size() != 5 || at[2] != ':' || !all_digits(at.substr(0, 2)) || !all_digits(at.substr(3)) ||
      !parse_int(std::string_view(at).substr(0, 2), h) || !parse_int(std::string_view(at).substr(3), m) || h > 23 ||
      m > 59) {
    return Status::invalid_argument(fmt::format("report.daily_at '{}': HH:MM, 00:00 to 23:59", at));
  }
  o.daily_at_minute = h * 60 + m;
  return o;
}

Result<Period> local_day(std::string_view date, int utc_offset_minutes) {
  int y = 0;
  int m = 0;
  int d = 0;
  if (date.size() != 10 || date[4] != '-' || date[7] != '-' || !all_digits(date.substr(0, 4)) ||
      !all_digits(date.substr(5, 2)) || !all_digits(date.substr(8)) || !parse_int(date.substr(0, 4), y) ||
      !parse_int(date.substr(5, 2), m) || !parse_int(date.substr(8), d)) {
    return Status::invalid_argument(fmt::format("date '{}': YYYY-MM-DD", date));
  }
  const year_month_day ymd{year(y), month(static_cast<unsigned>(m)), day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return Status::invalid_argument(fmt::format("date '{}' does not exist", date));
  const sys_days first = ymd;
  return Period{.name = std::string(date),
                .begin_ms = ms_of(first, utc_offset_minutes),
                .end_ms = ms_of(first + days(1), utc_offset_minutes)};
}

Result<Period> local_month(std::string_view text, int utc_offset_minutes) {
  int y = 0;
  int m = 0;
  if (text.size() != 7 || text[4] != '-' || !all_digits(text.substr(0, 4)) || !all_digits(text.substr(5)) ||
      !parse_int(text.substr(0, 4), y) || !parse_int(text.substr(5), m) || m < 1 || m > 12) {
    return Status::invalid_argument(fmt::format("month '{}': YYYY-MM", text));
  }
  const year_month first{year(y), month(static_cast<unsigned>(m))};
  return Period{.name = std::string(text),
                .begin_ms = ms_of(sys_days(first / 1), utc_offset_minutes),
                .end_ms = ms_of(sys_days((first + months(1)) / 1), utc_offset_minutes)};
}

Period previous_local_day(int64_t now_ms, int utc_offset_minutes) {
  const sys_days day = local_day_of(now_ms, utc_offset_minutes) - days(1);
  const year_month_day ymd(day);
  return Period{.name = fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())),
                .begin_ms = ms_of(day, utc_offset_minutes),
                .end_ms = ms_of(day + days(1), utc_offset_minutes)};
}

int local_minute_of_day(int64_t now_ms, int utc_offset_minutes) {
  const auto local = sys_time<milliseconds>(milliseconds(now_ms)) + minutes(utc_offset_minutes);
  return static_cast<int>(duration_cast<minutes>(local - floor<days>(local)).count());
}

std::string utc_timestamp(int64_t ms) {
  const auto t = floor<seconds>(sys_time<milliseconds>(milliseconds(ms)));
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss hms(t - day);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

std::optional<int64_t> parse_utc_timestamp(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z') {
    return std::nullopt;
  }
  for (auto [at, size, out] : {std::tuple{0, 4, &y}, {5, 2, &mo}, {8, 2, &d}, {11, 2, &h}, {14, 2, &mi}, {17, 2, &s}}) {
    const std::string_view part = text.substr(static_cast<size_t>(at), static_cast<size_t>(size));
    if (!all_digits(part) || !parse_int(part, *out)) return std::nullopt;
  }
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  return duration_cast<milliseconds>(sys_days(ymd).time_since_epoch() + hours(h) + minutes(mi) + seconds(s)).count();
}

}  // namespace pintar::report
