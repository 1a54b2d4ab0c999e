#include "metrics/server.h"

#include <httplib.h>

#include <catch2/catch.hpp>

#include "metrics/exposition.h"

namespace pintar::metrics {
namespace {

enum TestCounter : size_t { kHits, kTestCounterCount };
constexpr size_t counter_count(TestCounter) { return kTestCounterCount; }
constexpr CounterSpec kTestCounters[] = {{"test.hits", "hits"}};

TEST_CASE("server: GET /metrics answers the registry's exposition as it is now") {
  Counters<TestCounter> counters(kTestCounters);
  Registry registry;
  registry.add(counters);
  auto server = Server::start("127.0.0.1", 0, registry);
  REQUIRE(server.ok());
  httplib::Client client("127.0.0.1", (*server)->port());
  auto first = client.Get("/metrics");
  REQUIRE(first);
  CHECK(first->status == 200);
  CHECK(first->get_header_value("Content-Type") == kContentType);
  CHECK(first->body.find("pintar_test_hits_total 0\n") != std::string::npos);
  counters.add(kHits, 2);
  auto second = client.Get("/metrics");
  REQUIRE(second);
  CHECK(second->body.find("pintar_test_hits_total 2\n") != std::string::npos);
  auto other = client.Get("/other");
  REQUIRE(other);
  CHECK(other->status == 404);
}

TEST_CASE("server: a second server on a port in use fails to start") {
  Registry registry;
  auto first = Server::start("127.0.0.1", 0, registry);
  REQUIRE(first.ok());
  auto second = Server::start("127.0.0.1", (*first)->port(), registry);
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == StatusCode::kIoError);
  // start_or_warn carries on without metrics.
  CHECK(start_or_warn("test", "127.0.0.1", (*first)->port(), registry) == nullptr);
  CHECK(start_or_warn("test", "127.0.0.1", 0, registry) == nullptr);  // 0: off
}

TEST_CASE("server: only loopback addresses") {
  Registry registry;
  auto server = Server::start("0.0.0.0", 0, registry);
  REQUIRE_FALSE(server.ok());
  CHECK(server.status().code() == StatusCode::kInvalidArgument);
  CHECK(is_loopback("127.0.0.1"));
  CHECK(is_loopback("127.9.9.9"));
  CHECK(is_loopback("::1"));
  CHECK(is_loopback("localhost"));
  CHECK_FALSE(is_loopback("128.0.0.1"));
  CHECK_FALSE(is_loopback("::"));
}

TEST_CASE("server: stop right after start returns (httplib runs before start returns)") {
  Registry registry;
  for (int i = 0; i < 20; ++i) {
    auto server = Server::start("127.0.0.1", 0, registry);
    REQUIRE(server.ok());
    (*server)->stop();
  }
}

}  // namespace
}  // namespace pintar::metrics
