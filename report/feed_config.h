// The [feed] configuration keys (the single source for validation and docs/configuration.md)
// and FeedConfig: what `pintar feed` delivers to (docs/pln-feed.md).
#ifndef PINTAR_REPORT_FEED_CONFIG_H_
#define PINTAR_REPORT_FEED_CONFIG_H_

#include <span>
#include <string>

#include "common/config.h"
#include "common/status.h"
#include "report/feed.h"

namespace pintar::report {

std::span<const config::Key> feed_config_keys();

struct FeedConfig {
  std::string url{};            // empty: no HTTP feed
  std::string secret_source{};  // common/secret.h spec; required with url
  std::string ca_file{};
  std::chrono::milliseconds timeout{10'000};
  std::string pub_endpoint{};   // empty: no ZeroMQ PUB
  FeedOptions pump{};
};

// InvalidArgument: url set without a secret, backoff_min above backoff_max.
Result<FeedConfig> feed_config(const config::Config& config);

}  // namespace pintar::report

#endif  // PINTAR_REPORT_FEED_CONFIG_H_
