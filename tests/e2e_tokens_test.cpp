// End to end (issue 10), where the token comes from, through the whole world of cli/world.h:
// an unsold token PLN already holds (offered by CEK, taken by buying its amount), PLN's own
// 20 digits forwarded unchanged (vending.token_source = p2apst), and a meter on base date 1993
// past its TID rollover, which needs the key change tokens first (and gets them again with
// ULANG).
#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

#include "cli/world.h"
#include "tests/support/e2e.h"
#include "tests/support/process.h"
#include "vending/engine/token_maker.h"

namespace pintar::testing {
namespace {

using namespace std::chrono_literals;

// `pintar sts ARGS...`, its stdout without the newline.
std::string sts(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {pintar_binary(), "sts"};
  argv.insert(argv.end(), args.begin(), args.end());
  const RunResult r = run(argv);
  if (r.exit_status != 0) throw std::runtime_error("pintar sts: " + r.err);
  std::string out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

TEST_CASE("an unsold token PLN holds: CEK offers it, buying its amount takes it, nothing charged", "[e2e][tokens]") {
  cli::World world(world_options(cli::demo_customers()));
  const cli::WorldCustomer& dewi = world.options().customers[0];
  // PLN sold Dewi Rp50,000 before, and the token never reached her.
  nlohmann::json account = account_of(world, dewi.meter);
  REQUIRE(account.is_object());
  account["unsold"] = {50000};
  world.p2apst("POST", "/accounts", account);
  const int64_t deposit = world.p2apst("GET", "/deposit")["deposit"].get<int64_t>();

  world.send_sms(dewi.phone, fmt::format("CEK {}", dewi.meter));
  nlohmann::json inbox = inbox_of_at_least(world, dewi.phone, 1, 15s);
  REQUIRE(inbox.size() == 1);
  CHECK(inbox[0]["text"] == fmt::format("Meter {} a.n. DEWI LESTARI R1/1.300VA. Token sudah dibayar belum diterima: "
                                        "Rp50.000. Beli nominal itu untuk menerimanya.",
                                        dewi.meter));

  // Another amount while it waits: not sold, the customer is pointed at the unsold one.
  buy(world, dewi, 100000);
  REQUIRE(reaches(world, dewi.phone, "refused"));
  inbox = inbox_of_at_least(world, dewi.phone, 2, 10s);
  REQUIRE(inbox.size() == 2);
  CHECK(inbox[1]["text"] == inbox[0]["text"]);
  CHECK(sales(world) == 0);

  buy(world, dewi, 50000);
  REQUIRE(reaches(world, dewi.phone, "completed"));
  inbox = settled_inbox(world, dewi.phone, 3);
  INFO(all_texts(inbox));
  REQUIRE(inbox.size() == 3);
  CHECK(receipts_in(inbox) == 1);
  const nlohmann::json stats = world.p2apst("GET", "/stats");
  CHECK(stats["unsold_taken"] == 1);
  CHECK(stats["sales"] == 0);  // no new charge
  CHECK(world.p2apst("GET", "/deposit")["deposit"] == deposit);
  const nlohmann::json sold = sales_of(world, dewi.meter);
  REQUIRE(sold.size() == 1);  // the old sale, now delivered
  CHECK(sold[0]["status"] == "delivered");
  const int64_t kwh_tenths = sold[0]["charges"]["kwh"].get<int64_t>() / 10;
  CHECK(last_purchase(world, dewi.phone)["energy_deci_kwh"] == kwh_tenths);
  const nlohmann::json meter = world.fleet("GET", "/meters/" + dewi.meter);
  CHECK(meter["tokens_accepted_count"] == 1);
  CHECK(meter["credit"] == kwh_tenths);
}

TEST_CASE("token_source = p2apst: PLN's 20 digits, made for the meter, reach it unchanged", "[e2e][tokens]") {
  cli::WorldOptions options = world_options(cli::demo_customers());
  options.token_source = "p2apst";
  const cli::WorldCustomer& dewi = options.customers[0];
  // The token PLN will hand out for Dewi's meter, made as PLN would with her decoder key:
  // Rp50,000 buys 29.89 kWh at her tariff (the simulator's README: R1 1,300 VA, PPJ 10 %,
  // admin Rp2,500), so an STS credit of 29.8 kWh = 298 tenths (field 0x012A), issued now.
  const std::string dk = sts({"dk", "--dkga", "02", "--vk", "ABABABABABABABAB", "--pan", engine::meter_pan(dewi.meter),
                              "--kt", "2", "--sgc", "123456", "--ti", "01", "--krn", "1"});
  const auto now = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now());
  const std::string token = sts({"token", "--ea", "07", "--dk", dk, "--class", "0", "--sub", "0", "--rnd", "1",
                                 "--time", fmt::format("{:%Y-%m-%dT%H:%M}Z", now), "--bd", "14", "--field", "012A"});
  REQUIRE(token.size() == 20);
  const std::string tokens_file = options.work_dir + "/pln-tokens.json";
  std::ofstream(tokens_file) << nlohmann::json{{dewi.meter, {token}}}.dump();
  options.p2apst_config = {{"tokens_file", tokens_file}};
  cli::World world(std::move(options));

  buy(world, dewi, 50000);
  REQUIRE(reaches(world, dewi.phone, "completed"));
  const nlohmann::json inbox = settled_inbox(world, dewi.phone, 1);
  INFO(all_texts(inbox));
  REQUIRE(inbox.size() == 1);
  CHECK(inbox[0]["text"].get<std::string>().starts_with(
      fmt::format("TOKEN {}\nMeter {} 29.8 kWh\n", dashed_token(token), dewi.meter)));
  CHECK(sales(world) == 1);
  const nlohmann::json sold = sales_of(world, dewi.meter);
  REQUIRE(sold.size() == 1);
  CHECK(sold[0]["token"] == token);
  CHECK(sold[0]["charges"]["kwh"].get<int64_t>() / 10 == 298);  // the credit the token carries
  CHECK(last_purchase(world, dewi.phone)["token"] == token);
  const nlohmann::json meter = world.fleet("GET", "/meters/" + dewi.meter);
  CHECK(meter["tokens_accepted_count"] == 1);
  CHECK(meter["credit"] == 298);
  CHECK(meter["rejections"].empty());
}

TEST_CASE("a meter on base date 1993 past the rollover: key change tokens first, in order", "[e2e][tokens]") {
  std::vector<cli::WorldCustomer> customers = cli::demo_customers();
  customers[0].base_date = 1993;
  cli::World world(world_options(customers));
  const cli::WorldCustomer& dewi = world.options().customers[0];

  buy(world, dewi, 50000);
  REQUIRE(reaches(world, dewi.phone, "completed"));
  nlohmann::json inbox = settled_inbox(world, dewi.phone, 2);
  INFO(all_texts(inbox));
  REQUIRE(inbox.size() == 2);
  CHECK(receipts_in(inbox) == 1);
  // The key change SMS comes first and names both tokens in the order to enter them.
  const std::string first = inbox[0]["text"];
  CHECK(std::regex_match(first, std::regex(fmt::format(R"(Meter {} perlu ganti kunci\. Masukkan berurutan )"
                                                        R"(\d{{4}}(-\d{{4}}){{4}} lalu \d{{4}}(-\d{{4}}){{4}}, )"
                                                        R"(baru token di SMS berikut\.)",
                                                        dewi.meter))));
  CHECK(first.size() <= 160);
  CHECK(inbox[1]["text"].get<std::string>().starts_with("TOKEN "));

  nlohmann::json meter = world.fleet("GET", "/meters/" + dewi.meter);
  INFO(meter.dump());
  REQUIRE(meter["tokens_accepted_count"] == 3);
  CHECK(meter["tokens_accepted"][0]["meaning"]["kind"] == "key_change");
  CHECK(meter["tokens_accepted"][1]["meaning"]["kind"] == "key_change");
  CHECK(meter["tokens_accepted"][2]["meaning"]["kind"] != "key_change");
  // The SMS names the very tokens the meter entered first, in that order; the receipt the third.
  const auto entered = [&](int i) { return dashed_token(meter["tokens_accepted"][i]["token"].get<std::string>()); };
  CHECK(first.find(fmt::format(" berurutan {} lalu {}, ", entered(0), entered(1))) != std::string::npos);
  CHECK(inbox[1]["text"].get<std::string>().starts_with(fmt::format("TOKEN {}\n", entered(2))));
  const nlohmann::json purchase = last_purchase(world, dewi.phone);
  CHECK(meter["credit"] == purchase["energy_deci_kwh"]);
  CHECK(sales(world) == 1);

  // ULANG: both SMS again, the same digits; the meter acknowledged, so its modem gets nothing.
  world.send_sms(dewi.phone, "ULANG");
  inbox = settled_inbox(world, dewi.phone, 4);
  INFO(all_texts(inbox));
  REQUIRE(inbox.size() == 4);
  CHECK(inbox[2]["text"] == inbox[0]["text"]);
  CHECK(inbox[3]["text"] == inbox[1]["text"]);
  meter = world.fleet("GET", "/meters/" + dewi.meter);
  CHECK(meter["commands"] == 1);
  CHECK(sales(world) == 1);

  // The meter is on its new key now: the next sale is the credit token alone.
  buy(world, dewi, 100000);
  REQUIRE(eventually([&] { return last_purchase(world, dewi.phone)["amount_rupiah"] == 100000 &&
                                  state_of(world, dewi.phone) == "completed"; },
                     30s));
  inbox = settled_inbox(world, dewi.phone, 5);
  REQUIRE(inbox.size() == 5);
  CHECK(inbox[4]["text"].get<std::string>().starts_with("TOKEN "));
  meter = world.fleet("GET", "/meters/" + dewi.meter);
  CHECK(meter["tokens_accepted_count"] == 4);
  CHECK(meter["rejections"].empty());
  CHECK(sales(world) == 2);
}

}  // namespace
}  // namespace pintar::testing
