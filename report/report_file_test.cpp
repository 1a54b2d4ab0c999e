#include "report/report_file.h"

#include <csignal>
#include <filesystem>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "report/test_support.h"

namespace pintar::report {
namespace {

using testing::expected_trailer;
using testing::read_file;

size_t entries_in(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST_CASE("csv_field quotes only what RFC 4180 needs", "[report][file]") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("") == "");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(csv_field("cr\r") == "\"cr\r\"");
}

TEST_CASE("a report file is the body, then the row count and the body's SHA-256", "[report][file]") {
  const std::string dir = store::testing::make_temp_dir();
  auto file = ReportFile::create(dir, "r.csv");
  REQUIRE(file.ok());
  REQUIRE((*file)->header({"header", "x", "a"}).ok());
  REQUIRE((*file)->row({"x", "1,2"}).ok());
  REQUIRE((*file)->row({"x", "3"}).ok());
  CHECK(entries_in(dir) == 1);  // the temporary only
  CHECK_FALSE(std::filesystem::exists(dir + "/r.csv"));
  REQUIRE((*file)->commit().ok());
  const std::string text = read_file(dir + "/r.csv");
  CHECK(text.starts_with("header,x,a\nx,\"1,2\"\nx,3\ntrailer,2,"));
  CHECK(text == "header,x,a\nx,\"1,2\"\nx,3\n" + expected_trailer(text, 2) + "\n");
  CHECK(entries_in(dir) == 1);
}

TEST_CASE("a file that appears before the commit is kept and the commit refused", "[report][file]") {
  const std::string dir = store::testing::make_temp_dir();
  auto file = ReportFile::create(dir, "r.csv");
  REQUIRE(file.ok());
  REQUIRE((*file)->row({"x", "1"}).ok());
  {
    auto other = ReportFile::create(dir, "r.csv");
    REQUIRE(other.ok());
    REQUIRE((*other)->row({"other"}).ok());
    REQUIRE((*other)->commit().ok());
  }
  const std::string first = read_file(dir + "/r.csv");
  CHECK((*file)->commit().code() == StatusCode::kAlreadyExists);
  file->reset();
  CHECK(read_file(dir + "/r.csv") == first);
  CHECK(entries_in(dir) == 1);
}

TEST_CASE("a write that fails leaves no file and no temporary", "[report][file]") {
  const std::string dir = store::testing::make_temp_dir();
  // A file size limit makes write() fail with EFBIG (for root too, unlike a read-only
  // directory); SIGXFSZ would otherwise kill the test.
  struct rlimit saved {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  Status status;
  {
    auto file = ReportFile::create(dir, "big.csv");
    REQUIRE(file.ok());
    for (int i = 0; i < 2000 && status.ok(); ++i) status = (*file)->row({"row", std::to_string(i), "padding padding"});
    if (status.ok()) status = (*file)->commit();
  }
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &saved) == 0);
  std::signal(SIGXFSZ, old_handler);
  CHECK(status.code() == StatusCode::kIoError);
  CHECK(entries_in(dir) == 0);
}

TEST_CASE("a directory that cannot be written to is an IoError and leaves nothing", "[report][file]") {
  if (::geteuid() == 0) {
    WARN("running as root: a read-only directory does not stop root; the size-limit case covers the write");
    return;
  }
  const std::string dir = store::testing::make_temp_dir() + "/ro";
  REQUIRE(::mkdir(dir.c_str(), 0500) == 0);
  auto file = ReportFile::create(dir, "r.csv");
  CHECK(file.status().code() == StatusCode::kIoError);
  CHECK(entries_in(dir) == 0);
}

}  // namespace
}  // namespace pintar::report
