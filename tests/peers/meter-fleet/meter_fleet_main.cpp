// meter_fleet: the simulated two-way meters (README.md). The SMPP side is pintar's own
// smpp/ library (tests/peers/esme/peer_esme.h); the SMSC it binds to is the independent
// simulator in tests/peers/smsc-sim. HTTP control on 127.0.0.1 only.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/peers/esme/peer_esme.h"
#include "tests/peers/meter-fleet/fleet.h"

namespace pintar::peers {
namespace {

// Sends answers when they are due (the `delay_ms` behaviour), on one thread of its own, so
// the SMPP session's thread never waits.
class Outbox {
 public:
  explicit Outbox(PeerEsme& esme) : esme_(esme), thread_([this] { run(); }) {}
  ~Outbox() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  void send(Outgoing sms) {
    const auto due = std::chrono::steady_clock::now() + std::chrono::milliseconds(sms.delay_ms);
    {
      std::lock_guard lock(mutex_);
      queue_.emplace(due, std::move(sms));
    }
    changed_.notify_all();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      if (queue_.empty()) {
        changed_.wait(lock);
        continue;
      }
      const auto due = queue_.begin()->first;
      if (std::chrono::steady_clock::now() < due) {
        changed_.wait_until(lock, due);
        continue;
      }
      Outgoing sms = std::move(queue_.begin()->second);
      queue_.erase(queue_.begin());
      lock.unlock();
      esme_.submit(sms.from, sms.to, sms.text);
      lock.lock();
    }
  }

  PeerEsme& esme_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::multimap<std::chrono::steady_clock::time_point, Outgoing> queue_;  // equal times keep their order
  std::thread thread_;
};

void reply_error(httplib::Response& res, const Status& status) {
  reply_json(res, status.code() == StatusCode::kNotFound ? 404 : 400, {{"error", status.message()}});
}

std::optional<nlohmann::json> parse_body(const httplib::Request& req, httplib::Response& res) {
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded()) {
    reply_json(res, 400, {{"error", "the body is not JSON"}});
    return std::nullopt;
  }
  return body;
}

void add_routes(httplib::Server& http, Fleet& fleet, PeerEsme& esme, Outbox& outbox) {
  http.Get("/health", [](const httplib::Request&, httplib::Response& res) { reply_json(res, 200, {{"ok", true}}); });
  http.Get("/meters", [&fleet](const httplib::Request&, httplib::Response& res) {
    reply_json(res, 200, fleet.meter_numbers());
  });
  http.Get(R"(/meters/([^/]+))", [&fleet](const httplib::Request& req, httplib::Response& res) {
    auto state = fleet.state(req.matches[1].str());
    state.ok() ? reply_json(res, 200, *state) : reply_error(res, state.status());
  });
  http.Post(R"(/meters/([^/]+)/behaviour)", [&fleet](const httplib::Request& req, httplib::Response& res) {
    auto body = parse_body(req, res);
    if (!body) return;
    auto behaviour = parse_behaviour(*body);
    if (!behaviour.ok()) return reply_error(res, behaviour.status());
    Status set = fleet.set_behaviour(req.matches[1].str(), *behaviour);
    set.ok() ? reply_json(res, 200, to_json(*behaviour)) : reply_error(res, set);
  });
  http.Post(R"(/meters/([^/]+)/event)", [&fleet, &outbox](const httplib::Request& req, httplib::Response& res) {
    auto body = parse_body(req, res);
    if (!body) return;
    auto event = fleet.event(req.matches[1].str(), *body);
    if (!event.ok()) return reply_error(res, event.status());
    outbox.send(*event);
    reply_json(res, 200, {{"text", event->text}});
  });
  http.Get("/counters", [&fleet, &esme](const httplib::Request&, httplib::Response& res) {
    nlohmann::json counters = fleet.counters();
    const nlohmann::json smpp_counters = esme.counters();  // items() does not keep a temporary alive
    for (const auto& [name, value] : smpp_counters.items()) counters["smpp." + name] = value;
    reply_json(res, 200, counters);
  });
}

struct Options {
  std::string fleet_file, smsc_host = "127.0.0.1", system_id = "meters", password = "secret", port_file;
  uint16_t smsc_port = 2775, http_port = 0;
  uint32_t window = 0;
};

int run(const Options& o) {
  std::ifstream in(o.fleet_file);
  auto json = nlohmann::json::parse(in, nullptr, false);
  if (!in || json.is_discarded()) {
    std::fprintf(stderr, "meter_fleet: %s is not readable JSON\n", o.fleet_file.c_str());
    return 78;
  }
  auto specs = parse_fleet(json);
  if (!specs.ok()) {
    std::fprintf(stderr, "meter_fleet: %s: %s\n", o.fleet_file.c_str(), specs.status().message().c_str());
    return 78;
  }
  auto fleet = Fleet::create(std::move(*specs), o.window);
  if (!fleet.ok()) {
    std::fprintf(stderr, "meter_fleet: %s: %s\n", o.fleet_file.c_str(), fleet.status().message().c_str());
    return 78;
  }
  Outbox* outbox_ptr = nullptr;
  PeerEsme esme({.host = o.smsc_host, .port = o.smsc_port, .system_id = o.system_id, .password = o.password,
                 .name = "meter-fleet"},
                [&](const smpp::MoMessage& mo) {
                  for (auto& sms : (*fleet)->on_sms(mo.source_addr, mo.destination_addr, mo.text_utf8)) {
                    outbox_ptr->send(std::move(sms));
                  }
                });
  Outbox outbox(esme);
  outbox_ptr = &outbox;
  httplib::Server http;
  add_routes(http, **fleet, esme, outbox);
  return run_peer("meter_fleet", esme, http, o.http_port, o.port_file);
}

}  // namespace
}  // namespace pintar::peers

int main(int argc, char** argv) {
  pintar::peers::init_peer_process();
  pintar::peers::Options o;
  CLI::App app{"meter_fleet: simulated two-way prepaid meters behind an SMSC (tests/peers/meter-fleet/README.md)"};
  app.add_option("--fleet", o.fleet_file, "the fleet file (JSON)")->required();
  app.add_option("--smsc-host", o.smsc_host, "SMSC host");
  app.add_option("--smsc-port", o.smsc_port, "SMSC SMPP port")->required();
  app.add_option("--system-id", o.system_id, "the SMSC account owning the modem numbers");
  app.add_option("--password", o.password, "its password (a test account's)");
  app.add_option("--http-port", o.http_port, "control API port on 127.0.0.1; 0 = ephemeral");
  app.add_option("--port-file", o.port_file, "write the control port here once ready");
  app.add_option("--replay-window", o.window, "engine counter replay window (0 = strict)")->check(CLI::Range(0, 64));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 64;
  }
  return pintar::peers::run(o);
}
