#include "cli/config_cli.h"

#include <memory>

#include <fmt/format.h>

#include "common/exit_codes.h"

namespace pintar::cli {

void add_config_commands(CLI::App& app, const Context& context) {
  CLI::App* config = app.add_subcommand("config", "Validate the configuration file or list its keys");
  config->require_subcommand(1);

  // Option values live in shared_ptrs owned by the callbacks, which CLI11 keeps as long as
  // the App: the options bind to them by reference.
  auto file = std::make_shared<std::string>();
  CLI::App* check = config->add_subcommand("check", "Validate FILE against the schema without starting anything");
  check->add_option("FILE", *file, "TOML configuration file")->required();
  check->callback([&context, file] {
    auto loaded = config::Config::load(*file, *context.schema);
    if (!loaded.ok()) fail(exit_code::kConfig, loaded.status().message());
    fmt::print("{}: OK\n", *file);
  });

  CLI::App* keys = config->add_subcommand("keys", "Print every configuration key as a Markdown table");
  keys->callback([&context] { fmt::print("{}", context.schema->markdown()); });
}

}  // namespace pintar::cli
