// EngineLink: the gateway's end of the ZeroMQ link to the vending engines (docs/gateway.md).
//
// One ROUTER socket, bound at the configured endpoint; each engine connects a DEALER. The
// link tracks which engines are alive (any frame from one counts; it answers heartbeats and
// sends its own), and carries the gateway's reliable messages (mo, mt_result, receipt):
// each is sent to a live engine, round robin, and repeated every `retry` until
// acknowledge() is called for it; at most `max_unacked` per kind are held at a time.
//
// Threads: not thread-safe; one thread (the gateway loop) owns it. ZeroMQ errors on send
// are handled inside (the message is repeated later); bind errors come back from open().
#ifndef PINTAR_GATEWAY_ENGINE_LINK_H_
#define PINTAR_GATEWAY_ENGINE_LINK_H_

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "common/clock.h"
#include "common/counters.h"
#include "common/status.h"
#include "gateway/engine_protocol.h"
#include "gateway/gateway_config.h"

namespace pintar::gateway {

enum class ReliableKind : size_t { kMo, kResult, kReceipt, kCount };

enum EngineLinkCounter : size_t {
  kLinkSent,
  kLinkRepeated,
  kLinkAcked,
  kLinkReceived,
  kLinkBadFrames,
  kLinkEnginesJoined,
  kLinkEnginesLost,
  kEngineLinkCounterCount,
};

class EngineLink {
 public:
  struct Incoming {
    std::string engine;   // routing id, to reply()
    Message message;
  };

  static Result<std::unique_ptr<EngineLink>> open(zmq::context_t& context, const EngineLinkOptions& options,
                                                  Clock& clock);

  // For zmq::poll().
  zmq::socket_t& socket() { return socket_; }

  // Reads every frame waiting on the socket (never blocks). Heartbeats are answered here
  // and not returned; malformed frames are logged, counted and dropped.
  std::vector<Incoming> receive();
  // Sends one message to one engine now (best effort: acks, mt_ack).
  void reply(const std::string& engine, const Message& message);

  // Room for another reliable message of this kind.
  bool has_room(ReliableKind kind) const;
  // Takes a reliable message; it goes out at once if an engine is alive, else when one is.
  void send_reliable(ReliableKind kind, int64_t key, Message message);
  // The engine acknowledged it; false if it was not outstanding (a repeated ack).
  bool acknowledge(ReliableKind kind, int64_t key);
  size_t outstanding(ReliableKind kind) const;

  // Heartbeats, expiry of silent engines, repeats. Call at least every next_timeout().
  void tick();
  std::chrono::milliseconds next_timeout() const;
  bool has_live_engine() const { return !engines_.empty(); }

  const Counters& counters() const { return counters_; }

 private:
  struct Pending {
    Message message;
    std::optional<Clock::SteadyTime> sent_at;  // none: never sent
  };
  EngineLink(zmq::context_t& context, const EngineLinkOptions& options, Clock& clock);
  bool send_to(const std::string& engine, const Message& message);
  // Sends `pending` to the next live engine; false when none took it.
  bool dispatch(Pending& pending);
  void heard_from(const std::string& engine);

  EngineLinkOptions options_;
  Clock& clock_;
  zmq::socket_t socket_;
  std::map<std::string, Clock::SteadyTime> engines_;  // routing id -> last heard
  std::string last_engine_;                             // round robin position
  Clock::SteadyTime next_heartbeat_{};
  Clock::SteadyTime next_scan_{};
  std::map<int64_t, Pending> pending_[static_cast<size_t>(ReliableKind::kCount)];
  Counters counters_;
};

}  // namespace pintar::gateway

#endif  // PINTAR_GATEWAY_ENGINE_LINK_H_
