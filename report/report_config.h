// The [report] configuration keys (the single source for validation and
// docs/configuration.md), ReportOptions, and the calendar the reports count days and months
// in: local time at a fixed UTC offset (Indonesia keeps no daylight saving; WIB is +07:00),
// as the P2APST cut-off does (vending/p2apst/p2apst_config.h).
#ifndef PINTAR_REPORT_REPORT_CONFIG_H_
#define PINTAR_REPORT_REPORT_CONFIG_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/status.h"

namespace pintar::report {

std::span<const config::Key> config_keys();

struct ReportOptions {
  std::string daily_dir;      // absolute, or relative to the working directory
  std::string sms_dir;
  int daily_at_minute = 60;   // minutes after local midnight: when `pintar vending` writes yesterday's file
  int utc_offset_minutes = 420;
};

// daily_dir and sms_dir are taken from state_dir when relative; InvalidArgument for a
// daily_at that is not HH:MM.
Result<ReportOptions> report_options(const config::Config& config);

// A local calendar day or month, and the UTC milliseconds it spans: [begin_ms, end_ms).
struct Period {
  std::string name;  // "2026-12-06" or "2026-12"
  int64_t begin_ms = 0;
  int64_t end_ms = 0;
};

// "YYYY-MM-DD" (a real date) / "YYYY-MM"; InvalidArgument otherwise.
Result<Period> local_day(std::string_view date, int utc_offset_minutes);
Result<Period> local_month(std::string_view month, int utc_offset_minutes);
// The local day before the one that holds `now_ms`.
Period previous_local_day(int64_t now_ms, int utc_offset_minutes);
// Minutes since local midnight at `now_ms`.
int local_minute_of_day(int64_t now_ms, int utc_offset_minutes);

// "2026-12-06T10:15:00Z": the reports' timestamps, UTC, whole seconds; and back (nullopt
// for anything but that form of a real instant).
std::string utc_timestamp(int64_t ms);
std::optional<int64_t> parse_utc_timestamp(std::string_view text);

}  // namespace pintar::report

#endif  // PINTAR_REPORT_REPORT_CONFIG_H_
