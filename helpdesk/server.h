// Server: `pintar helpdesk serve`'s HTTP(S) server (cpp-httplib; TLS through OpenSSL when a
// certificate is configured): the JSON API of docs/helpdesk.md under /api/v1, /healthz, and
// the web page's files from web_root.
//
// Every /api/v1 request needs "Authorization: Bearer <key>" (helpdesk/access.h): missing or
// wrong key 401 and wrong role 403 answer the same body, {"error": "not allowed"}; past the
// key's rate limit 429. Bad input 400 naming the field; unknown things 404; a purchase in the
// wrong state 409; ledger trouble 503. /healthz and the page's static files are open (they
// hold no data).
//
// Counters (kHelpdeskCounters, exported on the helpdesk's /metrics): every answer by its status.
//
// Threads: start() binds and serves on its own thread pool; stop() (or the destructor) stops
// it. The dependencies must outlive the Server.
#ifndef PINTAR_HELPDESK_SERVER_H_
#define PINTAR_HELPDESK_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "common/counters.h"
#include "common/status.h"
#include "helpdesk/access.h"
#include "helpdesk/actions.h"
#include "helpdesk/diagnosis.h"
#include "helpdesk/helpdesk_config.h"
#include "helpdesk/lookups.h"
#include "helpdesk/registry_actions.h"

namespace httplib {
class Server;
}

namespace pintar::helpdesk {

// The largest request body: 4 MiB, some 25,000 lines of an import file.
inline constexpr size_t kMaxBodyBytes = 4 * 1024 * 1024;

enum HelpdeskCounter : size_t {
  kHelpdeskRequests,
  kHelpdeskBadRequests,
  kHelpdeskUnauthorized,
  kHelpdeskForbidden,
  kHelpdeskRateLimited,
  kHelpdeskCounterCount,
};
constexpr size_t counter_count(HelpdeskCounter) { return kHelpdeskCounterCount; }
inline constexpr CounterSpec kHelpdeskCounters[] = {
    {"helpdesk.requests", "HTTP requests answered (API, /healthz and the web page's files)"},
    {"helpdesk.bad_requests", "requests answered 400: bad input"},
    {"helpdesk.unauthorized", "requests answered 401: no API key, or one that is wrong or revoked"},
    {"helpdesk.forbidden", "requests answered 403: the key's role is too low"},
    {"helpdesk.rate_limited", "requests answered 429: past the key's rate limit"},
};
static_assert(valid_counter_names(kHelpdeskCounters));

struct ServerDeps {
  Lookups& lookups;
  TokenDiagnoser& diagnoser;
  Actions& actions;
  Access& access;
  RegistryActions& registry;
};

class Server {
 public:
  // Binds options.listen:options.port (0: a free port). IoError when it cannot bind or the
  // TLS files do not load; InvalidArgument when web_root is set but not a folder.
  static Result<std::unique_ptr<Server>> start(const HelpdeskOptions& options, ServerDeps deps);
  ~Server();

  int port() const { return port_; }
  bool tls() const { return tls_; }
  const Counters<HelpdeskCounter>& counters() const { return *counters_; }
  void stop();
  // Blocks until stop() from another thread (or a signal handler's thread).
  void wait();

 private:
  Server(std::unique_ptr<httplib::Server> http, std::unique_ptr<Counters<HelpdeskCounter>> counters, int port,
         bool tls);
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<Counters<HelpdeskCounter>> counters_;  // counted into by http_'s threads
  int port_;
  bool tls_;
  std::thread thread_;
};

// The routes, on any httplib::Server (api_routes.cpp; the /api/v1/registry ones
// registry_routes.cpp, added by add_api_routes).
void add_api_routes(httplib::Server& http, ServerDeps deps);
void add_registry_routes(httplib::Server& http, ServerDeps deps);

}  // namespace pintar::helpdesk

#endif  // PINTAR_HELPDESK_SERVER_H_
