// pintar: one executable, one subcommand per role. This file only wires the modules'
// subcommands together and turns errors into exit codes (common/exit_codes.h).
#include <cstdio>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/config_cli.h"
#include "cli/demo.h"
#include "cli/schema.h"
#include "common/cli_context.h"
#include "common/exit_codes.h"
#include "gateway/gateway_cli.h"
#include "vending/p2apst/p2apst_cli.h"
#include "vending/sts/sts_cli.h"
#include "store/store_cli.h"

#ifndef PINTAR_VERSION
#define PINTAR_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  using namespace pintar;
  const config::Schema schema = cli::full_schema();
  cli::Context context{.schema = &schema, .config_path = {}};

  CLI::App app("pintar: Operator Data middleware for PLN two-way prepaid meters", "pintar");
  app.set_version_flag("--version", std::string("pintar ") + PINTAR_VERSION);
  app.add_option("-c,--config", context.config_path, "TOML configuration file (default: built-in defaults)");
  app.require_subcommand(1);

  cli::add_config_commands(app, context);
  cli::add_demo_command(app, context);
  gateway::add_gateway_commands(app, context);
  p2apst::add_p2apst_commands(app, context);
  sts::add_sts_commands(app, context);
  store::add_store_commands(app, context);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {
    if (std::string_view(e.what()).size() > 0) fmt::print(stderr, "pintar: {}\n", e.what());
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    // One line, so that scripts can show it as it is.
    fmt::print(stderr, "pintar: {} (see 'pintar --help')\n", e.what());
    return exit_code::kUsage;
  }
  return exit_code::kOk;
}
