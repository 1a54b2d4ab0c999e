// Who may speak on the gateway <-> engine link (docs/gateway.md, "Who may connect").
//
// The link's ROUTER socket is a ZeroMQ CURVE server (RFC 26) when the gateway has a CURVE
// secret key, and every connection's handshake is put to a ZAP handler (RFC 27) bound at
// inproc://zeromq.zap.01 in the link's context. The handler admits a connection when
//   - CURVE: the client's long-term public key is one of the pinned engine keys, and
//   - ipc://: the connecting process runs under the gateway's own uid (libzmq appends the
//     socket's SO_PEERCRED ":uid:gid:pid" to the ZAP request's address).
// A CURVE handshake with a wrong server key, or a NULL client on a CURVE server, fails
// before ZAP is asked; inproc:// has no handshake at all (tests only; config refuses it).
//
// Keys (CurveKey, Z85, secret key forms) are bridge/curve.h's, shared with the engine's client.
//
// Threads: decide() is pure and thread-safe. ZapHandler answers on
// its own thread; it reports each verdict to the callback it is given (on that thread) and logs refusals.
#ifndef PINTAR_GATEWAY_ENGINE_AUTH_H_
#define PINTAR_GATEWAY_ENGINE_AUTH_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "bridge/curve.h"
#include "common/counters.h"
#include "common/secret.h"
#include "common/status.h"

namespace pintar::gateway {

struct ZapPolicy {
  bool curve = false;                           // CURVE server: the client key must be pinned
  std::vector<bridge::CurveKey> engine_keys{};  // the pinned keys (curve = true)
  std::optional<uint32_t> ipc_uid{};            // ipc://: the peer's uid must be this one
};

struct ZapVerdict {
  bool admitted = false;
  std::string status_code{};  // RFC 27: "200" or "400"
  std::string status_text{};  // why, for the log and the ZAP reply
  std::string user_id{};      // admitted: "curve:<Z85 key>" or "uid:<n>"; becomes the peer's User-Id
};

// Decides one ZAP request: `frames` are the request's frames after the REP envelope
// (version, request id, domain, address, identity, mechanism, credentials...).
ZapVerdict decide(const ZapPolicy& policy, std::span<const std::string> frames);

// ipc://PATH: the directory holding the socket must belong to this process's user and be
// closed to everyone else (no group or other bits), so that no other user can reach the
// socket at all; the ZAP uid check is the second line. Created 0700 when absent (its parent
// must exist). FailedPrecondition naming the directory and its mode otherwise.
Status prepare_ipc_directory(std::string_view socket_path);

class ZapHandler {
 public:
  // Binds inproc://zeromq.zap.01 in `context` (one handler per context) before the link's
  // socket binds, so that no connection is ever taken without a decision. `count(admitted)`
  // runs on the handler's thread for every verdict (the link counts them).
  static Result<std::unique_ptr<ZapHandler>> start(zmq::context_t& context, ZapPolicy policy,
                                                   std::function<void(bool admitted)> count);
  ~ZapHandler();  // stops the thread, closes the socket
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

 private:
  ZapHandler(zmq::context_t& context, ZapPolicy policy, std::function<void(bool)> count);
  void run();

  ZapPolicy policy_;
  std::function<void(bool)> count_;
  zmq::socket_t socket_;  // REP, used only by the thread once it runs
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace pintar::gateway

#endif  // PINTAR_GATEWAY_ENGINE_AUTH_H_
