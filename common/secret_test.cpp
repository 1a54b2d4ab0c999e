#include "common/secret.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

namespace pintar {
namespace {

TEST_CASE("a secret never prints its bytes", "[secret]") {
  auto secret = Secret::load("hex:DEADBEEF");
  REQUIRE(secret.ok());
  CHECK(secret->size() == 4);
  const std::string shown = fmt::format("{}", *secret);
  CHECK(shown == "<secret: 4 bytes>");
  CHECK(shown.find("DEADBEEF") == std::string::npos);
}

TEST_CASE("secrets load from files, credentials and the environment", "[secret]") {
  const auto dir = std::filesystem::temp_directory_path() / "pintar-secret-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "raw") << "abc";
  std::ofstream(dir / "hex") << "616263\n";
  ::setenv("PINTAR_TEST_SECRET", "616263", 1);
  ::setenv("CREDENTIALS_DIRECTORY", dir.c_str(), 1);

  const Secret expected(std::vector<uint8_t>{'a', 'b', 'c'});
  for (const std::string& spec : {"file:" + (dir / "raw").string(), "hexfile:" + (dir / "hex").string(),
                                 std::string("env:PINTAR_TEST_SECRET"), std::string("credential:raw")}) {
    INFO(spec);
    auto loaded = Secret::load(spec);
    REQUIRE(loaded.ok());
    CHECK(*loaded == expected);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("raw keys keep every byte; text secrets drop the trailing newline", "[secret]") {
  const auto dir = std::filesystem::temp_directory_path() / "pintar-secret-binary-test";
  std::filesystem::create_directories(dir);
  ::setenv("CREDENTIALS_DIRECTORY", dir.c_str(), 1);
  // A 32-byte key whose random last bytes happen to be CR LF.
  std::vector<uint8_t> key(32);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(0x41 + i);
  key[30] = 0x0d;
  key[31] = 0x0a;
  std::ofstream(dir / "key", std::ios::binary).write(reinterpret_cast<const char*>(key.data()), key.size());
  std::ofstream(dir / "password") << "s3cret\r\n";

  for (const std::string& spec : {"file:" + (dir / "key").string(), std::string("credential:key")}) {
    INFO(spec);
    auto loaded = Secret::load(spec);
    REQUIRE(loaded.ok());
    CHECK(loaded->size() == 32);
    CHECK(*loaded == Secret(key));
  }
  for (const std::string& spec : {"file:" + (dir / "password").string(), std::string("credential:password")}) {
    INFO(spec);
    auto loaded = Secret::load_text(spec);
    REQUIRE(loaded.ok());
    CHECK(*loaded == Secret(std::vector<uint8_t>{'s', '3', 'c', 'r', 'e', 't'}));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("bad secret specs fail without echoing the secret", "[secret]") {
  auto bad_hex = Secret::load("hex:00ZZ");
  REQUIRE_FALSE(bad_hex.ok());
  CHECK(bad_hex.status().message().find("ZZ") == std::string::npos);
  CHECK_FALSE(Secret::load("nokind").ok());
  CHECK_FALSE(Secret::load("file:/nonexistent/pintar").ok());
  CHECK_FALSE(Secret::load("env:PINTAR_UNSET_VARIABLE_XYZ").ok());
}

TEST_CASE("secrets compare by content", "[secret]") {
  CHECK(Secret(std::vector<uint8_t>{1, 2}) == Secret(std::vector<uint8_t>{1, 2}));
  CHECK_FALSE(Secret(std::vector<uint8_t>{1, 2}) == Secret(std::vector<uint8_t>{1, 3}));
  CHECK_FALSE(Secret(std::vector<uint8_t>{1, 2}) == Secret(std::vector<uint8_t>{1, 2, 3}));
}

}  // namespace
}  // namespace pintar
