#include "tests/support/process.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace pintar::testing {

std::string source_path(const std::string& relative) {
  const char* root = std::getenv("PINTAR_SOURCE_DIR");
  return std::string(root != nullptr ? root : ".") + "/" + relative;
}

std::string pintar_binary() {
  const char* path = std::getenv("PINTAR_BINARY");
  return path != nullptr ? path : "pintar";
}

std::string make_temp_dir(const std::string& name) {
  std::string pattern = (std::filesystem::temp_directory_path() / ("pintar-" + name + "-XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
  return pattern;
}

}  // namespace pintar::testing
