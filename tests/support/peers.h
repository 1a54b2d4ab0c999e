// MeterFleet and Phones: run tests/peers/meter-fleet and tests/peers/phones as child
// processes bound to an SmscSim (smsc_sim.h) on ephemeral ports, wait for their READY line,
// and call their loopback HTTP APIs with typed helpers. For the engine's end-to-end tests,
// `pintar demo`'s tests and bench/e2e. Every call throws std::runtime_error when the peer
// does not answer 2xx (a test failure, with the peer's error text). Not thread-safe.
#ifndef PINTAR_TESTS_SUPPORT_PEERS_H_
#define PINTAR_TESTS_SUPPORT_PEERS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/process.h"

namespace pintar::testing {

// The binaries, from METER_FLEET_BINARY / PHONES_BINARY (set by tests/meson.build).
std::string meter_fleet_binary();
std::string phones_binary();

// A peer program: the process and its control API.
class PeerProcess {
 public:
  PeerProcess(std::vector<std::string> argv, const std::string& name);
  virtual ~PeerProcess();
  uint16_t http_port() const { return http_port_; }
  void stop(int signal_number = 15);

  nlohmann::json get(const std::string& path) const;
  nlohmann::json post(const std::string& path, const nlohmann::json& body) const;
  nlohmann::json counters() const { return get("/counters"); }
  uint64_t counter(const std::string& name) const { return counters().at(name).get<uint64_t>(); }

 private:
  std::unique_ptr<Process> process_;
  std::string name_;
  uint16_t http_port_ = 0;
};

class MeterFleet : public PeerProcess {
 public:
  // Writes `fleet` (the fleet file's JSON) to a temporary file and starts meter_fleet on the
  // SMSC simulator's account system_id/password.
  MeterFleet(const nlohmann::json& fleet, uint16_t smsc_port, const std::string& system_id = "meters",
             const std::string& password = "secret", uint32_t replay_window = 0);

  // POST /meters/<m>/behaviour: the whole behaviour ({} = a well-behaved meter).
  void set_behaviour(const std::string& meter, const nlohmann::json& behaviour) const {
    post("/meters/" + meter + "/behaviour", behaviour);
  }
  nlohmann::json state(const std::string& meter) const { return get("/meters/" + meter); }
  uint64_t credit(const std::string& meter) const { return state(meter).at("credit").get<uint64_t>(); }
  // POST /meters/<m>/event; returns the EVT text sent.
  std::string event(const std::string& meter, const nlohmann::json& event) const {
    return post("/meters/" + meter + "/event", event).at("text").get<std::string>();
  }
};

class Phones : public PeerProcess {
 public:
  explicit Phones(uint16_t smsc_port, const std::string& system_id = "phones", const std::string& password = "secret");

  // POST /sms: the id of the submit.
  uint64_t send_sms(const std::string& from, const std::string& to, const std::string& text) const {
    return post("/sms", {{"from", from}, {"to", to}, {"text", text}}).at("id").get<uint64_t>();
  }
  nlohmann::json inbox(const std::string& msisdn, size_t after = 0) const {
    return get("/inbox/" + msisdn + "?after=" + std::to_string(after));
  }
  // The first message in msisdn's inbox after message number `after` that matches, polled
  // until `timeout`; nullopt when none came.
  std::optional<nlohmann::json> wait_for(const std::string& msisdn,
                                         const std::function<bool(const nlohmann::json&)>& matches,
                                         std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                         size_t after = 0) const;
};

}  // namespace pintar::testing

#endif  // PINTAR_TESTS_SUPPORT_PEERS_H_
