#include "tests/support/smsc_sim.h"

#include <fstream>
#include <regex>
#include <stdexcept>

#include <fmt/format.h>
#include <httplib.h>

namespace pintar::testing {

nlohmann::json default_sim_config() {
  return {{"esmes", {{{"system_id", "pintar"}, {"password", "secret"}, {"routes", {"1234"}}, {"max_binds", 8}}}},
          {"deliver_timeout_ms", 2000},
          {"deliver_retry_ms", 200}};
}

std::string gateway_config_toml(const std::string& state_dir, const std::string& endpoint, uint16_t smpp_port,
                                const std::string& gateway_extra, const std::string& smsc_extra,
                                uint16_t metrics_port) {
  return fmt::format(R"(state_dir = "{}"
[gateway]
zmq_endpoint = "{}"
{}
[[smsc]]
name = "sim"
host = "127.0.0.1"
port = {}
system_id = "pintar"
password_secret = "hex:736563726574"
{}
[metrics]
gateway_port = {}
)",
                     state_dir, endpoint, gateway_extra, smpp_port, smsc_extra, metrics_port);
}

SmscSim::SmscSim(const nlohmann::json& config, uint16_t smpp_port, uint16_t control_port) {
  config_file_ = make_temp_dir("smsc-sim") + "/config.json";
  std::ofstream(config_file_) << config.dump();
  process_ = std::make_unique<Process>(std::vector<std::string>{
      "node", source_path("tests/peers/smsc-sim/smsc-sim.js"), "--config", config_file_, "--smpp-port",
      std::to_string(smpp_port), "--control-port", std::to_string(control_port)});
  const auto ready = process_->wait_for_line("READY ", std::chrono::seconds(20));
  std::smatch match;
  static const std::regex kReady(R"(READY smpp=(\d+) control=(\d+))");
  if (!ready || !std::regex_search(*ready, match, kReady)) throw std::runtime_error("smsc-sim did not start");
  smpp_port_ = static_cast<uint16_t>(std::stoi(match[1]));
  control_port_ = static_cast<uint16_t>(std::stoi(match[2]));
}

SmscSim::~SmscSim() = default;

void SmscSim::stop(int signal_number) { process_->stop(signal_number); }

nlohmann::json SmscSim::get(const std::string& path) const {
  httplib::Client client("127.0.0.1", control_port_);
  auto response = client.Get(path.c_str());
  if (!response || response->status / 100 != 2) throw std::runtime_error("smsc-sim GET " + path + " failed");
  return nlohmann::json::parse(response->body);
}

nlohmann::json SmscSim::post(const std::string& path, const nlohmann::json& body) const {
  httplib::Client client("127.0.0.1", control_port_);
  auto response = client.Post(path.c_str(), body.dump(), "application/json");
  if (!response || response->status / 100 != 2) {
    throw std::runtime_error("smsc-sim POST " + path + " failed: " + (response ? response->body : "no answer"));
  }
  return nlohmann::json::parse(response->body);
}

}  // namespace pintar::testing
