#include "tests/peers/esme/peer_esme.h"

#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <httplib.h>

#include "common/log.h"

namespace pintar::peers {

PeerEsme::PeerEsme(EsmeOptions options, MoHandler handler) : handler_(std::move(handler)) {
  bind_options_.name = options.name;
  bind_options_.host = options.host;
  bind_options_.port = options.port;
  bind_options_.system_id = options.system_id;
  bind_options_.password = Secret(std::vector<uint8_t>(options.password.begin(), options.password.end()));
  // A simulated world restarts its SMSC in tests: reconnect fast.
  bind_options_.reconnect_min = std::chrono::milliseconds(100);
  bind_options_.reconnect_max = std::chrono::milliseconds(1000);
  bind_options_.bind_failure_retry = std::chrono::milliseconds(1000);
  bind_options_.retry_delay = std::chrono::milliseconds(200);
  bind_options_.throttle_pause = std::chrono::milliseconds(100);
}

PeerEsme::~PeerEsme() { stop(); }

Status PeerEsme::start() {
  session_ = std::make_unique<smpp::Session>(bind_options_, *this);
  return session_->start();
}

void PeerEsme::stop() {
  if (session_) session_->stop();
}

bool PeerEsme::wait_bound(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return bound_changed_.wait_for(lock, timeout, [this] { return bound_; });
}

uint64_t PeerEsme::submit(const std::string& from, const std::string& to, const std::string& text) {
  if (!session_) return 0;
  const uint64_t id = next_id_++;
  {
    std::lock_guard lock(mutex_);
    outcomes_[id] = "pending";
  }
  smpp::OutboundSms sms{.id = id, .source_addr = from, .destination_addr = to, .text_utf8 = text, .want_receipt = false};
  if (!session_->submit(std::move(sms))) {
    std::lock_guard lock(mutex_);
    outcomes_.erase(id);
    return 0;
  }
  ++submitted_;
  return id;
}

std::string PeerEsme::outcome(uint64_t id) const {
  std::lock_guard lock(mutex_);
  const auto it = outcomes_.find(id);
  return it == outcomes_.end() ? std::string() : it->second;
}

nlohmann::json PeerEsme::counters() const {
  return {{"submitted", submitted_.load()}, {"submit_ok", submit_ok_.load()}, {"submit_failed", submit_failed_.load()},
          {"received", received_.load()},   {"receipts", receipts_.load()}};
}

void PeerEsme::on_mo(const smpp::MoMessage& mo, smpp::DeliverReply reply) {
  ++received_;
  reply(Status::ok_status());
  handler_(mo);
}

void PeerEsme::on_receipt(const smpp::DeliveryReceipt&, smpp::DeliverReply reply) {
  ++receipts_;
  reply(Status::ok_status());
}

void PeerEsme::on_submitted(uint64_t id, const std::vector<std::string>&) {
  ++submit_ok_;
  std::lock_guard lock(mutex_);
  outcomes_[id] = "submitted";
}

void PeerEsme::on_failed(uint64_t id, uint32_t command_status, const std::string& reason) {
  ++submit_failed_;
  std::lock_guard lock(mutex_);
  outcomes_[id] = "failed: status " + std::to_string(command_status) + " " + reason;
}

void PeerEsme::on_bind_state(const std::string& bind, smpp::BindState state, const std::string& detail) {
  std::fprintf(stderr, "%s: %s %s\n", bind.c_str(), smpp::bind_state_name(state), detail.c_str());
  std::lock_guard lock(mutex_);
  bound_ = state == smpp::BindState::kBound || state == smpp::BindState::kThrottled;
  bound_changed_.notify_all();
}

Result<uint16_t> start_http(httplib::Server& server, uint16_t port, std::thread& thread) {
  // Without it a keep-alive client's request body waits out Nagle against the delayed ACK
  // (40 ms a request on Linux loopback); httplib 0.11 defaults to off.
  server.set_tcp_nodelay(true);
  int bound = port == 0 ? server.bind_to_any_port("127.0.0.1") : (server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) return Status::unavailable("cannot listen on 127.0.0.1:" + std::to_string(port));
  thread = std::thread([&server] { server.listen_after_bind(); });
  // httplib 0.11's stop() is a no-op until the thread has set is_running: wait for it, or a
  // SIGTERM right after start would leave the join hanging.
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return static_cast<uint16_t>(bound);
}

Status announce_ready(uint16_t http_port, const std::string& port_file) {
  if (!port_file.empty()) {
    const std::string temporary = port_file + ".tmp";
    {
      std::ofstream out(temporary);
      out << http_port << "\n";
      if (!out) return Status::unavailable("cannot write " + temporary);
    }
    std::error_code error;
    std::filesystem::rename(temporary, port_file, error);
    if (error) return Status::unavailable("cannot rename to " + port_file + ": " + error.message());
  }
  std::printf("READY http=%u\n", static_cast<unsigned>(http_port));
  std::fflush(stdout);
  return Status::ok_status();
}

namespace {
sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}
}  // namespace

void init_peer_process() {
  (void)log::init({});  // the default options are valid
  const sigset_t set = termination_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void wait_for_termination() {
  const sigset_t set = termination_signals();
  int signal_number = 0;
  sigwait(&set, &signal_number);
}

void reply_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

int run_peer(const char* name, PeerEsme& esme, httplib::Server& http, uint16_t http_port, const std::string& port_file) {
  if (Status started = esme.start(); !started.ok()) {
    std::fprintf(stderr, "%s: %s\n", name, started.to_string().c_str());
    return 1;
  }
  if (!esme.wait_bound(std::chrono::seconds(20))) {
    std::fprintf(stderr, "%s: not bound to the SMSC after 20 s\n", name);
    return 1;
  }
  std::thread http_thread;
  auto port = start_http(http, http_port, http_thread);
  if (!port.ok()) {
    std::fprintf(stderr, "%s: %s\n", name, port.status().message().c_str());
    return 1;
  }
  int code = 0;
  if (Status ready = announce_ready(*port, port_file); !ready.ok()) {
    std::fprintf(stderr, "%s: %s\n", name, ready.message().c_str());
    code = 1;
  } else {
    wait_for_termination();
  }
  http.stop();
  http_thread.join();
  esme.stop();
  return code;
}

}  // namespace pintar::peers
