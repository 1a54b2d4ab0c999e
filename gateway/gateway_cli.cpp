#include "gateway/gateway_cli.h"

#include <spdlog/spdlog.h>

#include "common/daemon.h"
#include "common/exit_codes.h"
#include "gateway/gateway.h"
#include "gateway/gateway_config.h"

namespace pintar::gateway {

void add_gateway_commands(CLI::App& app, const cli::Context& context) {
  CLI::App* command = app.add_subcommand(
      "gateway", "Run the SMS gateway: bind to the [[smsc]] SMSCs and serve the vending engine over ZeroMQ");
  command->callback([&context] {
    // Block SIGTERM/SIGINT before any thread starts, so every thread inherits the mask.
    auto shutdown = daemon::ShutdownSignal::install();
    if (!shutdown.ok()) cli::fail(exit_code::kSoftware, shutdown.status().to_string());
    const config::Config config = context.load_config();
    auto options = options_from(config);
    if (!options.ok()) cli::fail(exit_code::kConfig, options.status().message());
    auto gateway = Gateway::open(std::move(options).value());
    if (!gateway.ok()) {
      const bool endpoint = gateway.status().code() == StatusCode::kUnavailable;
      cli::fail(endpoint ? exit_code::kUnavailable : exit_code::kIoError, gateway.status().to_string());
    }
    if (Status status = (*gateway)->run(*shutdown); !status.ok()) {
      cli::fail(exit_code::kSoftware, status.to_string());
    }
  });
}

}  // namespace pintar::gateway
