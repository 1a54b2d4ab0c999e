#include "vending/engine/engine_keys.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "common/hex.h"

namespace pintar::engine {
namespace {

// The modem key of meters/modem_auth_test.cpp (000102..1F) and a second one.
constexpr std::string_view kKeyHex = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
constexpr std::string_view kOtherKeyHex = "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF";
// The DKGA02 vending key of the STS 531-1-0-02 conformance test (vending/sts/decoder_key_test.cpp).
constexpr std::string_view kVkHex = "ABABABABABABABAB";
constexpr std::string_view kKekHex = "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF";

std::string temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "pintar-keys-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

std::string write_file(const std::string& path, std::string_view content, mode_t mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  REQUIRE(::chmod(path.c_str(), mode) == 0);
  return path;
}

void check_no_key_in(const Status& status) {
  CHECK(status.message().find(kKeyHex) == std::string::npos);
  CHECK(status.message().find(kKeyHex.substr(0, 16)) == std::string::npos);
  CHECK(status.message().find(kOtherKeyHex) == std::string::npos);
  CHECK(status.message().find(kVkHex) == std::string::npos);
  CHECK(status.message().find(kKekHex) == std::string::npos);
}

TEST_CASE("a modem keyring file: one key a line, comments, modes", "[engine][keys]") {
  const std::string dir = temp_dir();
  const std::string text = fmt::format(
      "# key id, meter, key\n"
      "M1400001 14000000001 {}\n"
      "\n"
      "M1400002   14000000002\t{}   # rotated 2026-11\n",
      kKeyHex, kOtherKeyHex);
  const std::string path = write_file(dir + "/modem.keys", text, 0600);
  for (const std::string& source : {path, "file:" + path}) {
    auto keyring = load_modem_keyring(source);
    REQUIRE(keyring.ok());
    auto one = (*keyring)->find("M1400001");
    REQUIRE(one.ok());
    CHECK(one->modem_id == "14000000001");
    CHECK(hex_encode(one->key.bytes()) == kKeyHex);
    auto two = (*keyring)->find("M1400002");
    REQUIRE(two.ok());
    CHECK(two->modem_id == "14000000002");
    CHECK(two->key.size() == 16);
    CHECK((*keyring)->find("M1400003").status().code() == StatusCode::kNotFound);
  }

  SECTION("0640 is fine, world-readable or group-writable is refused") {
    REQUIRE(::chmod(path.c_str(), 0640) == 0);
    CHECK(load_modem_keyring(path).ok());
    for (mode_t mode : {0644, 0604, 0660, 0666, 0601}) {
      REQUIRE(::chmod(path.c_str(), mode) == 0);
      auto refused = load_modem_keyring(path);
      REQUIRE_FALSE(refused.ok());
      CHECK(refused.status().code() == StatusCode::kFailedPrecondition);
      CHECK_THAT(refused.status().message(), Catch::Contains("0600 or 0640"));
      check_no_key_in(refused.status());
    }
  }
  SECTION("a credential") {
    REQUIRE(::setenv("CREDENTIALS_DIRECTORY", dir.c_str(), 1) == 0);
    CHECK(load_modem_keyring("credential:modem.keys").ok());
    ::unsetenv("CREDENTIALS_DIRECTORY");
    CHECK(load_modem_keyring("credential:modem.keys").status().code() == StatusCode::kNotFound);
  }
  SECTION("a directory, a missing file") {
    CHECK_FALSE(load_modem_keyring(dir).ok());
    CHECK(load_modem_keyring(dir + "/nothing").status().code() == StatusCode::kNotFound);
  }
}

TEST_CASE("a bad modem keyring line is refused by its number, never quoting the key", "[engine][keys]") {
  const std::string dir = temp_dir();
  const std::string good = fmt::format("M1400001 14000000001 {}\n", kKeyHex);
  struct Case {
    std::string line;
    std::string_view why;
  };
  const Case cases[] = {
      {fmt::format("M1400002 14000000002\n"), "three words"},
      {fmt::format("M1400002 1400000000 {}\n", kOtherKeyHex), "11 digits"},
      {fmt::format("M1400002 14000000002 {}Z\n", kOtherKeyHex), "not hex"},
      {fmt::format("M1400002 14000000002 {}\n", kOtherKeyHex.substr(0, 30)), "16 to 64 bytes"},
      {fmt::format("m1400002 14000000002 {}\n", kOtherKeyHex), "line 2"},  // lower case key id
      {fmt::format("M1400001 14000000002 {}\n", kOtherKeyHex), "twice"},
  };
  for (const Case& c : cases) {
    const std::string path = write_file(dir + "/modem.keys", good + c.line, 0600);
    auto refused = load_modem_keyring(path);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() != StatusCode::kOk);
    CHECK_THAT(refused.status().message(), Catch::Contains("line 2"));
    CHECK_THAT(refused.status().message(), Catch::Contains(std::string(c.why)));
    check_no_key_in(refused.status());
  }
}

TEST_CASE("a vending key wrapped at rest unwraps in memory under its KEK", "[engine][keys]") {
  const std::string dir = temp_dir();
  const Secret kek = Secret::load(fmt::format("hex:{}", kKekHex)).value();
  const auto vk_bytes = hex_decode(kVkHex).value();
  const auto wrapped = wrap_vending_key(kek, vk_bytes).value();
  const std::string wrapped_path =
      write_file(dir + "/vk.wrapped", std::string_view(reinterpret_cast<const char*>(wrapped.data()), wrapped.size()), 0600);
  const std::string kek_path = write_file(dir + "/kek.hex", std::string(kKekHex) + "\n", 0600);
  REQUIRE(::setenv("PINTAR_TEST_KEK", std::string(kKekHex).c_str(), 1) == 0);

  for (const std::string& kek_source : {std::string("env:PINTAR_TEST_KEK"), "hexfile:" + kek_path}) {
    auto vk = load_vending_key("file:" + wrapped_path, kek_source);
    REQUIRE(vk.ok());
    CHECK(vk->derivation() == sts::KeyDerivation::kDkga02);
    // ABAB.. already has odd parity, so the import keeps it as it is.
    CHECK(hex_encode(vk->secret().bytes()) == kVkHex);
  }
  // Hex at rest too, and a 20-byte DKGA04 key (531-1-0-04's).
  const auto vk04 = hex_decode("ABABABABABABABAB949494949494949401234567").value();
  const std::string hex_path = write_file(dir + "/vk04.hex", hex_encode(wrap_vending_key(kek, vk04).value()), 0640);
  auto dkga04 = load_vending_key("hexfile:" + hex_path, "env:PINTAR_TEST_KEK");
  REQUIRE(dkga04.ok());
  CHECK(dkga04->derivation() == sts::KeyDerivation::kDkga04);

  SECTION("the wrong KEK, an altered file, a short KEK") {
    REQUIRE(::setenv("PINTAR_TEST_KEK2", std::string(32 * 2, 'A').c_str(), 1) == 0);
    auto wrong = load_vending_key("file:" + wrapped_path, "env:PINTAR_TEST_KEK2");
    CHECK(wrong.status().code() == StatusCode::kCorruption);
    check_no_key_in(wrong.status());
    auto altered_bytes = wrapped;
    altered_bytes[20] ^= 1;
    const std::string altered = write_file(
        dir + "/vk.altered", std::string_view(reinterpret_cast<const char*>(altered_bytes.data()), altered_bytes.size()),
        0600);
    CHECK(load_vending_key("file:" + altered, "env:PINTAR_TEST_KEK").status().code() == StatusCode::kCorruption);
    REQUIRE(::setenv("PINTAR_TEST_KEK2", "0011", 1) == 0);
    CHECK(load_vending_key("file:" + wrapped_path, "env:PINTAR_TEST_KEK2").status().code() ==
          StatusCode::kInvalidArgument);
  }
  SECTION("a world-readable wrapped key or KEK file is refused") {
    REQUIRE(::chmod(wrapped_path.c_str(), 0644) == 0);
    auto refused = load_vending_key("file:" + wrapped_path, "env:PINTAR_TEST_KEK");
    CHECK(refused.status().code() == StatusCode::kFailedPrecondition);
    REQUIRE(::chmod(wrapped_path.c_str(), 0600) == 0);
    REQUIRE(::chmod(kek_path.c_str(), 0604) == 0);
    auto kek_refused = load_vending_key("file:" + wrapped_path, "hexfile:" + kek_path);
    CHECK(kek_refused.status().code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(kek_refused.status().message(), Catch::Contains("key-encryption key"));
    check_no_key_in(kek_refused.status());
  }
  SECTION("only 8- or 20-byte keys are wrapped") {
    CHECK(wrap_vending_key(kek, std::vector<uint8_t>(16, 1)).status().code() == StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace pintar::engine
