#include "tests/support/process.h"

#include <cstdlib>

#include "common/temp_dir.h"

namespace pintar::testing {

std::string source_path(const std::string& relative) {
  const char* root = std::getenv("PINTAR_SOURCE_DIR");
  return std::string(root != nullptr ? root : ".") + "/" + relative;
}

std::string pintar_binary() {
  const char* path = std::getenv("PINTAR_BINARY");
  return path != nullptr ? path : "pintar";
}

std::string make_temp_dir(const std::string& name) { return pintar::make_temp_dir(name); }

}  // namespace pintar::testing
