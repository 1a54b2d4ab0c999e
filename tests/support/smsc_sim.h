// SmscSim: runs tests/peers/smsc-sim (README there) as a child process and talks to its
// loopback control API, for the gateway's integration tests and bench/smpp.
#ifndef PINTAR_TESTS_SUPPORT_SMSC_SIM_H_
#define PINTAR_TESTS_SUPPORT_SMSC_SIM_H_

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/process.h"

namespace pintar::testing {

class SmscSim {
 public:
  // Starts the simulator with `config` (its JSON configuration) and waits for READY.
  // Fixed ports (e.g. to restart it where it was) when given; 0 = ephemeral.
  explicit SmscSim(const nlohmann::json& config, uint16_t smpp_port = 0, uint16_t control_port = 0);
  ~SmscSim();
  SmscSim(const SmscSim&) = delete;
  SmscSim& operator=(const SmscSim&) = delete;

  uint16_t smpp_port() const { return smpp_port_; }
  uint16_t control_port() const { return control_port_; }
  // SIGTERM (closes every connection) or SIGKILL.
  void stop(int signal_number = 15);

  // The control API; throws std::runtime_error when the simulator does not answer 2xx.
  nlohmann::json get(const std::string& path) const;
  nlohmann::json post(const std::string& path, const nlohmann::json& body) const;
  // GET /messages: every recorded submit_sm.
  nlohmann::json messages() const { return get("/messages"); }
  uint64_t stat(const std::string& name) const { return get("/stats").at(name).get<uint64_t>(); }

 private:
  std::unique_ptr<Process> process_;
  std::string config_file_;
  uint16_t smpp_port_ = 0;
  uint16_t control_port_ = 0;
};

// The simulator's defaults for pintar's tests: account pintar/secret owning "1234".
nlohmann::json default_sim_config();

// A pintar.toml for `pintar gateway` bound to the simulator's account, with extra keys
// appended to [gateway] and to its one [[smsc]] ("sim"). /metrics on metrics_port (0: none, so
// that tests running side by side never share a port).
std::string gateway_config_toml(const std::string& state_dir, const std::string& endpoint, uint16_t smpp_port,
                                const std::string& gateway_extra, const std::string& smsc_extra,
                                uint16_t metrics_port = 0);

}  // namespace pintar::testing

#endif  // PINTAR_TESTS_SUPPORT_SMSC_SIM_H_
