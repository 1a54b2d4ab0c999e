// bench/smpp driver: one `pintar gateway` against a running smsc-sim, with this program as
// the vending engine. Sends --count MTs (each asking for a receipt) over ZeroMQ as fast as
// the gateway takes them and reports, as one JSON line, how long it took until every MT
// had its result and its receipt back at the engine, and how much CPU the gateway process
// spent on them (utime + stime of all its threads, from /proc/PID/stat). run.sh runs it.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "tests/support/engine_stub.h"
#include "tests/support/process.h"
#include "tests/support/smsc_sim.h"

namespace {

// utime + stime (proc(5) fields 14 and 15) of every thread of `pid`, live or exited, in
// clock ticks; -1 if it cannot be read. The fields are counted after the last ')' because
// the command name in field 2 may itself hold spaces or parentheses.
long long cpu_ticks(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 1));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;
  long long utime = 0, stime = 0;
  return fields >> utime >> stime ? utime + stime : -1;
}

// The gateway keeps working briefly after the engine has everything (committing the last
// receipts' states): wait until its CPU time stops moving (two equal readings 100 ms
// apart, at most 3 s) so that work is counted too. run.sh does the same for bearerbox.
long long settled_cpu_ticks(pid_t pid) {
  long long last = cpu_ticks(pid);
  for (int i = 0, same = 0; i < 30 && same < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const long long now = cpu_ticks(pid);
    same = now == last ? same + 1 : 0;
    last = now;
  }
  return last;
}

}  // namespace

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

  const long long cpu_start = cpu_ticks(gateway.pid());
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    engine.send_mt({.id = fmt::format("b{}", i), .smsc = "", .from = "1234", .to = "628120000001",
                    .text = fmt::format("Token {:020} bench", i), .receipt = true});
  }
  const bool done = engine.wait_until(
      [&] { return engine.receipt_count() >= static_cast<size_t>(count) && engine.result_count() >= static_cast<size_t>(count); },
      std::chrono::seconds(timeout_s));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu_seconds = static_cast<double>(settled_cpu_ticks(gateway.pid()) - cpu_start) /
                             static_cast<double>(sysconf(_SC_CLK_TCK));
  size_t failed = 0;
  for (const auto& [id, result] : engine.results()) failed += result.submitted ? 0 : 1;
  const int exit_status = gateway.stop(SIGTERM, 30s);
  fmt::print("{{\"submitted\":{},\"failed\":{},\"receipts\":{},\"seconds\":{:.3f},\"rate\":{:.0f},"
             "\"gateway_cpu_s\":{:.2f},\"gateway_exit\":{}}}\n",
             engine.result_count() - failed, failed, engine.receipt_count(), seconds, count / seconds, cpu_seconds,
             exit_status);
  return done && failed == 0 ? 0 : 1;
}
