#include "tests/p2apst/p2apst_sim.h"

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include <httplib.h>

namespace pintar::testing {
namespace {

std::vector<std::string> sim_argv(std::vector<std::string> extra) {
  std::vector<std::string> argv = {"node", source_path("tests/peers/p2apst-sim/p2apst-sim.js")};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

nlohmann::json checked(const httplib::Result& result, const std::string& what) {
  if (!result || result->status != 200) {
    throw std::runtime_error("p2apst-sim control " + what + " failed" + (result ? ": " + result->body : ""));
  }
  return nlohmann::json::parse(result->body);
}

}  // namespace

P2apstSim::P2apstSim(std::vector<std::string> extra_args) : process_(sim_argv(std::move(extra_args))) {
  auto ready = process_.wait_for_line("READY ", std::chrono::seconds(10));
  if (!ready || std::sscanf(ready->c_str(), "READY iso=%d control=%d", &iso_port_, &control_port_) != 2) {
    throw std::runtime_error("p2apst-sim did not print READY");
  }
  post("/clock", {{"now", kDaytime}});
}

nlohmann::json P2apstSim::get(const std::string& path) const {
  httplib::Client client("127.0.0.1", control_port_);
  return checked(client.Get(path), "GET " + path);
}

nlohmann::json P2apstSim::post(const std::string& path, const nlohmann::json& body) const {
  httplib::Client client("127.0.0.1", control_port_);
  return checked(client.Post(path, body.dump(), "application/json"), "POST " + path);
}

void P2apstSim::clear_faults() const {
  httplib::Client client("127.0.0.1", control_port_);
  checked(client.Delete("/faults"), "DELETE /faults");
}

int P2apstSim::requests(const std::string& mti) const {
  const nlohmann::json stats = get("/stats");
  return stats["requests"].value(mti, 0);
}

}  // namespace pintar::testing
