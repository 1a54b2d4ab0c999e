#include "tests/support/peers.h"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

#include <httplib.h>

namespace pintar::testing {

namespace {
std::string from_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') throw std::runtime_error(std::string(name) + " is not set (run through meson test)");
  return value;
}
}  // namespace

std::string meter_fleet_binary() { return from_env("METER_FLEET_BINARY"); }
std::string phones_binary() { return from_env("PHONES_BINARY"); }

PeerProcess::PeerProcess(std::vector<std::string> argv, const std::string& name) : name_(name) {
  process_ = std::make_unique<Process>(std::move(argv));
  const auto ready = process_->wait_for_line("READY ", std::chrono::seconds(30));
  static const std::regex kReady(R"(READY http=(\d+))");
  std::smatch match;
  if (!ready || !std::regex_search(*ready, match, kReady)) throw std::runtime_error(name_ + " did not start");
  http_port_ = static_cast<uint16_t>(std::stoi(match[1]));
}

PeerProcess::~PeerProcess() = default;

void PeerProcess::stop(int signal_number) { process_->stop(signal_number); }

nlohmann::json PeerProcess::get(const std::string& path) const {
  httplib::Client client("127.0.0.1", http_port_);
  auto response = client.Get(path.c_str());
  if (!response || response->status / 100 != 2) {
    throw std::runtime_error(name_ + " GET " + path + " failed: " + (response ? response->body : "no answer"));
  }
  return nlohmann::json::parse(response->body);
}

nlohmann::json PeerProcess::post(const std::string& path, const nlohmann::json& body) const {
  httplib::Client client("127.0.0.1", http_port_);
  auto response = client.Post(path.c_str(), body.dump(), "application/json");
  if (!response || response->status / 100 != 2) {
    throw std::runtime_error(name_ + " POST " + path + " failed: " + (response ? response->body : "no answer"));
  }
  return nlohmann::json::parse(response->body);
}

namespace {
std::string write_fleet(const nlohmann::json& fleet) {
  const std::string path = make_temp_dir("meter-fleet") + "/fleet.json";
  std::ofstream(path) << fleet.dump(2);
  return path;
}
}  // namespace

MeterFleet::MeterFleet(const nlohmann::json& fleet, uint16_t smsc_port, const std::string& system_id,
                       const std::string& password, uint32_t replay_window)
    : PeerProcess({meter_fleet_binary(), "--fleet", write_fleet(fleet), "--smsc-port", std::to_string(smsc_port),
                   "--system-id", system_id, "--password", password, "--replay-window", std::to_string(replay_window)},
                  "meter_fleet") {}

Phones::Phones(uint16_t smsc_port, const std::string& system_id, const std::string& password)
    : PeerProcess({phones_binary(), "--smsc-port", std::to_string(smsc_port), "--system-id", system_id, "--password",
                   password},
                  "phones") {}

std::optional<nlohmann::json> Phones::wait_for(const std::string& msisdn,
                                               const std::function<bool(const nlohmann::json&)>& matches,
                                               std::chrono::milliseconds timeout, size_t after) const {
  std::optional<nlohmann::json> found;
  eventually(
      [&] {
        for (const auto& message : inbox(msisdn, after)) {
          if (matches(message)) {
            found = message;
            return true;
          }
        }
        return false;
      },
      timeout);
  return found;
}

}  // namespace pintar::testing
