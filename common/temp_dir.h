// Scratch directories for tests and benches: one mkdtemp under $TMPDIR (the test main makes
// that a per-process directory, tests/catch_main.cpp), named so a kept one says whose it was.
#ifndef PINTAR_COMMON_TEMP_DIR_H_
#define PINTAR_COMMON_TEMP_DIR_H_

#include <string>
#include <string_view>

namespace pintar {

// A fresh directory "pintar-<name>-XXXXXX" under the temp directory; throws
// std::runtime_error when none can be made (a test cannot go on without it).
std::string make_temp_dir(std::string_view name);

}  // namespace pintar

#endif  // PINTAR_COMMON_TEMP_DIR_H_
