// `pintar sts ...` as scripts use it: exact output for the known-answer vectors, and one
// line on stderr with exit 64 for bad input.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/process.h"

namespace pintar::testing {
namespace {

RunResult sts(std::vector<std::string> args) {
  args.insert(args.begin(), {pintar_binary(), "sts"});
  return run(args);
}

TEST_CASE("sts dk prints the decoder key", "[sts][cli]") {
  // STS 531-1-0-02 conformance test (as transcribed in NectarAPI/tokens-service tests).
  auto dk02 = sts({"dk", "--dkga", "02", "--vk", "ABABABABABABABAB", "--pan", "600727000000000009", "--kt", "2",
                   "--sgc", "123456", "--ti", "01", "--krn", "1"});
  CHECK(dk02.exit_status == 0);
  CHECK(dk02.out == "E653341F9D5BF36F\n");
  auto dk02b = sts({"dk", "--dkga", "02", "--vk", "abababababababab", "--pan", "000001000000000082", "--kt", "2",
                    "--sgc", "123456", "--ti", "01", "--krn", "1", "--ea", "07"});
  CHECK(dk02b.out == "E94023262E9993C2\n");
  // STS 531-1-0-04 conformance test (as transcribed in NectarAPI/tokens-service tests).
  const std::vector<std::string> dk04 = {"dk", "--dkga", "04", "--vk", "ABABABABABABABAB949494949494949401234567",
                                         "--pan", "600727000000000009", "--kt", "2", "--sgc", "123457", "--ti", "01",
                                         "--krn", "1", "--bd", "93"};
  auto ea07 = dk04;
  ea07.insert(ea07.end(), {"--ea", "07"});
  CHECK(sts(ea07).out == "AA4BAA8749C10D27\n");
  auto ea11 = dk04;
  ea11.insert(ea11.end(), {"--ea", "11"});
  auto result = sts(ea11);
  CHECK(result.exit_status == 0);
  CHECK(result.out == "F94B6ED353C3BFDB113E2D3A7EA3C41D\n");
  CHECK(result.err.empty());
}

TEST_CASE("sts token prints the 20 digits", "[sts][cli]") {
  // IEC 62055-41 sample STA tables, DK 0ABC12DEF3456789 (see vending/sts/sta_test.cpp).
  auto by_time = sts({"token", "--ea", "07", "--dk", "0ABC12DEF3456789", "--class", "0", "--sub", "0", "--rnd", "11",
                      "--time", "1996-03-25T13:55Z", "--bd", "93", "--field", "0100", "--tables", "sample"});
  CHECK(by_time.exit_status == 0);
  CHECK(by_time.out == "51043465443420856213\n");
  CHECK_THAT(by_time.err, Catch::Contains("SAMPLE"));  // the sample tables are never silent
  auto by_tid = sts({"token", "--ea", "07", "--dk", "0ABC12DEF3456789", "--class", "0", "--sub", "0", "--rnd", "11",
                     "--tid", "1698595", "--field", "100"});
  CHECK(by_tid.out == "51043465443420856213\n");

  // STS 531-1-0-04 conformance test CTSA01_04 (DKGA04 + EA11).
  auto ea11 = sts({"token", "--ea", "11", "--dk", "F94B6ED353C3BFDB113E2D3A7EA3C41D", "--class", "0", "--sub", "0",
                   "--rnd", "5", "--time", "2004-03-01T13:00Z", "--bd", "93", "--field", "0001"});
  CHECK(ea11.exit_status == 0);
  CHECK(ea11.out == "59386323472137426967\n");
  CHECK(ea11.err.empty());

  // STS 531-1-0-02 class 1 test token (clear; the key is not needed).
  auto test = sts({"token", "--ea", "07", "--class", "1", "--sub", "0", "--rnd", "15", "--tid", "16777215", "--field",
                   "FF00"});
  CHECK(test.exit_status == 0);
  CHECK(test.out == "56493153725450313471\n");
}

TEST_CASE("sts kct and sts decode agree", "[sts][cli]") {
  auto ea07 = sts({"kct", "--ea", "07", "--old-dk", "0ABC12DEF3456789", "--new-dk", "E653341F9D5BF36F", "--kt", "2",
                   "--krn", "2", "--ti", "01", "--ken", "FF", "--ro", "1"});
  REQUIRE(ea07.exit_status == 0);
  std::vector<std::string> tokens;
  for (size_t start = 0; start < ea07.out.size();) {
    const size_t end = ea07.out.find('\n', start);
    tokens.push_back(ea07.out.substr(start, end - start));
    start = end + 1;
  }
  REQUIRE(tokens.size() == 2);
  for (size_t i = 0; i < tokens.size(); ++i) {
    CHECK(tokens[i].size() == 20);
    auto decoded = sts({"decode", "--format", "json", "--ea", "07", "--dk", "0ABC12DEF3456789", tokens[i]});
    REQUIRE(decoded.exit_status == 0);
    const auto report = nlohmann::json::parse(decoded.out);
    CHECK(report["class"] == 2);
    CHECK(report["crc_ok"] == true);
    CHECK(report["meaning"]["kind"] == "key_change");
    CHECK(report["meaning"]["section"] == i + 1);
  }

  auto ea11 = sts({"kct", "--ea", "11", "--old-dk", "F94B6ED353C3BFDB113E2D3A7EA3C41D", "--new-dk",
                   "00112233445566778899AABBCCDDEEFF", "--kt", "2", "--krn", "1", "--ti", "01", "--ken", "FF", "--ro",
                   "0", "--sgc", "123457"});
  CHECK(ea11.exit_status == 0);
  CHECK(std::count(ea11.out.begin(), ea11.out.end(), '\n') == 4);

  auto credit = sts({"decode", "--format", "json", "--ea", "11", "--dk", "F94B6ED353C3BFDB113E2D3A7EA3C41D", "5938-6323-4721-3742-6967"});
  REQUIRE(credit.exit_status == 0);
  const auto report = nlohmann::json::parse(credit.out);
  CHECK(report["class"] == 0);
  CHECK(report["subclass"] == 0);
  CHECK(report["rnd"] == 5);
  CHECK(report["tid"] == 5871660);
  CHECK(report["field"] == "0001");
  CHECK(report["crc_ok"] == true);
  CHECK(report["meaning"]["text"] == "0.1 kWh");
  // The default is the one text style of every read command: a label column, dotted labels.
  auto text = sts({"decode", "--ea", "11", "--dk", "F94B6ED353C3BFDB113E2D3A7EA3C41D", "5938-6323-4721-3742-6967"});
  REQUIRE(text.exit_status == 0);
  CHECK_THAT(text.out, Catch::Matches(R"((.|\n)*\ntid +5871660\n(.|\n)*)"));
  CHECK_THAT(text.out, Catch::Matches(R"((.|\n)*\nmeaning\.text +0\.1 kWh\n(.|\n)*)"));

  auto wrong_key = sts({"decode", "--format", "json", "--ea", "07", "--dk", "0ABC12DEF3456788", "51043465443420856213"});
  CHECK(wrong_key.exit_status == 0);
  CHECK(nlohmann::json::parse(wrong_key.out)["crc_ok"] == false);
}

TEST_CASE("the sample-tables warning goes to the log, one JSON object per line with log.format json", "[sts][cli]") {
  const std::string config = make_temp_dir("log-json") + "/pintar.toml";
  std::ofstream(config) << "[log]\nformat = \"json\"\n";
  auto result = run({pintar_binary(), "-c", config, "sts", "token", "--ea", "07", "--dk", "0ABC12DEF3456789", "--class",
                     "0", "--sub", "0", "--rnd", "11", "--tid", "1", "--field", "0100"});
  REQUIRE(result.exit_status == 0);
  CHECK(result.out.size() == 21);  // the 20 digits and a newline, nothing else on stdout
  std::istringstream lines(result.err);
  int warnings = 0;
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    const auto entry = nlohmann::json::parse(line);  // throws (fails) on anything but JSON
    CHECK(entry.contains("ts"));
    if (entry.at("level") == "warning" && entry.at("msg").get<std::string>().find("SAMPLE") != std::string::npos) {
      ++warnings;
    }
    CHECK(line.find("0ABC12DEF3456789") == std::string::npos);  // the decoder key is never logged
  }
  CHECK(warnings == 1);
}

TEST_CASE("bad input: one line on stderr, exit 64", "[sts][cli]") {
  const std::vector<std::string> token = {"token", "--ea", "07", "--dk", "0ABC12DEF3456789", "--class", "0", "--sub",
                                          "0", "--rnd", "11", "--field", "0100"};
  auto with = [](std::vector<std::string> base, std::vector<std::string> extra) {
    base.insert(base.end(), extra.begin(), extra.end());
    return base;
  };
  const std::vector<std::vector<std::string>> cases = {
      {"decode", "--ea", "07", "--dk", "0ABC12DEF3456789", "5104346544342085621"},      // 19 digits
      {"decode", "--ea", "07", "--dk", "0ABC12DEF3456789", "510434654434208562130"},    // 21 digits
      {"decode", "--ea", "07", "--dk", "0ABC12DEF345678Z", "51043465443420856213"},     // non-hex key
      {"decode", "--ea", "11", "--dk", "0ABC12DEF3456789", "51043465443420856213"},     // key too short for EA11
      {"decode", "--ea", "09", "--dk", "0ABC12DEF3456789", "51043465443420856213"},     // no such algorithm
      {"decode", "--ea", "07", "--dk", "0ABC12DEF3456789", "99999999999999999999"},     // above 2^66
      {"decode", "--ea", "07", "--dk", "0ABC12DEF3456789"},                             // no token
      {"dk", "--dkga", "02", "--pan", "600727000000000009", "--kt", "2", "--sgc", "123456", "--ti", "01", "--krn", "1"},
      {"dk", "--dkga", "02", "--vk", "ABABABABABABAB", "--pan", "600727000000000009", "--kt", "2", "--sgc", "123456",
       "--ti", "01", "--krn", "1"},
      {"dk", "--dkga", "02", "--vk", "ABABABABABABABAB", "--pan", "600727000000000009", "--kt", "2", "--sgc",
       "123456", "--ti", "100", "--krn", "1"},
      {"dk", "--dkga", "03", "--vk", "ABABABABABABABAB", "--pan", "600727000000000009", "--kt", "2", "--sgc",
       "123456", "--ti", "01", "--krn", "1"},
      with(token, {"--tid", "16777216"}),
      with(token, {"--tid", "-1"}),
      with(token, {"--time", "2024-11-24T20:16Z"}),  // past the last minute of base 1993
      with(token, {"--time", "2024-11-24 20:00"}),
      with(token, {"--tid", "5", "--time", "2004-03-01T13:00Z"}),
      with(token, {}),  // neither --tid nor --time
      with(token, {"--tid", "5", "--tables", "/nonexistent/sta-tables"}),
      with(token, {"--tid", "5", "--tables", "/tmp"}),  // a directory, not a table file
      with(token, {"--tid", "5", "--no-such-option"}),  // refused by the option parser
      {"token", "--ea", "07", "--dk", "0ABC12DEF3456789", "--class", "3", "--sub", "0", "--rnd", "1", "--tid", "5",
       "--field", "0"},
      {"token", "--ea", "07", "--dk", "0ABC12DEF3456789", "--class", "0", "--sub", "0", "--rnd", "16", "--tid", "5",
       "--field", "0"},
      {"token", "--ea", "07", "--dk", "0ABC12DEF3456789", "--class", "0", "--sub", "0", "--rnd", "1", "--tid", "5",
       "--field", "10000"},
      {"kct", "--ea", "07", "--old-dk", "0ABC12DEF3456789", "--new-dk", "E653341F9D5BF36F", "--kt", "2", "--krn", "2",
       "--ti", "01", "--ken", "FF", "--ro", "2"},
      {"kct", "--ea", "11", "--old-dk", "F94B6ED353C3BFDB113E2D3A7EA3C41D", "--new-dk",
       "00112233445566778899AABBCCDDEEFF", "--kt", "2", "--krn", "1", "--ti", "01", "--ken", "FF", "--ro", "0"},
  };
  for (const auto& args : cases) {
    auto result = sts(args);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    INFO(shown << "\nstderr: " << result.err);
    CHECK(result.exit_status == 64);
    CHECK(result.out.empty());
    CHECK_THAT(result.err, Catch::StartsWith("pintar: "));
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  }
}

}  // namespace
}  // namespace pintar::testing
