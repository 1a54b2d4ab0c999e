#include "cli/gateway_cli.h"

#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/stats_cli.h"
#include "common/daemon.h"
#include "common/exit_codes.h"
#include "gateway/gateway.h"
#include "gateway/gateway_config.h"
#include "metrics/registry.h"
#include "metrics/server.h"

namespace pintar::gateway {

void add_gateway_commands(CLI::App& app, const cli::Context& context) {
  CLI::App* command = app.add_subcommand(
      "gateway", "Run the SMS gateway: bind to the [[smsc]] SMSCs and serve the vending engine over ZeroMQ");
  // Owned by the callback, which CLI11 keeps as long as the App (the flag binds to it).
  auto check = std::make_shared<bool>(false);
  command->add_flag("--check", *check,
                    "Load the configuration and its secrets as a start would, then exit: 0 when "
                    "they are usable, 78 when not. Binds nothing, opens no queue");
  command->callback([&context, check] {
    if (*check) {
      const config::Config config = context.load_config();
      auto options = options_from(config);
      if (!options.ok()) cli::fail(exit_code::kConfig, options.status().message());
      cli::metrics_options_or_fail(config);
      fmt::print("gateway configuration: OK\n");
      return;
    }
    // Block SIGTERM/SIGINT before any thread starts, so every thread inherits the mask.
    auto shutdown = daemon::ShutdownSignal::install();
    if (!shutdown.ok()) cli::fail(exit_code::for_status(shutdown.status()), shutdown.status().to_string());
    const config::Config config = context.load_config();
    auto options = options_from(config);
    if (!options.ok()) cli::fail(exit_code::kConfig, options.status().message());
    const metrics::MetricsOptions metrics_options = cli::metrics_options_or_fail(config);
    auto gateway = Gateway::open(std::move(options).value());
    if (!gateway.ok()) cli::fail(exit_code::for_status(gateway.status()), gateway.status().to_string());
    // /metrics (docs/metrics.md); stopped before the gateway it reads goes.
    const GatewayInstruments instruments = (*gateway)->instruments();
    metrics::Registry registry;
    registry.add(*instruments.gateway);
    registry.add(*instruments.engine_link);
    for (const auto& bind : instruments.binds) registry.add(*bind.counters, {{"smsc", bind.smsc}, {"bind", bind.bind}});
    for (const auto& smsc : instruments.smscs) registry.add(*smsc.submit_to_receipt, {{"smsc", smsc.smsc}});
    auto metrics_server = metrics::start_or_warn("gateway", metrics_options.listen, metrics_options.gateway_port, registry);
    if (Status status = (*gateway)->run(*shutdown); !status.ok()) {
      cli::fail(exit_code::for_status(status), status.to_string());
    }
  });
}

}  // namespace pintar::gateway
