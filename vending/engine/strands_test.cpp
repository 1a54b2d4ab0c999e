#include "vending/engine/strands.h"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace pintar::engine {
namespace {

TEST_CASE("strands run one key's tasks one at a time and in order, keys in parallel") {
  Strands strands(3);
  std::mutex mutex;
  std::map<std::string, std::vector<int>> seen;
  std::map<std::string, int> running;
  std::atomic<int> overlaps{0};
  for (int i = 0; i < 200; ++i) {
    const std::string key = "k" + std::to_string(i % 4);
    strands.post(key, [&, key, i] {
      {
        std::lock_guard lock(mutex);
        if (++running[key] > 1) ++overlaps;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
      std::lock_guard lock(mutex);
      --running[key];
      seen[key].push_back(i);
    });
  }
  strands.drain();
  CHECK(overlaps == 0);
  REQUIRE(seen.size() == 4);
  for (const auto& [key, order] : seen) {
    CHECK(order.size() == 50);
    CHECK(std::is_sorted(order.begin(), order.end()));
  }
}

TEST_CASE("a task may post to its own key; stop drops what is queued") {
  Strands strands(2);
  std::atomic<int> ran{0};
  strands.post("a", [&] {
    ++ran;
    strands.post("a", [&] { ++ran; });
  });
  strands.drain();
  CHECK(ran == 2);
  strands.stop();
  strands.post("a", [&] { ++ran; });
  CHECK(ran == 2);
}

}  // namespace
}  // namespace pintar::engine
