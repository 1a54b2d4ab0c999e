#include "helpdesk/server.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "common/listen_socket.h"

namespace pintar::helpdesk {

Server::Server(std::unique_ptr<httplib::Server> http, std::unique_ptr<Counters<HelpdeskCounter>> counters, int port,
               bool tls)
    : http_(std::move(http)), counters_(std::move(counters)), port_(port), tls_(tls) {}

Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::start(const HelpdeskOptions& options, ServerDeps deps) {
  std::unique_ptr<httplib::Server> http;
  const bool tls = !options.tls_certificate.empty();
  if (tls) {
    http = std::make_unique<httplib::SSLServer>(options.tls_certificate.c_str(), options.tls_private_key.c_str());
    if (!http->is_valid()) {
      return Status::io_error(fmt::format("helpdesk.tls_certificate {} / tls_private_key: not loaded (PEM files?)",
                                          options.tls_certificate));
    }
  } else {
    http = std::make_unique<httplib::Server>();
  }
  if (!options.web_root.empty()) {
    if (!std::filesystem::is_directory(options.web_root)) {
      return Status::invalid_argument(fmt::format("helpdesk.web_root {}: not a folder", options.web_root));
    }
    http->set_mount_point("/", options.web_root);
  }
  const int threads = options.threads;
  http->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  // The registry import takes a CSV body (docs/helpdesk.md: bigger files go through
  // `pintar customers import`); JSON bodies are small.
  http->set_payload_max_length(kMaxBodyBytes);
  http->set_read_timeout(10, 0);
  http->set_write_timeout(10, 0);
  http->set_keep_alive_max_count(100);
  // Keep-alive answers otherwise wait out Nagle against the client's delayed ACK (40 ms each).
  http->set_tcp_nodelay(true);
  // httplib's default sets SO_REUSEPORT: a second helpdesk on this port would silently share it.
  http->set_socket_options(reuse_address_only);
  add_api_routes(*http, deps);
  auto counters = std::make_unique<Counters<HelpdeskCounter>>(kHelpdeskCounters);
  // Runs for every answer (routed or not) before it is written, so a client that has its answer
  // sees it counted.
  http->set_post_routing_handler([c = counters.get()](const httplib::Request&, httplib::Response& response) {
    c->add(kHelpdeskRequests);
    switch (response.status) {
      case 400: c->add(kHelpdeskBadRequests); break;
      case 401: c->add(kHelpdeskUnauthorized); break;
      case 403: c->add(kHelpdeskForbidden); break;
      case 429: c->add(kHelpdeskRateLimited); break;
      default: break;
    }
  });
  int port = options.port;
  if (port == 0) {
    port = http->bind_to_any_port(options.listen);
    if (port < 0) return Status::io_error(fmt::format("helpdesk: cannot bind {}", options.listen));
  } else if (!http->bind_to_port(options.listen, port)) {
    return Status::io_error(fmt::format("helpdesk: cannot bind {}:{}", options.listen, port));
  }
  std::unique_ptr<Server> server(new Server(std::move(http), std::move(counters), port, tls));
  httplib::Server* raw = server->http_.get();
  server->thread_ = std::thread([raw] { raw->listen_after_bind(); });
  // httplib's stop() does nothing until the listening thread has set is_running (0.11.4), so a
  // stop() that came sooner would leave the thread listening and the join would hang: start()
  // returns only once the server runs.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!raw->is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::io_error("helpdesk: the listening thread did not start within 10 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return server;
}

void Server::stop() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
}

void Server::wait() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace pintar::helpdesk
