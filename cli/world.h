// World: the whole simulated deployment on loopback, for `pintar demo` and the end-to-end
// tests (tests/e2e*_test.cpp): the SMSC simulator (tests/peers/smsc-sim), the P2APST
// simulator (tests/peers/p2apst-sim), the meter fleet and the phones (tests/peers/meter-fleet,
// tests/peers/phones), and the real `pintar gateway` and `pintar vending` between them, with
// a configuration, keys and a subscriber file written into one work directory.
//
// SMSC accounts: "pintar" owns the short code, "meters" the modem numbers (62811...),
// "phones" the customers' numbers (62812...). Every key is a throwaway made for this world;
// the STS key is the published DKGA02 test vending key with the IEC sample tables.
//
// Errors: start() and the process controls throw std::runtime_error saying what did not start
// (the demo prints it; tests fail with it). Not thread-safe; one World per process at a time
// is the expectation (ports are ephemeral, so two would not collide).
#ifndef PINTAR_CLI_WORLD_H_
#define PINTAR_CLI_WORLD_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/child_process.h"

namespace pintar::cli {

// One customer with a two-way meter: a P2APST simulator account, a subscription in the
// ledger, and a meter in the fleet.
struct WorldCustomer {
  std::string meter;         // 11 digits; a P2APST simulator account (its defaults, or added)
  std::string idpel;         // 12 digits
  std::string name;
  std::string tariff = "R1";
  int64_t power_va = 1300;
  std::string modem_msisdn;  // 62811...
  std::string key_id;        // the modem key's K
  std::string phone;         // 62812...
  std::string language = "id";
  std::string pin;           // 6 digits
  // The meter's STS base date: 1993, 2014 or 2035. A 1993 meter is past its TID rollover
  // (2024-11-24), so its first sale brings the key change tokens first.
  int base_date = 2014;
};

// The demo's customers: DEWI LESTARI and BUDI SANTOSO of the P2APST simulator's defaults.
std::vector<WorldCustomer> demo_customers();
// n customers on meters 14000000001.. (added to the P2APST simulator as R1 1300 VA accounts).
std::vector<WorldCustomer> numbered_customers(size_t n);

struct WorldOptions {
  std::string work_dir;        // created; everything the world writes goes here
  std::string source_dir;      // the source tree (tests/peers/*.js)
  std::string build_dir;       // the build tree (tests/peers/meter-fleet/meter_fleet, phones)
  std::string pintar;          // the pintar executable
  std::vector<WorldCustomer> customers = demo_customers();
  std::string short_code = "1234";
  std::string token_source = "local";
  std::string vending_extra;   // TOML lines appended to [vending]
  std::string gateway_extra;   // TOML lines appended to [gateway]
  std::string p2apst_extra;    // TOML lines appended to [p2apst] (e.g. timeout_ms = 2000)
  // Keys of the P2APST simulator's --config file (tests/peers/p2apst-sim/README.md), e.g.
  // {"tokens_file": "/abs/tokens.json"}. The world always turns the simulator's cut-off off
  // ("cutoff": null) unless this names one: the world's clock is the real one.
  nlohmann::json p2apst_config = nlohmann::json::object();
  std::string log_level = "warn";
};

class World {
 public:
  explicit World(WorldOptions options);  // starts everything; throws on failure
  ~World();                              // stops everything (SIGTERM, then SIGKILL)
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  const WorldOptions& options() const { return options_; }
  const std::string& config_path() const { return config_path_; }
  uint16_t phones_port() const { return phones_http_; }
  uint16_t smsc_smpp_port() const { return smsc_smpp_; }
  uint16_t smsc_control_port() const { return smsc_control_; }
  // Process ids (for /proc readings in bench/e2e); -1 when not running.
  pid_t gateway_pid() const { return gateway_ ? gateway_->pid() : -1; }
  pid_t vending_pid() const { return vending_ ? vending_->pid() : -1; }
  pid_t smsc_pid() const { return smsc_ ? smsc_->pid() : -1; }
  // What runs where, a line each, for the demo.
  std::string describe() const;
  // `pintar -c <config> ARGS...`, to completion.
  CommandResult pintar(const std::vector<std::string>& args) const;

  // The daemons (their logs in <work>/gateway.log, vending.log): stop with a signal (SIGTERM: orderly; SIGKILL: a crash) and start again.
  void start_gateway();
  int stop_gateway(int signal_number = 15);
  void start_vending();
  int stop_vending(int signal_number = 15);
  // The P2APST simulator (PLN down): stopped with SIGTERM; started again on the same ports,
  // with its state (sales, faults, statistics) back to its configuration's.
  void stop_p2apst();
  void start_p2apst();

  // The simulators' control APIs (JSON; method GET, DELETE or POST with the body; throw on a
  // non-2xx answer).
  nlohmann::json smsc(const std::string& method, const std::string& path, const nlohmann::json& body = {}) const;
  nlohmann::json p2apst(const std::string& method, const std::string& path, const nlohmann::json& body = {}) const;
  nlohmann::json fleet(const std::string& method, const std::string& path, const nlohmann::json& body = {}) const;
  nlohmann::json phones(const std::string& method, const std::string& path, const nlohmann::json& body = {}) const;

  // A customer's phone sends `text` to the short code.
  void send_sms(const std::string& from, const std::string& text) const;
  // The SMS a phone has received so far (oldest first: [{from, text, ...}]).
  nlohmann::json inbox(const std::string& phone) const;
  // Waits until the phone has received more than `seen` SMS; returns the inbox, or throws.
  nlohmann::json wait_inbox(const std::string& phone, size_t seen, std::chrono::milliseconds timeout) const;

 private:
  void write_files();
  std::unique_ptr<ChildProcess> start_daemon(const std::string& role) const;
  std::unique_ptr<ChildProcess> start_node(const std::string& script, const std::vector<std::string>& args,
                                           uint16_t& main_port, uint16_t& control_port);
  std::unique_ptr<ChildProcess> start_peer(const std::string& binary, const std::vector<std::string>& args,
                                           uint16_t& http_port);
  nlohmann::json http(uint16_t port, const std::string& method, const std::string& path,
                      const nlohmann::json& body) const;

  WorldOptions options_;
  std::string config_path_;
  uint16_t smsc_smpp_ = 0, smsc_control_ = 0, p2apst_iso_ = 0, p2apst_control_ = 0, fleet_http_ = 0, phones_http_ = 0;
  std::unique_ptr<ChildProcess> smsc_, p2apst_, fleet_, phones_, gateway_, vending_;
};

}  // namespace pintar::cli

#endif  // PINTAR_CLI_WORLD_H_
