#include "vending/p2apst/stan.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <catch2/catch.hpp>

namespace pintar::p2apst {
namespace {

std::string temp_file() {
  std::string dir = (std::filesystem::temp_directory_path() / "pintar-stan-XXXXXX").string();
  REQUIRE(mkdtemp(dir.data()) != nullptr);
  return dir + "/p2apst.stan";
}

TEST_CASE("STANs are 12 digits and wrap to 1, never 0") {
  CHECK(format_stan(1) == "000000000001");
  CHECK(format_stan(999'999'999'999) == "999999999999");
  CHECK(format_stan(1'000'000'000'000) == "000000000001");
  MemoryStanSequence memory;
  CHECK(memory.next().value() == "000000000001");
  CHECK(memory.next().value() == "000000000002");
}

TEST_CASE("a restart never reuses a STAN, even after handing out part of a block") {
  const std::string path = temp_file();
  std::set<std::string> seen;
  {
    auto first = FileStanSequence::open(path);
    REQUIRE(first.ok());
    for (int i = 0; i < 150; ++i) seen.insert((*first)->next().value());
  }  // as if killed here: 50 numbers of the second block were never used
  auto second = FileStanSequence::open(path);
  REQUIRE(second.ok());
  const std::string next = (*second)->next().value();
  CHECK(!seen.contains(next));
  CHECK(next == "000000000201");
}

TEST_CASE("a damaged STAN file is reported, not reset") {
  const std::string path = temp_file();
  std::ofstream(path) << "12ab\n";
  CHECK(FileStanSequence::open(path).status().code() == StatusCode::kCorruption);
  CHECK(FileStanSequence::open("/nonexistent-dir/p2apst.stan").status().code() == StatusCode::kIoError);
}

TEST_CASE("a second allocator on the same STAN file is refused until the first is gone") {
  const std::string path = temp_file();
  auto first = FileStanSequence::open(path);
  REQUIRE(first.ok());
  CHECK((*first)->next().value() == "000000000001");
  // flock belongs to the open file description, so a second open() in this process
  // conflicts just as another process would.
  auto second = FileStanSequence::open(path);
  REQUIRE(second.status().code() == StatusCode::kUnavailable);
  CHECK(second.status().message().find("another pintar process") != std::string::npos);
  CHECK((*first)->next().value() == "000000000002");
  first->reset();
  auto third = FileStanSequence::open(path);
  REQUIRE(third.ok());
  CHECK((*third)->next().value() == "000000000101");
}

}  // namespace
}  // namespace pintar::p2apst
