// How read commands print: one convention for every `pintar` command that shows something.
//
// Every read command takes `--format text|json` (text by default). JSON is the whole answer
// as one document, pretty-printed, for scripts; text is for a person at a terminal, in one
// style: a label column, then the value ("meter       14012345678"), nested objects as
// dotted labels ("meaning.kind"), arrays of objects as blocks separated by a blank line.
// Commands with a hand-made text layout (timelines, tables) keep it and use print_json for
// the other format; either way the option is declared by add_format_option, so its name,
// values and help are the same everywhere.
#ifndef PINTAR_CLI_OUTPUT_H_
#define PINTAR_CLI_OUTPUT_H_

#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace pintar::cli {

// Declares --format text|json on `command`, writing into `format` (which keeps its default).
CLI::Option* add_format_option(CLI::App& command, std::string& format);

void print_json(const nlohmann::json& document);

// The text style above; scalars print as themselves (strings unquoted, null as "-").
void print_text(const nlohmann::json& document);

// print_json or print_text, as `format` says.
void print_as(const std::string& format, const nlohmann::json& document);

}  // namespace pintar::cli

#endif  // PINTAR_CLI_OUTPUT_H_
