// PeerEsme: the SMPP side shared by the simulated peers (tests/peers/meter-fleet, phones) and
// by tests that play the vending engine: one transceiver bind through pintar's own smpp/
// library to the independent SMSC simulator (tests/peers/smsc-sim), which routes to this
// account the numbers its `routes` own.
//
// Every deliver_sm is acknowledged at once (a peer keeps nothing durable) and handed to the
// MoHandler on the session's thread; the handler must not block (queue the work). Receipts
// are acknowledged and counted. submit() may be called from any thread; on_submitted and
// on_failed are counted and remembered per id. Also serve_http(): the loopback HTTP server
// of the peers, with the READY line and port file their tests wait for.
#ifndef PINTAR_TESTS_PEERS_ESME_PEER_ESME_H_
#define PINTAR_TESTS_PEERS_ESME_PEER_ESME_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "smpp/session.h"

namespace httplib {
class Server;
struct Response;
}

namespace pintar::peers {

struct EsmeOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 2775;
  std::string system_id;
  std::string password;
  std::string name = "peer";  // the bind name in logs
};

class PeerEsme final : public smpp::SessionListener {
 public:
  using MoHandler = std::function<void(const smpp::MoMessage&)>;
  PeerEsme(EsmeOptions options, MoHandler handler);
  ~PeerEsme() override;  // stop()

  Status start();
  void stop();
  // True once the bind is bound (false after the timeout).
  bool wait_bound(std::chrono::milliseconds timeout);

  // Queues one MT (no receipt asked for); the id it will be reported under, or 0 when the
  // session is not running.
  uint64_t submit(const std::string& from, const std::string& to, const std::string& text);
  // "pending", "submitted" or "failed: <reason>" for an id submit() returned; "" if unknown.
  std::string outcome(uint64_t id) const;

  // {"submitted": n, "submit_ok": n, "submit_failed": n, "received": n, "receipts": n}
  nlohmann::json counters() const;

  void on_mo(const smpp::MoMessage& mo, smpp::DeliverReply reply) override;
  void on_receipt(const smpp::DeliveryReceipt& receipt, smpp::DeliverReply reply) override;
  void on_submitted(uint64_t id, const std::vector<std::string>& message_ids) override;
  void on_failed(uint64_t id, uint32_t command_status, const std::string& reason) override;
  void on_bind_state(const std::string& bind, smpp::BindState state, const std::string& detail) override;

 private:
  MoHandler handler_;
  smpp::BindOptions bind_options_;
  std::unique_ptr<smpp::Session> session_;
  mutable std::mutex mutex_;
  std::condition_variable bound_changed_;
  bool bound_ = false;
  std::map<uint64_t, std::string> outcomes_;
  std::atomic<uint64_t> next_id_{1};
  std::atomic<uint64_t> submitted_{0}, submit_ok_{0}, submit_failed_{0}, received_{0}, receipts_{0};
};

// Binds `server` to 127.0.0.1:`port` (0: ephemeral) and runs it on a thread of its own;
// the port it got, or an error when it cannot listen. Stop it with server.stop() and join.
Result<uint16_t> start_http(httplib::Server& server, uint16_t port, std::thread& thread);

// Tells the tests the peer is ready: writes the port to `port_file` when given (to a
// temporary name, then renamed, so a reader never sees half of it), then prints one line
// "READY http=<port>" on stdout.
Status announce_ready(uint16_t http_port, const std::string& port_file);

// The life of a peer program after its set-up: starts `esme` and waits until it is bound
// (20 s), serves `http` on 127.0.0.1:`http_port`, announces READY, waits for SIGTERM or
// SIGINT, then stops both. Returns the exit code (0, or 1 with the reason on stderr).
int run_peer(const char* name, PeerEsme& esme, httplib::Server& http, uint16_t http_port, const std::string& port_file);

// A JSON answer with its status.
void reply_json(httplib::Response& res, int status, const nlohmann::json& body);

// Call first in main(): sends the logs (smpp/'s included) to stderr, since stdout carries
// only the READY line and nobody reads it after that (a full pipe would block the peer),
// and blocks SIGTERM and SIGINT in this thread and every thread started after, so that
// wait_for_termination() returns when one arrives.
void init_peer_process();
void wait_for_termination();

}  // namespace pintar::peers

#endif  // PINTAR_TESTS_PEERS_ESME_PEER_ESME_H_
