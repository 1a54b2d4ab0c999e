// pintar: one executable, one subcommand per role. This file only wires the modules'
// subcommands together and turns errors into exit codes (common/exit_codes.h).
#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/config_cli.h"
#include "cli/demo.h"
#include "cli/feed_cli.h"
#include "cli/helpdesk_cli.h"
#include "cli/keys_cli.h"
#include "cli/purchases_cli.h"
#include "cli/report_cli.h"
#include "cli/schema.h"
#include "cli/stats_cli.h"
#include "cli/vending_cli.h"
#include "common/cli_context.h"
#include "common/exit_codes.h"
#include "cli/gateway_cli.h"
#include "cli/p2apst_cli.h"
#include "cli/sts_cli.h"
#include "cli/store_cli.h"

namespace {

// CLI11 answers --help before it looks at the other words, so `pintar NOSUCH --help` would
// print the top-level help and exit 0: a script would take a typo for success. Walk the words
// down the subcommand tree first; a word where a subcommand is expected must name one.
// Returns the unknown word, or empty.
std::string unknown_subcommand(CLI::App& app, int argc, char** argv) {
  CLI::App* at = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "--") return {};
    if (word.starts_with("-")) {
      // An option of this level that takes a value consumes the next word (`-c FILE`).
      if (word.find('=') == std::string_view::npos) {
        const CLI::Option* option = at->get_option_no_throw(std::string(word));
        if (option != nullptr && option->get_type_size() != 0 && i + 1 < argc) ++i;
      }
      continue;
    }
    // A level that takes positional words (e.g. `config check FILE`) ends the walk.
    const std::vector<CLI::App*> subcommands = at->get_subcommands(std::function<bool(CLI::App*)>{});
    if (subcommands.empty()) return {};
    const auto next = std::find_if(subcommands.begin(), subcommands.end(),
                                   [&](CLI::App* sub) { return sub->check_name(std::string(word)); });
    if (next == subcommands.end()) return std::string(word);
    at = *next;
  }
  return {};
}

}  // namespace

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
  cli::add_feed_command(app, context);
  cli::add_helpdesk_commands(app, context);
  cli::add_keys_commands(app);
  cli::add_purchases_commands(app, context);
  cli::add_report_commands(app, context);
  cli::add_stats_command(app, context);
  cli::add_vending_command(app, context);
  gateway::add_gateway_commands(app, context);
  p2apst::add_p2apst_commands(app, context);
  sts::add_sts_commands(app, context);
  store::add_store_commands(app, context);

  if (const std::string unknown = unknown_subcommand(app, argc, argv); !unknown.empty()) {
    fmt::print(stderr, "pintar: unknown command '{}' (see 'pintar --help')\n", unknown);
    return exit_code::kUsage;
  }
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
