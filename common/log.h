// Logging: spdlog, configured once per process from the [log] config section.
//
// Modules log through spdlog's default logger (spdlog::info(...)), which is thread-safe.
// What may never appear in a log line: PINs, keys, API keys (wrap them in pintar::Secret,
// which cannot be formatted), and full tokens or full subscriber numbers: pass them through
// mask_token() / mask_msisdn(). The ledger is the only place a whole token is kept.
#ifndef PINTAR_COMMON_LOG_H_
#define PINTAR_COMMON_LOG_H_

#include <string>
#include <string_view>

#include "common/config.h"
#include "common/status.h"

namespace pintar::log {

struct Options {
  std::string level = "info";  // trace|debug|info|warn|error|off
  std::string format = "text";  // text|json
};

Options options_from(const config::Config& config);

// Replaces the default logger with one writing to stderr in the chosen format (journald
// picks stderr up under systemd). Call before starting threads.
Status init(const Options& options);

// "51043465443420856213" -> "5104-****-****-****-6213". Anything that is not 20 digits is
// masked whole except its length.
std::string mask_token(std::string_view token);

// "6281234567890" -> "62812*****890": enough to tell numbers apart in a log, not to call one.
std::string mask_msisdn(std::string_view msisdn);

}  // namespace pintar::log

#endif  // PINTAR_COMMON_LOG_H_
