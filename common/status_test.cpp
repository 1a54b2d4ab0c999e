#include "common/status.h"

#include <catch2/catch.hpp>

namespace pintar {
namespace {

Result<int> parse_positive(int n) {
  if (n <= 0) return Status::invalid_argument(fmt::format("{} is not positive", n));
  return n;
}

Status twice(int n) {
  PINTAR_RETURN_IF_ERROR(parse_positive(n).status());
  return Status::ok_status();
}

TEST_CASE("an ok Status carries no message", "[status]") {
  Status s;
  CHECK(s.ok());
  CHECK(s.to_string() == "OK");
  CHECK(s.with_context("ignored").ok());
}

TEST_CASE("a failed Status keeps its code and gains context", "[status]") {
  Status s = Status::not_found("meter 14012345678").with_context("ledger");
  CHECK_FALSE(s.ok());
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(s.to_string() == "NotFound: ledger: meter 14012345678");
  CHECK(fmt::format("{}", s) == s.to_string());
}

TEST_CASE("Result holds a value or a failure", "[status]") {
  auto good = parse_positive(7);
  REQUIRE(good.ok());
  CHECK(*good == 7);
  CHECK(good.status().ok());

  auto bad = parse_positive(-1);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.value_or(42) == 42);
}

TEST_CASE("PINTAR_RETURN_IF_ERROR returns the first failure", "[status]") {
  CHECK(twice(3).ok());
  CHECK(twice(0).code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pintar
