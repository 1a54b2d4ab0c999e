#include "common/temp_dir.h"

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>

namespace pintar {

std::string make_temp_dir(std::string_view name) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / ("pintar-" + std::string(name) + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern + " failed");
  return pattern;
}

}  // namespace pintar
