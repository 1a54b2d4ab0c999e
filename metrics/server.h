// metrics::Server: GET /metrics on a loopback address, answering the exposition
// (metrics/exposition.h) of a Registry, from one listening thread of its own.
//
// Metrics are not worth an outage: a daemon calls start_or_warn(), which logs a warning and
// returns null when the port cannot be bound, and carries on without metrics.
#ifndef PINTAR_METRICS_SERVER_H_
#define PINTAR_METRICS_SERVER_H_

#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "common/status.h"
#include "metrics/registry.h"

namespace httplib {
class Server;
}

namespace pintar::metrics {

class Server {
 public:
  // Binds listen:port (port 0: a free one, see port()) and serves until stop(). `registry`
  // (and its sources) must outlive the server. Returns only once the server accepts
  // connections. InvalidArgument for an address that is not loopback; IoError when the port
  // cannot be bound (also when another server holds it: SO_REUSEPORT is not set).
  static Result<std::unique_ptr<Server>> start(const std::string& listen, int port, const Registry& registry);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const { return port_; }
  // Stops serving and joins the thread. Idempotent.
  void stop();

 private:
  Server(std::unique_ptr<httplib::Server> http, int port);
  std::unique_ptr<httplib::Server> http_;
  int port_;
  std::thread thread_;
};

// For daemons, with the configuration's meaning of port 0 ("off": null, nothing logged but an
// info line). Otherwise start(), logged: "<daemon>: metrics on http://listen:port/metrics",
// or a warning and null when it cannot start.
std::unique_ptr<Server> start_or_warn(std::string_view daemon, const std::string& listen, int port,
                                      const Registry& registry);

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback(const std::string& address);

}  // namespace pintar::metrics

#endif  // PINTAR_METRICS_SERVER_H_
