// EngineLink: the gateway's end of the ZeroMQ link to the vending engines (docs/gateway.md).
//
// One ROUTER socket, bound at the configured endpoint; each engine connects a DEALER. Who
// may connect is checked before any frame flows (gateway/engine_auth.h: CURVE with pinned
// engine keys, and the peer's uid on ipc://); a tcp:// endpoint without CURVE is refused.
// A frame larger than `max_message_bytes` drops its connection (ZMQ_MAXMSGSIZE).
//
// The link tracks which engines are alive (an engine counts once one of its frames has
// decoded as a protocol message; it answers heartbeats and sends its own), and carries the
// gateway's reliable messages (mo, mt_result, receipt): each is sent to a live engine,
// round robin, and repeated every `retry` until an engine it was sent to acknowledges it;
// at most `max_unacked` per kind are held at a time.
//
// Threads: not thread-safe; one thread (the gateway loop) owns it (the ZAP handler has its
// own thread, inside). ZeroMQ errors on send are handled inside (the message is repeated
// later); configuration and bind errors come back from open().
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
#include "gateway/engine_auth.h"
#include "bridge/protocol.h"
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
  kLinkAcksIgnored,
  kLinkAuthAdmitted,
  kLinkAuthRefused,
  kEngineLinkCounterCount,
};
constexpr size_t counter_count(EngineLinkCounter) { return kEngineLinkCounterCount; }
inline constexpr CounterSpec kEngineLinkCounters[] = {
    {"engine_link.sent", "reliable messages (mo, mt_result, receipt) sent to an engine for the first time"},
    {"engine_link.repeated", "reliable messages sent again because no acknowledgement came within engine_retry_ms"},
    {"engine_link.acked", "reliable messages acknowledged by an engine"},
    {"engine_link.received", "well-formed frames received from engines"},
    {"engine_link.bad_frames", "frames from engines that were not protocol messages (dropped)"},
    {"engine_link.joined", "engines heard from after being unknown or silent"},
    {"engine_link.lost", "engines dropped after engine_liveness_ms of silence or an unreachable send"},
    {"engine_link.acks_ignored", "acknowledgements for a message not outstanding to the engine that sent them (repeated, "
                            "late, or for a message it was never sent): ignored"},
    {"engine_link.auth_admitted", "connections admitted by the ZAP handler (pinned CURVE key, ipc peer uid)"},
    {"engine_link.auth_refused", "connections refused by the ZAP handler (unpinned CURVE key, another uid, wrong mechanism)"},
};
static_assert(valid_counter_names(kEngineLinkCounters));

class EngineLink {
 public:
  struct Incoming {
    std::string engine;   // routing id, to reply()
    bridge::Message message;
  };

  static Result<std::unique_ptr<EngineLink>> open(zmq::context_t& context, const EngineLinkOptions& options,
                                                  Clock& clock);

  // For zmq::poll().
  zmq::socket_t& socket() { return socket_; }

  // Reads the frames waiting on the socket, at most max_frames_per_pass (never blocks; the
  // socket stays readable for poll() when more wait). Heartbeats are answered here and not
  // returned; malformed frames are logged, counted and dropped, and do not make an engine.
  std::vector<Incoming> receive();
  // Sends one message to one engine now (best effort: acks, mt_ack).
  void reply(const std::string& engine, const bridge::Message& message);
  // Sends one message once to the next live engine, round robin (best effort: mo_repeat);
  // false when no engine took it.
  bool send_once(const bridge::Message& message);

  // Room for another reliable message of this kind.
  bool has_room(ReliableKind kind) const;
  // Takes a reliable message; it goes out at once if an engine is alive, else when one is.
  void send_reliable(ReliableKind kind, int64_t key, bridge::Message message);
  // `engine` acknowledged it. False, counted (engine.acks_ignored) and nothing changed when
  // it is not outstanding to that engine: a repeated or late ack, or one for a message the
  // link never sent there.
  bool acknowledge(const std::string& engine, ReliableKind kind, int64_t key);
  size_t outstanding(ReliableKind kind) const;

  // Heartbeats, expiry of silent engines, repeats. Call at least every next_timeout().
  void tick();
  std::chrono::milliseconds next_timeout() const;
  bool has_live_engine() const { return !engines_.empty(); }

  const Counters<EngineLinkCounter>& counters() const { return counters_; }

 private:
  struct Pending {
    bridge::Message message;
    std::optional<Clock::SteadyTime> sent_at;  // none: never sent
    std::vector<std::string> sent_to;           // engines it went to (each may ack it)
  };
  EngineLink(zmq::context_t& context, const EngineLinkOptions& options, Clock& clock);
  bool send_to(const std::string& engine, const bridge::Message& message);
  // Sends `pending` to the next live engine; false when none took it.
  bool dispatch(Pending& pending);
  // The next live engine, round robin, that took `message`; nullptr when none did.
  const std::string* send_to_next(const bridge::Message& message);
  void heard_from(const std::string& engine, const zmq::message_t& frame);

  EngineLinkOptions options_;
  Clock& clock_;
  Counters<EngineLinkCounter> counters_;                    // before zap_, which counts into it
  std::unique_ptr<ZapHandler> zap_;      // before socket_: no handshake without a decision
  zmq::socket_t socket_;
  std::map<std::string, Clock::SteadyTime> engines_;  // routing id -> last heard
  std::string last_engine_;                             // round robin position
  Clock::SteadyTime next_heartbeat_{};
  Clock::SteadyTime next_scan_{};
  std::map<int64_t, Pending> pending_[static_cast<size_t>(ReliableKind::kCount)];
};

}  // namespace pintar::gateway

#endif  // PINTAR_GATEWAY_ENGINE_LINK_H_
