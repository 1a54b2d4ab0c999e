#include "common/status.h"

#include "common/exit_codes.h"

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

TEST_CASE("every StatusCode has one exit code, the same for every command", "[status][cli]") {
  // sysexits(3): 65 bad data, 74 I/O, 75 try again later, 70 a bug.
  CHECK(exit_code::for_status(Status()) == 0);
  CHECK(exit_code::for_status(Status::invalid_argument("x")) == 65);
  CHECK(exit_code::for_status(Status::already_exists("x")) == 65);
  CHECK(exit_code::for_status(Status::corruption("x")) == 65);
  CHECK(exit_code::for_status(Status::not_found("x")) == 74);
  CHECK(exit_code::for_status(Status::io_error("x")) == 74);
  CHECK(exit_code::for_status(Status::failed_precondition("x")) == 65);
  CHECK(exit_code::for_status(Status::unavailable("x")) == 75);
  CHECK(exit_code::for_status(Status::timeout("x")) == 75);
  CHECK(exit_code::for_status(Status::resource_exhausted("x")) == 75);
  CHECK(exit_code::for_status(StatusCode::kCancelled) == 75);
  CHECK(exit_code::for_status(StatusCode::kInternal) == 70);
}

}  // namespace
}  // namespace pintar
