// The [p2apst] configuration section: where the P2APST host is, how messages are framed,
// the timers, and the identities PLN assigned to us. Keys are documented in
// docs/configuration.md (generated from kP2apstKeys) and explained in docs/p2apst.md.
#ifndef PINTAR_VENDING_P2APST_P2APST_CONFIG_H_
#define PINTAR_VENDING_P2APST_P2APST_CONFIG_H_

#include <chrono>
#include <span>
#include <string>

#include "common/clock.h"
#include "common/config.h"
#include "common/status.h"
#include "vending/p2apst/framing.h"

namespace pintar::p2apst {

using Millis = std::chrono::milliseconds;

// Identities PLN assigns to a partner; they go into bits 32, 33, 41, 26 and bit 48.
struct Partner {
  std::string switcher_id;         // an7, bit 48 of 2800 and the start of every prepaid bit 48
  std::string bank_code;           // bit 32, n..7
  std::string partner_central_id;  // bit 33, n..7
  std::string terminal_id;         // bit 41, ans16 (right-padded with spaces when shorter)
  std::string merchant_type = "6021";  // bit 26 MCC
};

struct LinkOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  FramingOptions framing;
  Millis connect_timeout{5000};
  Millis request_timeout{40000};  // per request: no answer by then = outcome unknown
  Millis echo_interval{60000};    // idle time before a 2800/301 echo
  Millis reconnect_min{1000};     // backoff after a failed connect or a lost link ...
  Millis reconnect_max{60000};    // ... doubling up to this, with jitter
  int utc_offset_minutes = 7 * 60;  // local time of bit 12 (Asia/Jakarta, WIB)
};

// PLN's daily cut-off window in local time (minutes after midnight; may wrap midnight).
struct CutOff {
  int start_minute = 23 * 60 + 30;
  int end_minute = 30;
  int utc_offset_minutes = 7 * 60;  // Asia/Jakarta (WIB), no daylight saving
};

struct AdviceOptions {
  int repeat_count = 3;        // 2221 repeats after the first 2220
  Millis repeat_interval{35000};
};

struct Options {
  Partner partner;
  LinkOptions link;
  CutOff cut_off;
  AdviceOptions advice;
  std::string stan_file;  // absolute, resolved against state_dir
};

// Bit 12 / bit 15 text of a wall-clock instant in local time: "YYYYMMDDhhmmss".
std::string local_date_time(Clock::WallTime when, int utc_offset_minutes);
// True inside [start, end) of the daily cut-off (the window may wrap midnight; an empty
// window is never in force).
bool in_cut_off(const CutOff& cut_off, Clock::WallTime when);

std::span<const config::Key> config_keys();

// Reads and cross-checks the section (e.g. "23:30" times, switcher id width).
Result<Options> options_from(const config::Config& config);

}  // namespace pintar::p2apst

#endif  // PINTAR_VENDING_P2APST_P2APST_CONFIG_H_
