#include "cli/demo.h"

#include <fmt/format.h>

namespace pintar::cli {

void add_demo_command(CLI::App& app, const Context& context) {
  CLI::App* demo = app.add_subcommand("demo", "Run a local demonstration on built-in defaults");
  demo->callback([&context] {
    const config::Config config = context.load_config();
    fmt::print("pintar demo\n");
    fmt::print("  configuration: {} ({} keys declared)\n", config.source_name(), context.schema->keys().size());
  });
}

}  // namespace pintar::cli
