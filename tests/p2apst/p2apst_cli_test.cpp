// `pintar p2apst ...` as an operator runs it, against tests/peers/p2apst-sim.
#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "tests/p2apst/p2apst_sim.h"

namespace pintar::testing {
namespace {

// A config for the simulator: short timeouts, local cut-off check off (tests must not
// depend on the time of day; cut-off itself is covered in p2apst_client_test).
std::string write_config(const std::string& dir, int port, const std::string& extra = {}, int timeout_ms = 1000) {
  const std::string path = dir + "/pintar.toml";
  std::ofstream(path) << fmt::format(
      "state_dir = \"{}\"\n[p2apst]\nport = {}\ntimeout_ms = {}\nconnect_timeout_ms = 1000\n"
      "reconnect_min_ms = 50\nreconnect_max_ms = 200\nadvice_interval_ms = 100\n"
      "cutoff_start = \"00:00\"\ncutoff_end = \"00:00\"\n{}",
      dir, port, timeout_ms, extra);
  return path;
}

std::map<std::string, std::string> fields(const std::string& out) {
  std::map<std::string, std::string> result;
  size_t pos = 0;
  while (pos < out.size()) {
    const size_t end = out.find('\n', pos);
    const std::string line = out.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    // "key: value" (purchase) or the label column of cli/output.h (inquiry).
    if (const size_t colon = line.find(": "); colon != std::string::npos && line.find(' ') > colon) {
      result[line.substr(0, colon)] = line.substr(colon + 2);
    } else if (const size_t gap = line.find(' '); gap != std::string::npos) {
      result[line.substr(0, gap)] = line.substr(line.find_first_not_of(' ', gap));
    }
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return result;
}

TEST_CASE("signon, inquiry and purchase print key: value lines and exit 0", "[p2apst][cli]") {
  P2apstSim sim;
  const std::string config = write_config(make_temp_dir("p2apst-cli"), sim.iso_port());
  auto signon = run({pintar_binary(), "-c", config, "p2apst", "signon"});
  CHECK(signon.exit_status == 0);
  CHECK_THAT(signon.out, Catch::StartsWith("signed_on: 127.0.0.1:"));

  auto inquiry = run({pintar_binary(), "-c", config, "p2apst", "inquiry", "--meter", "11000000004"});
  CHECK(inquiry.exit_status == 0);
  auto i = fields(inquiry.out);
  CHECK(i["name"] == "DEWI LESTARI");
  CHECK(i["power_va"] == "1300");
  CHECK(i["admin"] == "2500.00");
  auto inquiry_json = run({pintar_binary(), "-c", config, "p2apst", "inquiry", "--format", "json", "--meter", "11000000004"});
  REQUIRE(inquiry_json.exit_status == 0);
  const nlohmann::json answer = nlohmann::json::parse(inquiry_json.out);
  CHECK(answer["response_code"] == "0000");
  CHECK(answer["name"] == "DEWI LESTARI");
  CHECK(answer["power_va"] == 1300);

  auto purchase = run({pintar_binary(), "-c", config, "p2apst", "purchase", "--idpel", "511000000004", "--amount", "102500"});
  CHECK(purchase.exit_status == 0);
  auto p = fields(purchase.out);
  CHECK(p["state"] == "completed");
  CHECK(p["token"] == sim.get("/sales")["sales"][2]["token"].get<std::string>());  // two preloaded unsold sales first
  CHECK(sim.sales() == 1);
}

TEST_CASE("a refusal prints the customer message and exits 1", "[p2apst][cli]") {
  P2apstSim sim;
  const std::string config = write_config(make_temp_dir("p2apst-cli"), sim.iso_port());
  auto unknown = run({pintar_binary(), "-c", config, "p2apst", "inquiry", "--meter", "19999999999"});
  CHECK(unknown.exit_status == 1);
  auto u = fields(unknown.out);
  CHECK(u["response_code"] == "0014");
  CHECK_THAT(u["pesan"], Catch::Contains("tidak ditemukan"));
  sim.fault({{"kind", "rc"}, {"code", "0047"}, {"mti", "2200"}});
  auto limit = run({pintar_binary(), "-c", config, "p2apst", "purchase", "--meter", "11000000002", "--amount", "52500"});
  CHECK(limit.exit_status == 1);
  CHECK(fields(limit.out)["state"] == "declined");
  CHECK_THAT(limit.out, Catch::Contains("this month's limit"));
}

TEST_CASE("unsold tokens are offered before a new sale", "[p2apst][cli]") {
  P2apstSim sim;
  const std::string config = write_config(make_temp_dir("p2apst-cli"), sim.iso_port());
  auto other_amount = run({pintar_binary(), "-c", config, "p2apst", "purchase", "--meter", "11000000010", "--amount", "102500"});
  CHECK(other_amount.exit_status == 1);
  CHECK_THAT(other_amount.err, Catch::Contains("unsold tokens already paid for (Rp 52500, Rp 22500)"));
  CHECK(sim.requests("2200") == 0);
  auto same_amount = run({pintar_binary(), "-c", config, "p2apst", "purchase", "--meter", "11000000010", "--amount", "22500"});
  CHECK(same_amount.exit_status == 0);
  CHECK_THAT(same_amount.out, Catch::Contains("unsold_token: taking"));
  CHECK(fields(same_amount.out)["buying_option"] == "1");
  CHECK(sim.sales() == 0);
  auto forced = run({pintar_binary(), "-c", config, "p2apst", "purchase", "--meter", "11000000010", "--amount", "102500", "--new-token"});
  CHECK(forced.exit_status == 0);
  CHECK(sim.sales() == 1);
}

TEST_CASE("no host or a refused sign-on exits 69 with the reason", "[p2apst][cli]") {
  P2apstSim sim;
  sim.fault({{"kind", "refuse_signon"}, {"code", "0032"}, {"count", 100}});
  const std::string dir = make_temp_dir("p2apst-cli");
  auto refused = run({pintar_binary(), "-c", write_config(dir, sim.iso_port()), "p2apst", "signon"});
  CHECK(refused.exit_status == 69);
  CHECK_THAT(refused.err, Catch::Contains("sign-on refused with 0032"));
  auto bad = run({pintar_binary(), "-c", write_config(dir, sim.iso_port(), "framing = \"bin4\"\n"), "p2apst", "signon"});
  CHECK(bad.exit_status == 78);
  auto usage = run({pintar_binary(), "-c", write_config(dir, sim.iso_port()), "p2apst", "inquiry"});
  CHECK(usage.exit_status == 64);
}

// Polls `done` every 20 ms for up to 10 s.
template <typename Predicate>
bool eventually(Predicate done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST_CASE("kill -9 between purchase and reply: the restart settles it by advice with one charge", "[p2apst][cli]") {
  P2apstSim sim;
  // A long timeout: the client is still waiting for the 2210 when it is killed.
  const std::string config = write_config(make_temp_dir("p2apst-kill"), sim.iso_port(), "", 30000);
  sim.fault({{"kind", "drop_after_sale"}});
  Process client({pintar_binary(), "-c", config, "p2apst", "purchase", "--meter", "11000000002", "--amount", "52500"},
                 {}, /*quiet_stderr=*/true);
  REQUIRE(eventually([&] { return sim.sales() == 1; }));
  CHECK(client.stop(9) == 128 + 9);
  CHECK(sim.get("/sales")["sales"][2]["status"] == "unsold");

  auto restart = run({pintar_binary(), "-c", config, "p2apst", "advice"});
  CHECK(restart.exit_status == 0);
  auto r = fields(restart.out);
  CHECK(r["state"] == "completed");
  CHECK(r["token"] == sim.get("/sales")["sales"][2]["token"].get<std::string>());
  CHECK(sim.requests("2200") == 1);
  CHECK(sim.requests("2220") == 1);
  const auto stats = sim.get("/stats");
  CHECK(stats["sales"] == 1);
  CHECK(stats["charged_rupiah"] == 50000);
  CHECK(stats["advice_found"] == 1);

  auto again = run({pintar_binary(), "-c", config, "p2apst", "advice"});  // nothing left to settle
  CHECK(again.exit_status == 0);
  CHECK(again.out.empty());
  CHECK(sim.requests("2220") == 1);
  CHECK(sim.requests("2200") == 1);
}

TEST_CASE("kill -9 while PLN never made the sale: the restart's advice settles it as no sale", "[p2apst][cli]") {
  P2apstSim sim;
  const std::string config = write_config(make_temp_dir("p2apst-kill"), sim.iso_port(), "", 30000);
  sim.fault({{"kind", "drop_no_sale"}, {"mti", "2200"}});
  Process client({pintar_binary(), "-c", config, "p2apst", "purchase", "--meter", "11000000002", "--amount", "52500"},
                 {}, /*quiet_stderr=*/true);
  REQUIRE(eventually([&] { return sim.requests("2200") == 1; }));
  CHECK(client.stop(9) == 128 + 9);
  auto restart = run({pintar_binary(), "-c", config, "p2apst", "advice"});
  CHECK(restart.exit_status == 0);
  CHECK(fields(restart.out)["state"] == "no_sale");
  CHECK(fields(restart.out)["response_code"] == "0063");
  CHECK(sim.sales() == 0);
  CHECK(sim.requests("2200") == 1);
}

TEST_CASE("a second run while a purchase is in flight exits 75 and sends nothing", "[p2apst][cli]") {
  P2apstSim sim;
  const std::string config = write_config(make_temp_dir("p2apst-lock"), sim.iso_port(), "", 30000);
  sim.fault({{"kind", "drop_after_sale"}});
  Process client({pintar_binary(), "-c", config, "p2apst", "purchase", "--meter", "11000000002", "--amount", "52500"},
                 {}, /*quiet_stderr=*/true);
  REQUIRE(eventually([&] { return sim.sales() == 1; }));
  // Without the lock this run would resume the first one's purchase with a 2220 while PLN
  // is still answering the 2200.
  auto second = run({pintar_binary(), "-c", config, "p2apst", "advice"});
  CHECK(second.exit_status == 75);
  CHECK_THAT(second.err, Catch::Contains("another pintar process"));
  CHECK(sim.requests("2220") == 0);
  CHECK(client.stop(9) == 128 + 9);
  auto after = run({pintar_binary(), "-c", config, "p2apst", "advice"});  // the kill released the lock
  CHECK(after.exit_status == 0);
  CHECK(fields(after.out)["state"] == "completed");
  CHECK(sim.requests("2200") == 1);
  CHECK(sim.requests("2220") == 1);
}

}  // namespace
}  // namespace pintar::testing
