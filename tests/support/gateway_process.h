// `pintar gateway` as the integration tests run it (tests/gateway*_test.cpp): one process with
// its own state directory, configuration and engine endpoint, between the SMSC simulator
// and an engine stub; and the small counts those tests make. Test-only; one thread.
#ifndef PINTAR_TESTS_SUPPORT_GATEWAY_PROCESS_H_
#define PINTAR_TESTS_SUPPORT_GATEWAY_PROCESS_H_

#include <csignal>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tests/support/engine_stub.h"
#include "tests/support/process.h"
#include "tests/support/smsc_sim.h"

namespace pintar::testing {

inline constexpr const char* kHandset = "628120000001";  // not owned by an account: the simulator receipts it

// One `pintar gateway` process with its own state directory and engine endpoint.
class GatewayProcess {
 public:
  GatewayProcess(const SmscSim& sim, const std::string& smsc_extra = "", const std::string& name = "gateway",
                 int window = 10, const std::string& gateway_extra = "", uint16_t metrics_port = 0)
      : dir_(make_temp_dir(name)), endpoint_("ipc://" + dir_ + "/engine.sock") {
    std::ofstream(dir_ + "/pintar.toml") << gateway_config_toml(
        dir_, endpoint_, sim.smpp_port(), "engine_retry_ms = 300\nengine_liveness_ms = 2000\n" + gateway_extra,
        fmt::format("window = {}\n", window) + "reconnect_min_ms = 100\nreconnect_max_ms = 500\nresponse_timeout_ms = 2000\n"
        "connect_timeout_ms = 2000\nthrottle_pause_ms = 200\nretry_delay_ms = 100\n" + smsc_extra, metrics_port);
  }
  ~GatewayProcess() {
    if (process_) process_->stop(SIGKILL);
  }

  void start() {
    process_ = std::make_unique<Process>(std::vector<std::string>{pintar_binary(), "-c", dir_ + "/pintar.toml", "gateway"});
  }
  int stop(int signal_number = SIGTERM) {
    const int status = process_->stop(signal_number, std::chrono::seconds(15));
    process_.reset();
    return status;
  }
  const std::string& endpoint() const { return endpoint_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string endpoint_;
  std::unique_ptr<Process> process_;
};

inline bridge::Mt mt(const std::string& id, const std::string& text, const std::string& to = kHandset) {
  return {.id = id, .smsc = "", .from = "1234", .to = to, .text = text, .receipt = true};
}

inline size_t submitted_count(const EngineStub& engine) {
  size_t n = 0;
  for (const auto& [id, result] : engine.results()) n += result.submitted ? 1 : 0;
  return n;
}

inline std::multiset<std::string> sim_texts(const SmscSim& sim) {
  std::multiset<std::string> texts;
  for (const auto& m : sim.messages()) {
    if (m.at("text").is_string()) texts.insert(m.at("text").get<std::string>());
  }
  return texts;
}
}  // namespace pintar::testing

#endif  // PINTAR_TESTS_SUPPORT_GATEWAY_PROCESS_H_
