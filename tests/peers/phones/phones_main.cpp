// phones: customers' handsets behind the SMSC simulator (README.md). One ESME account owns
// the customer numbers (its `routes` in smsc-sim); POST /sms sends an SMS from a phone (a
// submit_sm, which the SMSC routes to whoever owns the destination: pintar's gateway for the
// short code), and every SMS delivered to a phone is kept in its inbox. The SMPP side is
// pintar's own smpp/ library (tests/peers/esme/peer_esme.h); HTTP on 127.0.0.1 only.
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/peers/esme/peer_esme.h"

namespace pintar::peers {
namespace {

// Every SMS received, per destination number, numbered from 1 in arrival order.
class Inboxes {
 public:
  void add(const smpp::MoMessage& mo) {
    std::lock_guard lock(mutex_);
    auto& inbox = inboxes_[mo.destination_addr];
    inbox.push_back({{"n", inbox.size() + 1},
                     {"from", mo.source_addr},
                     {"to", mo.destination_addr},
                     {"text", mo.text_utf8},
                     {"parts", mo.parts},
                     {"received_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count()}});
  }
  nlohmann::json list(const std::string& msisdn, size_t after) const {
    std::lock_guard lock(mutex_);
    nlohmann::json out = nlohmann::json::array();
    const auto it = inboxes_.find(msisdn);
    if (it == inboxes_.end()) return out;
    for (size_t i = after; i < it->second.size(); ++i) out.push_back(it->second[i]);
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<nlohmann::json>> inboxes_;
};

void add_routes(httplib::Server& http, PeerEsme& esme, Inboxes& inboxes) {
  http.Get("/health", [](const httplib::Request&, httplib::Response& res) { reply_json(res, 200, {{"ok", true}}); });
  http.Post("/sms", [&esme](const httplib::Request& req, httplib::Response& res) {
    const auto body = nlohmann::json::parse(req.body, nullptr, false);
    for (const char* member : {"from", "to", "text"}) {
      if (body.is_discarded() || !body.is_object() || !body.contains(member) || !body[member].is_string()) {
        return reply_json(res, 400, {{"error", "the body is {\"from\": MSISDN, \"to\": address, \"text\": text}"}});
      }
    }
    const auto from = body["from"].get<std::string>(), to = body["to"].get<std::string>();
    if (from.empty() || to.empty()) return reply_json(res, 400, {{"error", "from and to must not be empty"}});
    const uint64_t id = esme.submit(from, to, body["text"].get<std::string>());
    if (id == 0) return reply_json(res, 503, {{"error", "the SMPP session is not running"}});
    reply_json(res, 200, {{"id", id}});
  });
  http.Get(R"(/sms/(\d+))", [&esme](const httplib::Request& req, httplib::Response& res) {
    const std::string outcome = esme.outcome(std::stoull(req.matches[1].str()));
    if (outcome.empty()) return reply_json(res, 404, {{"error", "no such id"}});
    reply_json(res, 200, {{"outcome", outcome}});
  });
  http.Get(R"(/inbox/([^/]+))", [&inboxes](const httplib::Request& req, httplib::Response& res) {
    size_t after = 0;
    if (req.has_param("after")) {
      const std::string text = req.get_param_value("after");
      if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) {
        return reply_json(res, 400, {{"error", "after is a message number"}});
      }
      after = std::stoul(text);
    }
    reply_json(res, 200, inboxes.list(req.matches[1].str(), after));
  });
  http.Get("/counters", [&esme](const httplib::Request&, httplib::Response& res) {
    nlohmann::json counters;
    const nlohmann::json smpp_counters = esme.counters();  // items() does not keep a temporary alive
    for (const auto& [name, value] : smpp_counters.items()) counters["smpp." + name] = value;
    reply_json(res, 200, counters);
  });
}

struct Options {
  std::string smsc_host = "127.0.0.1", system_id = "phones", password = "secret", port_file;
  uint16_t smsc_port = 2775, http_port = 0;
};

int run(const Options& o) {
  Inboxes inboxes;
  PeerEsme esme({.host = o.smsc_host, .port = o.smsc_port, .system_id = o.system_id, .password = o.password,
                 .name = "phones"},
                [&inboxes](const smpp::MoMessage& mo) { inboxes.add(mo); });
  httplib::Server http;
  add_routes(http, esme, inboxes);
  return run_peer("phones", esme, http, o.http_port, o.port_file);
}

}  // namespace
}  // namespace pintar::peers

int main(int argc, char** argv) {
  pintar::peers::init_peer_process();
  pintar::peers::Options o;
  CLI::App app{"phones: customers' handsets behind an SMSC (tests/peers/phones/README.md)"};
  app.add_option("--smsc-host", o.smsc_host, "SMSC host");
  app.add_option("--smsc-port", o.smsc_port, "SMSC SMPP port")->required();
  app.add_option("--system-id", o.system_id, "the SMSC account owning the customer numbers");
  app.add_option("--password", o.password, "its password (a test account's)");
  app.add_option("--http-port", o.http_port, "control API port on 127.0.0.1; 0 = ephemeral");
  app.add_option("--port-file", o.port_file, "write the control port here once ready");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 64;
  }
  return pintar::peers::run(o);
}
