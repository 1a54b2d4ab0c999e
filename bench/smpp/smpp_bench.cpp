// bench/smpp driver: one `pintar gateway` against a running smsc-sim, with this program as
// the vending engine. Sends --count MTs (each asking for a receipt) over ZeroMQ as fast as
// the gateway takes them and reports, as one JSON line, how long it took until every MT
// had its result and its receipt back at the engine. bench/smpp/run.sh runs it.
#include <csignal>
#include <cstdio>
#include <fstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "tests/support/engine_stub.h"
#include "tests/support/process.h"
#include "tests/support/smsc_sim.h"

int main(int argc, char** argv) {
  using namespace pintar;
  using namespace std::chrono_literals;
  std::string pintar_path, synchronous = "FULL";
  int smpp_port = 0, window = 10, binds = 1, count = 10000, timeout_s = 300;
  CLI::App app("pintar gateway MT throughput with receipts, against smsc-sim");
  app.add_option("--pintar", pintar_path, "the pintar executable")->required();
  app.add_option("--smpp-port", smpp_port, "smsc-sim's SMPP port")->required();
  app.add_option("--window", window, "smsc[].window");
  app.add_option("--binds", binds, "smsc[].binds");
  app.add_option("--count", count, "MTs to send");
  app.add_option("--synchronous", synchronous, "gateway.queue_synchronous (FULL|NORMAL)");
  app.add_option("--timeout-s", timeout_s, "give up after this long");
  CLI11_PARSE(app, argc, argv);

  const std::string dir = testing::make_temp_dir("smpp-bench");
  const std::string endpoint = "ipc://" + dir + "/engine.sock";
  std::ofstream(dir + "/pintar.toml") << testing::gateway_config_toml(
      dir, endpoint, static_cast<uint16_t>(smpp_port),
      fmt::format("queue_synchronous = \"{}\"\nmax_unacked = 5000\n[log]\nlevel = \"warn\"", synchronous),
      fmt::format("window = {}\nbinds = {}\nid_format_resp = \"hex\"\nid_format_receipt = \"hex\"", window, binds));
  testing::Process gateway({pintar_path, "-c", dir + "/pintar.toml", "gateway"});
  testing::EngineStub engine(endpoint);
  if (!engine.wait_for_gateway(20s)) {
    fmt::print(stderr, "smpp_bench: the gateway did not come up\n");
    return 1;
  }
  std::this_thread::sleep_for(500ms);  // let the session bind

  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    engine.send_mt({.id = fmt::format("b{}", i), .smsc = "", .from = "1234", .to = "628120000001",
                    .text = fmt::format("Token {:020} bench", i), .receipt = true});
  }
  const bool done = engine.wait_until(
      [&] { return engine.receipt_count() >= static_cast<size_t>(count) && engine.result_count() >= static_cast<size_t>(count); },
      std::chrono::seconds(timeout_s));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  size_t failed = 0;
  for (const auto& [id, result] : engine.results()) failed += result.submitted ? 0 : 1;
  const int exit_status = gateway.stop(SIGTERM, 30s);
  fmt::print("{{\"submitted\":{},\"failed\":{},\"receipts\":{},\"seconds\":{:.3f},\"rate\":{:.0f},\"gateway_exit\":{}}}\n",
             engine.result_count() - failed, failed, engine.receipt_count(), seconds, count / seconds, exit_status);
  return done && failed == 0 ? 0 : 1;
}
