// The [helpdesk] configuration keys (the single source for validation and
// docs/configuration.md), and HelpdeskOptions, what `pintar helpdesk serve` runs with.
#ifndef PINTAR_HELPDESK_HELPDESK_CONFIG_H_
#define PINTAR_HELPDESK_HELPDESK_CONFIG_H_

#include <cstdint>
#include <span>
#include <string>

#include "common/config.h"
#include "common/status.h"

namespace pintar::helpdesk {

std::span<const config::Key> config_keys();

struct HelpdeskOptions {
  std::string listen = "127.0.0.1";
  int port = 8480;
  std::string tls_certificate{};  // PEM files; both set: HTTPS, both empty: HTTP
  std::string tls_private_key{};
  int64_t rate_limit_per_minute = 120;
  int threads = 4;
  std::string web_root{};  // empty: the caller's default (the installed page)
  std::string vending_key_source{};  // empty: vending.vending_key
  std::string kek_source{};          // empty: vending.kek
};

// InvalidArgument when only one of the TLS files is set.
Result<HelpdeskOptions> helpdesk_options(const config::Config& config);

}  // namespace pintar::helpdesk

#endif  // PINTAR_HELPDESK_HELPDESK_CONFIG_H_
