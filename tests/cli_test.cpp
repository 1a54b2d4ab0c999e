// The `pintar` command line as users and scripts meet it: help, version, usage errors
// (exit 64) and configuration errors (exit 78).
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include <catch2/catch.hpp>

#include "tests/support/process.h"

namespace pintar::testing {
namespace {

TEST_CASE("--version and --help answer and exit 0", "[cli]") {
  auto version = run({pintar_binary(), "--version"});
  CHECK(version.exit_status == 0);
  CHECK_THAT(version.out, Catch::StartsWith("pintar "));

  auto help = run({pintar_binary(), "--help"});
  CHECK(help.exit_status == 0);
  CHECK_THAT(help.out, Catch::Contains("config"));
  CHECK_THAT(help.out, Catch::Contains("demo"));

  // A -c value that looks like a command name is not one.
  auto config_help = run({pintar_binary(), "-c", "demo", "config", "--help"});
  CHECK(config_help.exit_status == 0);

  auto sub_help = run({pintar_binary(), "config", "check", "--help"});
  CHECK(sub_help.exit_status == 0);
  CHECK_THAT(sub_help.out, Catch::Contains("FILE"));
}

TEST_CASE("wrong arguments print usage and exit 64", "[cli]") {
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {pintar_binary()}, {pintar_binary(), "frobnicate"}, {pintar_binary(), "config", "check"},
           {pintar_binary(), "--no-such-flag", "demo"}, {pintar_binary(), "frobnicate", "--help"},
           {pintar_binary(), "-c", "x.toml", "frobnicate", "--help"}, {pintar_binary(), "config", "nosuch", "--help"}}) {
    auto result = run(argv);
    CHECK(result.exit_status == 64);
    CHECK_THAT(result.err, Catch::Contains("--help"));
  }
}

TEST_CASE("config check validates without starting anything", "[cli][config]") {
  const std::string dir = make_temp_dir("cli");
  const std::string good = dir + "/good.toml";
  const std::string bad = dir + "/bad.toml";
  std::ofstream(good) << "[log]\nlevel = \"debug\"\n";
  std::ofstream(bad) << "[log]\nlevel = \"loud\"\ncolour = true\n";

  auto ok = run({pintar_binary(), "config", "check", good});
  CHECK(ok.exit_status == 0);

  auto failed = run({pintar_binary(), "config", "check", bad});
  CHECK(failed.exit_status == 78);
  CHECK_THAT(failed.err, Catch::Contains(bad + ":2:9: log.level"));
  CHECK_THAT(failed.err, Catch::Contains(bad + ":3:1: log.colour: unknown key"));

  auto missing = run({pintar_binary(), "--config", dir + "/absent.toml", "demo"});
  CHECK(missing.exit_status == 78);
}

TEST_CASE("the example configuration is valid and documented", "[cli][config]") {
  auto check = run({pintar_binary(), "config", "check", source_path("deploy/pintar.example.toml")});
  CHECK(check.exit_status == 0);
  INFO(check.err);

  // docs/configuration.md must list every key the program knows.
  auto keys = run({pintar_binary(), "config", "keys"});
  REQUIRE(keys.exit_status == 0);
  std::ifstream doc_file(source_path("docs/configuration.md"));
  const std::string doc((std::istreambuf_iterator<char>(doc_file)), std::istreambuf_iterator<char>());
  std::istringstream lines(keys.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    const std::string key = line.substr(3, line.find('`', 3) - 3);
    INFO("docs/configuration.md lacks " << key << "; regenerate it with `pintar config keys`");
    CHECK(doc.find("`" + key + "`") != std::string::npos);
  }
}

TEST_CASE("the demo tops up by SMS through pintar gateway, pintar vending and the simulators", "[cli][demo]") {
  auto demo = run({pintar_binary(), "demo"}, std::chrono::seconds(150));
  INFO(demo.out << demo.err);
  REQUIRE(demo.exit_status == 0);
  // Dewi's own purchase and Budi's confirmed one both reach the meter's acknowledgement.
  size_t completed = 0;
  for (size_t at = demo.out.find("state: completed"); at != std::string::npos;
       at = demo.out.find("state: completed", at + 1)) {
    ++completed;
  }
  CHECK(completed == 2);
  CHECK_THAT(demo.out, Catch::Contains("DEWI LESTARI"));
  CHECK_THAT(demo.out, Catch::Contains("PM1 ACC"));            // the meter's modem answered
  CHECK_THAT(demo.out, Catch::Contains("Reply YA <PIN>"));     // the confirmation question
  CHECK_THAT(demo.out, Catch::Contains("PIN salah"));          // the wrong PIN refused
  CHECK_THAT(demo.out, Catch::Contains("of 2 purchases"));     // ledger verify: two sales, no more
  CHECK_THAT(demo.out, !Catch::Contains("50000 123456"));      // Dewi's PIN is never printed
  CHECK_THAT(demo.out, !Catch::Contains("YA 654321"));         // nor Budi's
}

TEST_CASE("keys zmq writes a CURVE pair: the secret 0600, never printed; an existing pair is kept", "[cli][keys]") {
  const std::string dir = make_temp_dir("cli-keys");
  const mode_t old_umask = ::umask(022);
  auto made = run({pintar_binary(), "keys", "zmq", "--out", dir, "--name", "engine"});
  ::umask(old_umask);
  REQUIRE(made.exit_status == 0);
  struct stat secret_stat {};
  REQUIRE(::stat((dir + "/engine.key").c_str(), &secret_stat) == 0);
  CHECK((secret_stat.st_mode & 0777) == 0600);
  std::ifstream secret_file(dir + "/engine.key");
  std::string secret;
  std::getline(secret_file, secret);
  CHECK(secret.size() == 40);
  std::ifstream public_file(dir + "/engine.pub");
  std::string public_key;
  std::getline(public_file, public_key);
  CHECK(public_key.size() == 40);
  CHECK(made.out == public_key + "\n");
  CHECK_THAT(made.out + made.err, !Catch::Contains(secret));

  auto again = run({pintar_binary(), "keys", "zmq", "--out", dir, "--name", "engine"});
  CHECK(again.exit_status == 74);
  std::ifstream kept(dir + "/engine.key");
  std::string kept_secret;
  std::getline(kept, kept_secret);
  CHECK(kept_secret == secret);
}

TEST_CASE("keys modem appends a fresh key to a 0600 keyring; keys vending wraps a vending key", "[cli][keys]") {
  const std::string dir = make_temp_dir("cli-keys");
  const std::string ring = dir + "/modem.keys";
  const mode_t old_umask = ::umask(022);
  auto first = run({pintar_binary(), "keys", "modem", "--keyring", ring, "--key-id", "M1400001", "--meter", "14000000001"});
  ::umask(old_umask);
  REQUIRE(first.exit_status == 0);
  auto second = run({pintar_binary(), "keys", "modem", "--keyring", ring, "--key-id", "M1400002", "--meter", "14000000002"});
  REQUIRE(second.exit_status == 0);
  struct stat ring_stat {};
  REQUIRE(::stat(ring.c_str(), &ring_stat) == 0);
  CHECK((ring_stat.st_mode & 0777) == 0600);
  std::ifstream in(ring);
  std::string line1, line2;
  std::getline(in, line1);
  std::getline(in, line2);
  CHECK(line1.size() == 8 + 1 + 11 + 1 + 64);
  CHECK(line1.starts_with("M1400001 14000000001 "));
  CHECK(line2.starts_with("M1400002 14000000002 "));
  CHECK(line1.substr(21) != line2.substr(21));  // random keys
  CHECK_THAT(first.out + first.err + second.out + second.err, !Catch::Contains(line1.substr(21)) && !Catch::Contains(line2.substr(21)));
  // A key id names one key for ever.
  CHECK(run({pintar_binary(), "keys", "modem", "--keyring", ring, "--key-id", "M1400001", "--meter", "14000000003"})
            .exit_status == 65);

  const std::string vk = dir + "/vk.hex";
  {
    std::ofstream out(vk);
    out << "ABABABABABABABAB\n";
  }
  const std::string kek = "env:PINTAR_CLI_TEST_KEK";
  ::setenv("PINTAR_CLI_TEST_KEK", "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF", 1);
  auto wrapped = run({pintar_binary(), "keys", "vending", "--vk", "hexfile:" + vk, "--kek", kek, "--out", dir + "/vk.wrapped"});
  REQUIRE(wrapped.exit_status == 0);
  CHECK(wrapped.out == dir + "/vk.wrapped DKGA02\n");
  CHECK_THAT(wrapped.out + wrapped.err, !Catch::Contains("ABABABABABABABAB"));
  struct stat wrapped_stat {};
  REQUIRE(::stat((dir + "/vk.wrapped").c_str(), &wrapped_stat) == 0);
  CHECK((wrapped_stat.st_mode & 0777) == 0600);
  CHECK(wrapped_stat.st_size == 1 + 12 + 8 + 16);
}

}  // namespace
}  // namespace pintar::testing
