#include "vending/p2apst/p2apst_config.h"

#include <filesystem>

#include <fmt/format.h>

#include "vending/p2apst/iso8583.h"

namespace pintar::p2apst {
namespace {

using config::Key;
using config::Type;

constexpr Key kP2apstKeys[] = {
    {.path = "p2apst.host", .type = Type::kString, .default_value = "127.0.0.1",
     .description = "P2APST host (PLN or the switcher) to connect to."},
    {.path = "p2apst.port", .type = Type::kInteger, .default_value = "7001",
     .description = "TCP port of the P2APST host.", .min = 1, .max = 65535},
    {.path = "p2apst.framing", .type = Type::kString, .default_value = "bin2",
     .description = "Length header: bin2 = 2-byte big-endian length without the header; ascii4 = 4 ASCII digits.",
     .choices = "bin2|ascii4"},
    {.path = "p2apst.etx", .type = Type::kBoolean, .default_value = "false",
     .description = "Append ETX (0x03) to every message, counted in the length (some switchers)."},
    {.path = "p2apst.max_frame_bytes", .type = Type::kInteger, .default_value = "4096",
     .description = "Largest message accepted from the host; a longer length header drops the link.", .min = 64,
     .max = 65535},
    {.path = "p2apst.connect_timeout_ms", .type = Type::kInteger, .default_value = "5000",
     .description = "Time allowed for the TCP connect.", .min = 1, .max = 600000},
    {.path = "p2apst.timeout_ms", .type = Type::kInteger, .default_value = "40000",
     .description = "Time to wait for each answer. A purchase without an answer by then is resolved by advice, "
                    "never sent again.",
     .min = 1, .max = 600000},
    {.path = "p2apst.echo_interval_ms", .type = Type::kInteger, .default_value = "60000",
     .description = "Idle time after which a 2800 echo test (bit 40 = 301) is sent.", .min = 100, .max = 3600000},
    {.path = "p2apst.reconnect_min_ms", .type = Type::kInteger, .default_value = "1000",
     .description = "First reconnect delay after a failed connect, a refused sign-on or a lost link.", .min = 1,
     .max = 3600000},
    {.path = "p2apst.reconnect_max_ms", .type = Type::kInteger, .default_value = "60000",
     .description = "Reconnect delays double up to this (each with random jitter of up to half).", .min = 1,
     .max = 3600000},
    {.path = "p2apst.switcher_id", .type = Type::kString, .default_value = "SIM0001",
     .description = "Switcher ID assigned by PLN (an7): bit 48 of the sign-on and of every prepaid request."},
    {.path = "p2apst.bank_code", .type = Type::kString, .default_value = "4510017",
     .description = "Bank code (bit 32, up to 7 digits)."},
    {.path = "p2apst.partner_central_id", .type = Type::kString, .default_value = "4512017",
     .description = "Partner central ID (bit 33, up to 7 digits)."},
    {.path = "p2apst.terminal_id", .type = Type::kString, .default_value = "PINTAR01",
     .description = "Terminal ID (bit 41, up to 16 characters, space-padded)."},
    {.path = "p2apst.merchant_type", .type = Type::kString, .default_value = "6021",
     .description = "Merchant category code (bit 26, 4 digits)."},
    {.path = "p2apst.cutoff_start", .type = Type::kString, .default_value = "23:30",
     .description = "Start of PLN's daily cut-off (HH:MM local time); inquiries and purchases are answered with "
                    "the cut-off message without asking PLN."},
    {.path = "p2apst.cutoff_end", .type = Type::kString, .default_value = "00:30",
     .description = "End of the daily cut-off (HH:MM local time); equal to cutoff_start disables the pre-check."},
    {.path = "p2apst.utc_offset_minutes", .type = Type::kInteger, .default_value = "420",
     .description = "Local time of the cut-off and of bit 12, in minutes east of UTC (420 = Asia/Jakarta, WIB).",
     .min = -720, .max = 840},
    {.path = "p2apst.advice_repeat_count", .type = Type::kInteger, .default_value = "3",
     .description = "Repeat advices (2221) after the first advice (2220) before a purchase is left for manual "
                    "resolution.",
     .min = 0, .max = 10},
    {.path = "p2apst.advice_interval_ms", .type = Type::kInteger, .default_value = "35000",
     .description = "Time from one advice to the next, send to send: each advice waits at most this long for its "
                    "answer (and never longer than timeout_ms); 0 = each waits timeout_ms and the next follows at once.",
     .min = 0, .max = 3600000},
    {.path = "p2apst.stan_file", .type = Type::kString, .default_value = "p2apst.stan",
     .description = "File keeping the STAN (bit 11) high-water mark so a restart never reuses one (relative to "
                    "state_dir)."},
};

Result<int> parse_hhmm(std::string_view text, std::string_view key) {
  if (text.size() == 5 && text[2] == ':' && in_charset(text.substr(0, 2), Charset::kN) &&
      in_charset(text.substr(3), Charset::kN)) {
    const int h = (text[0] - '0') * 10 + (text[1] - '0');
    const int m = (text[3] - '0') * 10 + (text[4] - '0');
    if (h < 24 && m < 60) return h * 60 + m;
  }
  return Status::invalid_argument(fmt::format("{}: '{}' is not HH:MM", key, text));
}

Status check_digits(std::string_view value, size_t min, size_t max, std::string_view key) {
  if (value.size() < min || value.size() > max || !in_charset(value, Charset::kN)) {
    return Status::invalid_argument(fmt::format("{}: '{}' must be {}..{} digits", key, value, min, max));
  }
  return Status();
}

}  // namespace

std::string local_date_time(Clock::WallTime when, int utc_offset_minutes) {
  const auto local = std::chrono::floor<std::chrono::seconds>(when) + std::chrono::minutes(utc_offset_minutes);
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(local - day);
  return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), hms.hours().count(), hms.minutes().count(),
                     hms.seconds().count());
}

bool in_cut_off(const CutOff& cut_off, Clock::WallTime when) {
  const auto local = std::chrono::floor<std::chrono::minutes>(when) + std::chrono::minutes(cut_off.utc_offset_minutes);
  const auto minute = static_cast<int>((local - std::chrono::floor<std::chrono::days>(local)).count());
  const int s = cut_off.start_minute;
  const int e = cut_off.end_minute;
  return s <= e ? (minute >= s && minute < e) : (minute >= s || minute < e);
}

std::span<const config::Key> config_keys() { return kP2apstKeys; }

Result<Options> options_from(const config::Config& config) {
  Options o;
  o.partner.switcher_id = config.string("p2apst.switcher_id");
  o.partner.bank_code = config.string("p2apst.bank_code");
  o.partner.partner_central_id = config.string("p2apst.partner_central_id");
  o.partner.terminal_id = config.string("p2apst.terminal_id");
  o.partner.merchant_type = config.string("p2apst.merchant_type");
  if (o.partner.switcher_id.empty() || o.partner.switcher_id.size() > 7 ||
      !in_charset(o.partner.switcher_id, Charset::kAns)) {
    return Status::invalid_argument("p2apst.switcher_id: must be 1..7 printable characters");
  }
  PINTAR_RETURN_IF_ERROR(check_digits(o.partner.bank_code, 1, 7, "p2apst.bank_code"));
  PINTAR_RETURN_IF_ERROR(check_digits(o.partner.partner_central_id, 1, 7, "p2apst.partner_central_id"));
  PINTAR_RETURN_IF_ERROR(check_digits(o.partner.merchant_type, 4, 4, "p2apst.merchant_type"));
  if (o.partner.terminal_id.size() > 16 || !in_charset(o.partner.terminal_id, Charset::kAns)) {
    return Status::invalid_argument("p2apst.terminal_id: at most 16 printable characters");
  }

  o.link.host = config.string("p2apst.host");
  o.link.port = static_cast<int>(config.integer("p2apst.port"));
  auto header = parse_length_header(config.string("p2apst.framing"));
  if (!header.ok()) return header.status();
  o.link.framing = {.header = *header,
                    .etx = config.boolean("p2apst.etx"),
                    .max_frame = static_cast<size_t>(config.integer("p2apst.max_frame_bytes"))};
  o.link.connect_timeout = Millis(config.integer("p2apst.connect_timeout_ms"));
  o.link.request_timeout = Millis(config.integer("p2apst.timeout_ms"));
  o.link.echo_interval = Millis(config.integer("p2apst.echo_interval_ms"));
  o.link.reconnect_min = Millis(config.integer("p2apst.reconnect_min_ms"));
  o.link.reconnect_max = Millis(config.integer("p2apst.reconnect_max_ms"));
  o.link.utc_offset_minutes = static_cast<int>(config.integer("p2apst.utc_offset_minutes"));
  if (o.link.reconnect_max < o.link.reconnect_min) {
    return Status::invalid_argument("p2apst.reconnect_max_ms: smaller than reconnect_min_ms");
  }

  auto start = parse_hhmm(config.string("p2apst.cutoff_start"), "p2apst.cutoff_start");
  if (!start.ok()) return start.status();
  auto end = parse_hhmm(config.string("p2apst.cutoff_end"), "p2apst.cutoff_end");
  if (!end.ok()) return end.status();
  o.cut_off = {*start, *end, static_cast<int>(config.integer("p2apst.utc_offset_minutes"))};

  o.advice.repeat_count = static_cast<int>(config.integer("p2apst.advice_repeat_count"));
  o.advice.repeat_interval = Millis(config.integer("p2apst.advice_interval_ms"));
  o.stan_file = (std::filesystem::path(config.string("state_dir")) / config.string("p2apst.stan_file")).string();
  return o;
}

}  // namespace pintar::p2apst
