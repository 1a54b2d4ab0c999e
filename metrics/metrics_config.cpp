#include "metrics/metrics_config.h"

#include <fmt/format.h>

#include "metrics/server.h"

namespace pintar::metrics {
namespace {

using config::Key;
using config::Type;

constexpr Key kMetricsKeys[] = {
    {.path = "metrics.listen", .type = Type::kString, .default_value = "127.0.0.1",
     .description = "Loopback address the daemons serve GET /metrics on (Prometheus text format, "
                    "docs/metrics.md); any other address is refused, as /metrics has no authentication."},
    {.path = "metrics.gateway_port", .type = Type::kInteger, .default_value = "9471",
     .description = "TCP port of `pintar gateway`'s /metrics; 0: none.", .min = 0, .max = 65535},
    {.path = "metrics.vending_port", .type = Type::kInteger, .default_value = "9472",
     .description = "TCP port of `pintar vending`'s /metrics; 0: none.", .min = 0, .max = 65535},
    {.path = "metrics.helpdesk_port", .type = Type::kInteger, .default_value = "9473",
     .description = "TCP port of `pintar helpdesk serve`'s /metrics; 0: none.", .min = 0, .max = 65535},
    {.path = "metrics.feed_port", .type = Type::kInteger, .default_value = "9474",
     .description = "TCP port of `pintar feed serve`'s /metrics; 0: none.", .min = 0, .max = 65535},
};

}  // namespace

std::span<const config::Key> config_keys() { return kMetricsKeys; }

std::string_view daemon_name(Daemon daemon) {
  switch (daemon) {
    case Daemon::kGateway: return "gateway";
    case Daemon::kVending: return "vending";
    case Daemon::kHelpdesk: return "helpdesk";
    case Daemon::kFeed: return "feed";
  }
  return "?";
}

Result<Daemon> daemon_from_name(std::string_view name) {
  for (Daemon daemon : kDaemons) {
    if (daemon_name(daemon) == name) return daemon;
  }
  return Status::invalid_argument(fmt::format("no daemon {} (gateway, vending, helpdesk or feed)", name));
}

int MetricsOptions::port(Daemon daemon) const {
  switch (daemon) {
    case Daemon::kGateway: return gateway_port;
    case Daemon::kVending: return vending_port;
    case Daemon::kHelpdesk: return helpdesk_port;
    case Daemon::kFeed: return feed_port;
  }
  return 0;
}

Result<MetricsOptions> metrics_options(const config::Config& config) {
  MetricsOptions o;
  o.listen = config.string("metrics.listen");
  if (!is_loopback(o.listen)) {
    return Status::invalid_argument(
        fmt::format("metrics.listen = \"{}\": only a loopback address (127.0.0.1, ::1, localhost) is allowed; "
                    "/metrics has no authentication, scrape it through a local agent or a proxy",
                    o.listen));
  }
  o.gateway_port = static_cast<int>(config.integer("metrics.gateway_port"));
  o.vending_port = static_cast<int>(config.integer("metrics.vending_port"));
  o.helpdesk_port = static_cast<int>(config.integer("metrics.helpdesk_port"));
  o.feed_port = static_cast<int>(config.integer("metrics.feed_port"));
  return o;
}

}  // namespace pintar::metrics
