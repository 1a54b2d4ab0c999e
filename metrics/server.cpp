#include "metrics/server.h"

#include <arpa/inet.h>

#include <chrono>

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include "common/listen_socket.h"
#include "metrics/exposition.h"

namespace pintar::metrics {

bool is_loopback(const std::string& address) {
  if (address == "localhost" || address == "::1") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return false;
}

Server::Server(std::unique_ptr<httplib::Server> http, int port) : http_(std::move(http)), port_(port) {}

Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::start(const std::string& listen, int port, const Registry& registry) {
  if (!is_loopback(listen)) {
    return Status::invalid_argument(fmt::format("metrics: {} is not a loopback address", listen));
  }
  auto http = std::make_unique<httplib::Server>();
  http->new_task_queue = [] { return new httplib::ThreadPool(1); };
  http->set_read_timeout(5, 0);
  http->set_write_timeout(5, 0);
  // Keep-alive answers otherwise wait out Nagle against the client's delayed ACK (40 ms each).
  http->set_tcp_nodelay(true);
  http->set_socket_options(reuse_address_only);  // a port in use fails (common/listen_socket.h)
  http->Get("/metrics", [&registry](const httplib::Request&, httplib::Response& response) {
    response.set_content(expose(registry), std::string(kContentType));
  });
  int bound = port;
  if (port == 0) {
    bound = http->bind_to_any_port(listen);
    if (bound < 0) return Status::io_error(fmt::format("metrics: cannot bind {}", listen));
  } else if (!http->bind_to_port(listen, port)) {
    return Status::io_error(fmt::format("metrics: cannot bind {}:{} (in use?)", listen, port));
  }
  std::unique_ptr<Server> server(new Server(std::move(http), bound));
  httplib::Server* raw = server->http_.get();
  server->thread_ = std::thread([raw] { raw->listen_after_bind(); });
  // httplib's stop() does nothing until the listening thread has set is_running (0.11.4), so a
  // stop() that came sooner would leave the thread listening and the join would hang: start()
  // returns only once the server runs (as helpdesk/server.cpp).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!raw->is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      server->thread_.detach();  // still starting; stopping it could hang (see above)
      (void)server->http_.release();  // the detached thread uses it: leaked on purpose
      return Status::io_error("metrics: the listening thread did not start within 10 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return server;
}

void Server::stop() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
}

std::unique_ptr<Server> start_or_warn(std::string_view daemon, const std::string& listen, int port,
                                      const Registry& registry) {
  if (port == 0) {
    spdlog::info("{}: metrics off (metrics.*_port = 0)", daemon);
    return nullptr;
  }
  auto server = Server::start(listen, port, registry);
  if (!server.ok()) {
    spdlog::warn("{}: serving without metrics: {}", daemon, server.status());
    return nullptr;
  }
  spdlog::info("{}: metrics on http://{}:{}/metrics", daemon, listen, (*server)->port());
  return std::move(server).value();
}

}  // namespace pintar::metrics
