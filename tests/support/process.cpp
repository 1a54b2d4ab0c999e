#include "tests/support/process.h"

#include <cstdlib>
#include <thread>

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

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds every) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

}  // namespace pintar::testing
