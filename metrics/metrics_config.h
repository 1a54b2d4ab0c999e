// The [metrics] configuration keys (the single source for validation and
// docs/configuration.md), and MetricsOptions: where each daemon serves GET /metrics.
#ifndef PINTAR_METRICS_METRICS_CONFIG_H_
#define PINTAR_METRICS_METRICS_CONFIG_H_

#include <span>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/status.h"

namespace pintar::metrics {

std::span<const config::Key> config_keys();

enum class Daemon { kGateway, kVending, kHelpdesk, kFeed };
inline constexpr Daemon kDaemons[] = {Daemon::kGateway, Daemon::kVending, Daemon::kHelpdesk, Daemon::kFeed};

// "gateway", "vending", "helpdesk"; from_name: InvalidArgument for anything else.
std::string_view daemon_name(Daemon daemon);
Result<Daemon> daemon_from_name(std::string_view name);

struct MetricsOptions {
  std::string listen = "127.0.0.1";
  int gateway_port = 9471;  // 0: no metrics server
  int vending_port = 9472;
  int helpdesk_port = 9473;
  int feed_port = 9474;

  int port(Daemon daemon) const;
};

// InvalidArgument when metrics.listen is not a loopback address: counters tell a lot about
// the traffic, and /metrics has no authentication.
Result<MetricsOptions> metrics_options(const config::Config& config);

}  // namespace pintar::metrics

#endif  // PINTAR_METRICS_METRICS_CONFIG_H_
