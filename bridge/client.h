// bridge::Client: the engine's end of the ZeroMQ link to `pintar gateway` (docs/gateway.md,
// "The ZeroMQ protocol"; the gateway's end is gateway/engine_link.h).
//
// Socket: one DEALER connected to the gateway's ROUTER, ZMQ_IMMEDIATE (nothing is queued for
// a gateway that is not connected: it is repeated instead), ZMQ_MAXMSGSIZE =
// max_message_bytes (a larger frame drops the connection, which libzmq then reconnects), and
// a CURVE client when `curve` is set (required for tcp://; the gateway's ZAP handler admits
// only pinned engine keys, so an unpinned key never completes a handshake and is counted in
// bridge.handshakes_failed).
//
// Threads: one internal thread owns the socket; handlers run on it, one at a time (keep them
// short: hand work to your own threads; they may call this client's methods, and must not
// throw). Every public method is thread-safe and returns without waiting for the network.
//
// Delivery: the gateway repeats mo, mt_result and receipt until acked; the client hands each
// id to its handler once while it is unacked (a repeat of an unacked id is dropped and
// counted), and answers a repeat of an id already acked with the ack again (without calling
// the handler). The last `remembered_acks` acked ids of each kind are remembered; an older
// one repeated is new again (the engine's own store must de-duplicate across restarts
// anyway). MTs go out in send_mt() order (the gateway stores them in the order they
// arrive), and are repeated every `repeat` until their mt_ack; after a reconnect (every
// completed handshake) every unacked MT is sent again at once. The mt_ack handler is called
// once per send_mt(): for the first mt_ack of an MT still unacked; later ones (the gateway
// answers every repeat) are counted and dropped.
//
// Liveness: the client sends a heartbeat every `heartbeat` (the gateway answers each one);
// gateway_alive() is true while any well-formed frame came within `gateway_timeout`. After
// each `gateway_timeout` of silence the socket is closed and opened again: libzmq gives up
// a connection for good after a protocol error (a frame over max_message_bytes, a refused
// handshake), and a fresh socket brings the link back whatever ended it.
#ifndef PINTAR_BRIDGE_CLIENT_H_
#define PINTAR_BRIDGE_CLIENT_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bridge/curve.h"
#include "bridge/protocol.h"
#include "common/clock.h"
#include "common/counters.h"
#include "common/status.h"

namespace pintar::bridge {

struct ClientOptions {
  std::string endpoint{};                             // the gateway's ROUTER: ipc://... or tcp://...
  std::optional<CurveClientKeys> curve{};             // required for tcp:// (InvalidArgument otherwise)
  std::chrono::milliseconds heartbeat{1000};          // we send one this often
  std::chrono::milliseconds repeat{1000};             // an MT is sent again this long after, until its mt_ack
  std::chrono::milliseconds gateway_timeout{3500};    // nothing heard this long: gateway_alive() false
  size_t max_message_bytes = 65536;                   // ZMQ_MAXMSGSIZE
  size_t remembered_acks = 100000;                    // acked gateway ids kept for de-duplication (per kind)
  Clock* clock = nullptr;                             // timers; nullptr: Clock::real() (a test's ManualClock
                                                      // is looked at every kPollCap)
};
// InvalidArgument naming the option: an endpoint that is not ipc:// or tcp://, tcp:// without
// curve, bad curve keys (bridge/curve.h validate), a zero interval, gateway_timeout not longer
// than heartbeat, max_message_bytes under kMinMessageBytes, remembered_acks 0.
Status validate(const ClientOptions& options);
// The largest mt frame (kMaxMtTextOctets of text, JSON-escaped) fits in far less; below this
// the client could not even take the gateway's messages about such an MT.
inline constexpr size_t kMinMessageBytes = 4096;
// The longest the client's thread sleeps between looks at its clock and its queue.
inline constexpr std::chrono::milliseconds kPollCap{20};

enum BridgeClientCounter : size_t {
  kClientMoReceived,
  kClientMoRepeatsUnacked,
  kClientMoRepeatsAcked,
  kClientResultReceived,
  kClientResultRepeatsUnacked,
  kClientResultRepeatsAcked,
  kClientReceiptReceived,
  kClientReceiptRepeatsUnacked,
  kClientReceiptRepeatsAcked,
  kClientAcksSent,
  kClientMtSent,
  kClientMtRepeated,
  kClientMtAcked,
  kClientMtRefused,
  kClientMtAcksIgnored,
  kClientHeartbeatsSent,
  kClientHeartbeatsReceived,
  kClientBadFrames,
  kClientUnexpected,
  kClientConnects,
  kClientHandshakesFailed,
  kClientGatewayLost,
  kClientReopens,
  kClientMoRepeatsReceived,
  kBridgeClientCounterCount,
};
constexpr size_t counter_count(BridgeClientCounter) { return kBridgeClientCounterCount; }

inline constexpr CounterSpec kBridgeClientCounters[] = {
    {"bridge.mo_received", "mo messages handed to the mo handler (first arrival of an id)"},
    {"bridge.mo_repeats_unacked", "mo repeats of an id handed over and not yet acked: dropped"},
    {"bridge.mo_repeats_acked", "mo repeats of an id already acked: answered with mo_ack again"},
    {"bridge.mt_result_received", "mt_result messages handed to the mt_result handler"},
    {"bridge.mt_result_repeats_unacked", "mt_result repeats of an id handed over and not yet acked: dropped"},
    {"bridge.mt_result_repeats_acked", "mt_result repeats of an id already acked: answered with the ack again"},
    {"bridge.receipt_received", "receipt messages handed to the receipt handler"},
    {"bridge.receipt_repeats_unacked", "receipt repeats of an id handed over and not yet acked: dropped"},
    {"bridge.receipt_repeats_acked", "receipt repeats of an id already acked: answered with the ack again"},
    {"bridge.acks_sent", "mo_ack, mt_result_ack and receipt_ack sent (first acks and re-acks)"},
    {"bridge.mt_sent", "MTs sent to the gateway for the first time"},
    {"bridge.mt_repeated", "MTs sent again: no mt_ack within `repeat`, or a reconnect"},
    {"bridge.mt_acked", "MTs the gateway stored (mt_ack stored=true)"},
    {"bridge.mt_refused", "MTs the gateway refused for good (mt_ack stored=false)"},
    {"bridge.mt_acks_ignored", "mt_acks for no unacked MT (the gateway answers every repeat): dropped"},
    {"bridge.heartbeats_sent", "heartbeats sent to the gateway"},
    {"bridge.heartbeats_received", "heartbeats from the gateway (its answers and its own)"},
    {"bridge.bad_frames", "frames from the gateway that were not protocol messages: dropped"},
    {"bridge.unexpected", "protocol messages the gateway never sends (mt, acks from the engine side): dropped"},
    {"bridge.connects", "handshakes with the gateway completed (the first and every reconnect)"},
    {"bridge.handshakes_failed", "handshakes the gateway refused (unpinned CURVE key, wrong server key, uid)"},
    {"bridge.gateway_lost", "times gateway_alive() went false: nothing heard for gateway_timeout"},
    {"bridge.reopens", "sockets closed and opened again after gateway_timeout of silence"},
    {"bridge.mo_repeat_received", "mo_repeat notices handed to the mo_repeat handler (dropped without one)"},
};
static_assert(valid_counter_names(kBridgeClientCounters));

class Client {
 public:
  struct Handlers {
    std::function<void(Mo)> mo{};
    std::function<void(MtResult)> mt_result{};
    std::function<void(Receipt)> receipt{};
    std::function<void(MtAck)> mt_ack{};            // after this the MT is no longer repeated
    std::function<void(MoRepeat)> mo_repeat{};      // optional: best effort, never acked
    std::function<void(bool alive)> gateway_state{};  // optional: called when gateway_alive() changes
  };
  // InvalidArgument for bad options (validate) or a missing mo, mt_result or receipt handler
  // (without one the gateway would repeat that kind forever); Unavailable when libzmq refuses
  // the endpoint. Connecting itself never fails: libzmq retries until the gateway is there.
  static Result<std::unique_ptr<Client>> start(ClientOptions options, Handlers handlers);
  ~Client();  // stops the thread; unacked MTs are forgotten (the engine keeps them durably)
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // InvalidArgument (validate(Mt)) and nothing sent; else the MT is held and sent until its
  // mt_ack. An id already unacked is replaced by this MT (sent at once).
  Status send_mt(Mt mt);
  // Acknowledge an id handed to a handler (an unknown id is acknowledged all the same).
  void ack_mo(std::string id);
  void ack_mt_result(std::string id);
  void ack_receipt(std::string id);
  bool gateway_alive() const { return alive_.load(); }
  size_t unacked_mts() const;
  const Counters<BridgeClientCounter>& counters() const { return counters_; }  // kBridgeClientCounters

 private:
  enum class Kind : size_t { kMo, kResult, kReceipt, kCount };
  struct UnackedMt {
    Mt mt;
    std::optional<Clock::SteadyTime> sent_at;  // none: send at the next pass
    bool ever_sent = false;
  };
  struct Seen;  // one kind's de-duplication state (thread only)

  Client(ClientOptions options, Handlers handlers);
  Status open();
  Status open_socket();
  void close_socket();
  void reopen();
  void run();
  void wake();
  void queue_ack(Kind kind, std::string id);
  void receive_frames();
  void handle(Message message);
  template <typename T>
  void handle_repeated(Kind kind, T message, const std::function<void(T)>& handler);
  void handle_monitor();
  void send_due();
  bool send(const Message& message);

  const ClientOptions options_;
  const Handlers handlers_;
  Clock& clock_;
  Counters<BridgeClientCounter> counters_;
  std::atomic<bool> alive_{false};
  int wake_fd_ = -1;  // eventfd: the public methods wake the thread through it

  mutable std::mutex mutex_;  // guards the members up to thread_
  bool stop_ = false;
  std::map<uint64_t, UnackedMt> mts_;  // by send_mt() order: the gateway stores MTs in arrival order
  std::unordered_map<std::string, uint64_t> mt_order_;  // MT id -> its key in mts_
  uint64_t next_mt_seq_ = 0;
  std::vector<std::pair<Kind, std::string>> acks_to_send_;

  // The thread's own (the socket moves to it once it runs).
  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::unique_ptr<zmq::socket_t> monitor_;
  std::vector<std::unique_ptr<Seen>> seen_;
  Clock::SteadyTime last_heard_{};
  Clock::SteadyTime next_heartbeat_{};
  std::thread thread_;
};

}  // namespace pintar::bridge

#endif  // PINTAR_BRIDGE_CLIENT_H_
