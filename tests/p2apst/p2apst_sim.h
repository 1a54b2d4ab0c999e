// P2apstSim: one tests/peers/p2apst-sim process for a test, with its control API
// (README there: READY line, /faults, /stats, /sales, /clock). Stopped when destroyed.
#ifndef PINTAR_TESTS_P2APST_P2APST_SIM_H_
#define PINTAR_TESTS_P2APST_P2APST_SIM_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/process.h"

namespace pintar::testing {

class P2apstSim {
 public:
  // The simulator's clock starts here (POST /clock), outside PLN's cut-off whatever the
  // real time, so that results do not depend on when the tests run.
  static constexpr const char* kDaytime = "2026-11-25T10:00:00+07:00";

  explicit P2apstSim(std::vector<std::string> extra_args = {});

  int iso_port() const { return iso_port_; }
  nlohmann::json get(const std::string& path) const;
  nlohmann::json post(const std::string& path, const nlohmann::json& body) const;
  // Queues one fault ({"kind": ..., ...}).
  void fault(const nlohmann::json& fault) const { post("/faults", fault); }
  void clear_faults() const;
  // stats.requests[mti], 0 when none.
  int requests(const std::string& mti) const;
  int sales() const { return get("/stats")["sales"].get<int>(); }

 private:
  Process process_;
  int iso_port_ = 0;
  int control_port_ = 0;
};

}  // namespace pintar::testing

#endif  // PINTAR_TESTS_P2APST_P2APST_SIM_H_
