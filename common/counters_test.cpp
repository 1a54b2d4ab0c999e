#include "common/counters.h"

#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace pintar {
namespace {

enum TestCounter : size_t { kFirst, kSecond, kTestCounterCount };
constexpr size_t counter_count(TestCounter) { return kTestCounterCount; }
constexpr CounterSpec kTestCounters[] = {{"test.first", "the first"}, {"test.second", "the second"}};
static_assert(valid_counter_names(kTestCounters));

enum class Scoped : uint8_t { kA, kB, kC, kCount };
constexpr size_t counter_count(Scoped) { return static_cast<size_t>(Scoped::kCount); }
constexpr CounterSpec kScopedCounters[] = {{"scoped.a", ""}, {"scoped.b", ""}, {"scoped.c", ""}};

static_assert(valid_counter_name("gateway.mo_stored"));
static_assert(valid_counter_name("engine_link.auth_refused"));
static_assert(!valid_counter_name("gateway"));
static_assert(!valid_counter_name("gateway.mo.stored"));
static_assert(!valid_counter_name("Gateway.mo_stored"));
static_assert(!valid_counter_name("gateway.moStored"));
static_assert(!valid_counter_name("gateway.mo-stored"));
static_assert(!valid_counter_name(".mo_stored"));
static_assert(!valid_counter_name("gateway.1st"));
static_assert(!valid_counter_name("gateway.mo_"));

TEST_CASE("counters: typed add and value, read back untyped in table order") {
  Counters<TestCounter> counters(kTestCounters);
  counters.add(kSecond);
  counters.add(kSecond, 4);
  CHECK(counters.value(kFirst) == 0);
  CHECK(counters.value(kSecond) == 5);
  const CounterSet& set = counters;
  REQUIRE(set.specs().size() == 2);
  CHECK(set.specs()[1].name == "test.second");
  CHECK(set.value_at(1) == 5);
  CHECK(set.to_text() == "test.first 0\ntest.second 5\n");
}

TEST_CASE("counters: a scoped enum indexes its table") {
  Counters<Scoped> counters(kScopedCounters);
  counters.add(Scoped::kC, 2);
  CHECK(counters.value(Scoped::kC) == 2);
  CHECK(counters.value_at(2) == 2);
  CHECK(counters.value(Scoped::kA) == 0);
}

TEST_CASE("counters: adds from many threads are all counted") {
  Counters<TestCounter> counters(kTestCounters);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&counters] {
      for (int i = 0; i < 10000; ++i) counters.add(kFirst);
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(counters.value(kFirst) == 40000);
}

}  // namespace
}  // namespace pintar
