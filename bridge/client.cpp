#include "bridge/client.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <unordered_set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace pintar::bridge {
namespace {

// Which monitor events the thread reads: a completed handshake resends every unacked MT; a
// refused one is counted and logged.
constexpr int kMonitorEvents = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;

// A monitor endpoint no other client in the process uses.
std::string monitor_endpoint() {
  static std::atomic<uint64_t> next{0};
  return fmt::format("inproc://bridge-client-monitor-{}-{}", ::getpid(), next.fetch_add(1));
}

}  // namespace

// One kind's ids: handed over and not acked, and the last acked (oldest first).
struct Client::Seen {
  std::unordered_set<std::string> unacked;
  std::unordered_set<std::string> acked;
  std::deque<std::string> acked_order;
};

Status validate(const ClientOptions& o) {
  const std::string_view endpoint = o.endpoint;
  if (!endpoint.starts_with("ipc://") && !endpoint.starts_with("tcp://")) {
    return Status::invalid_argument(fmt::format("endpoint \"{}\": ipc://PATH or tcp://HOST:PORT", o.endpoint));
  }
  if (endpoint.starts_with("tcp://") && !o.curve) {
    return Status::invalid_argument(fmt::format("endpoint {}: tcp:// needs CURVE keys", o.endpoint));
  }
  if (o.curve) PINTAR_RETURN_IF_ERROR(validate(*o.curve));
  if (o.heartbeat.count() <= 0) return Status::invalid_argument("heartbeat must be positive");
  if (o.repeat.count() <= 0) return Status::invalid_argument("repeat must be positive");
  if (o.gateway_timeout <= o.heartbeat) {
    return Status::invalid_argument(fmt::format("gateway_timeout ({} ms) must be longer than heartbeat ({} ms)",
                                                o.gateway_timeout.count(), o.heartbeat.count()));
  }
  if (o.max_message_bytes < kMinMessageBytes) {
    return Status::invalid_argument(
        fmt::format("max_message_bytes {} is under {}", o.max_message_bytes, kMinMessageBytes));
  }
  if (o.remembered_acks == 0) return Status::invalid_argument("remembered_acks must be at least 1");
  return Status();
}

Client::Client(ClientOptions options, Handlers handlers)
    : options_(std::move(options)),
      handlers_(std::move(handlers)),
      clock_(options_.clock != nullptr ? *options_.clock : Clock::real()),
      counters_(kBridgeClientCounters) {
  for (size_t i = 0; i < static_cast<size_t>(Kind::kCount); ++i) seen_.push_back(std::make_unique<Seen>());
}

Result<std::unique_ptr<Client>> Client::start(ClientOptions options, Handlers handlers) {
  PINTAR_RETURN_IF_ERROR(validate(options));
  if (!handlers.mo || !handlers.mt_result || !handlers.receipt) {
    return Status::invalid_argument("the mo, mt_result and receipt handlers are required");
  }
  std::unique_ptr<Client> client(new Client(std::move(options), std::move(handlers)));
  PINTAR_RETURN_IF_ERROR(client->open());
  client->thread_ = std::thread([c = client.get()] { c->run(); });
  return client;
}

Status Client::open() {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return Status::unavailable(fmt::format("eventfd: {}", std::strerror(errno)));
  context_ = std::make_unique<zmq::context_t>(1);
  last_heard_ = clock_.steady_now();
  return open_socket();
}

void Client::close_socket() {
  if (!socket_) return;
  (void)zmq_socket_monitor(socket_->handle(), nullptr, 0);
  monitor_.reset();
  socket_.reset();
}

Status Client::open_socket() {
  try {
    socket_ = std::make_unique<zmq::socket_t>(*context_, zmq::socket_type::dealer);
    // Acks still queued at close get a moment to leave; unsent ones are repeated by the gateway.
    socket_->set(zmq::sockopt::linger, 100);
    socket_->set(zmq::sockopt::immediate, 1);
    socket_->set(zmq::sockopt::sndhwm, 100000);
    socket_->set(zmq::sockopt::rcvhwm, 100000);
    socket_->set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(options_.max_message_bytes));
    if (options_.curve) PINTAR_RETURN_IF_ERROR(apply_client_keys(*socket_, *options_.curve));
    const std::string monitor = monitor_endpoint();
    if (zmq_socket_monitor(socket_->handle(), monitor.c_str(), kMonitorEvents) != 0) {
      return Status::unavailable(fmt::format("zmq_socket_monitor: {}", zmq_strerror(zmq_errno())));
    }
    monitor_ = std::make_unique<zmq::socket_t>(*context_, zmq::socket_type::pair);
    monitor_->set(zmq::sockopt::linger, 0);
    monitor_->connect(monitor);
    socket_->connect(options_.endpoint);
  } catch (const zmq::error_t& e) {
    return Status::unavailable(fmt::format("endpoint {}: {}", options_.endpoint, e.what()));
  }
  return Status();
}

Client::~Client() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake();
  if (thread_.joinable()) thread_.join();
  close_socket();
  context_.reset();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Client::wake() {
  const uint64_t one = 1;
  // EAGAIN only when the counter is near 2^64: the thread is awake already.
  (void)!::write(wake_fd_, &one, sizeof one);
}

Status Client::send_mt(Mt mt) {
  PINTAR_RETURN_IF_ERROR(validate(mt));
  {
    std::lock_guard lock(mutex_);
    bool ever_sent = false;
    if (auto old = mt_order_.find(mt.id); old != mt_order_.end()) {
      ever_sent = mts_.at(old->second).ever_sent;
      mts_.erase(old->second);
    }
    const uint64_t seq = next_mt_seq_++;
    mt_order_[mt.id] = seq;
    mts_.emplace(seq, UnackedMt{.mt = std::move(mt), .sent_at = std::nullopt, .ever_sent = ever_sent});
  }
  wake();
  return Status();
}

void Client::queue_ack(Kind kind, std::string id) {
  {
    std::lock_guard lock(mutex_);
    acks_to_send_.emplace_back(kind, std::move(id));
  }
  wake();
}
void Client::ack_mo(std::string id) { queue_ack(Kind::kMo, std::move(id)); }
void Client::ack_mt_result(std::string id) { queue_ack(Kind::kResult, std::move(id)); }
void Client::ack_receipt(std::string id) { queue_ack(Kind::kReceipt, std::move(id)); }

size_t Client::unacked_mts() const {
  std::lock_guard lock(mutex_);
  return mts_.size();
}

bool Client::send(const Message& message) {
  if (!socket_) return false;
  try {
    return socket_->send(zmq::buffer(encode(message)), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t& e) {
    spdlog::warn("bridge: send to {}: {}", options_.endpoint, e.what());
    return false;
  }
}

// Acks, MTs and the heartbeat that are due. Runs on the thread.
void Client::send_due() {
  std::vector<std::pair<Kind, std::string>> acks;
  std::vector<std::pair<Mt, bool>> mts;  // the MT, and whether this is a repeat
  const auto now = clock_.steady_now();
  {
    std::lock_guard lock(mutex_);
    acks.swap(acks_to_send_);
    for (auto& [seq, entry] : mts_) {  // in send_mt() order, repeats too
      if (entry.sent_at && now - *entry.sent_at < options_.repeat) continue;
      mts.emplace_back(entry.mt, entry.ever_sent);
      // A send that fails (no connection: ZMQ_IMMEDIATE) waits for `repeat` or the next
      // handshake, rather than spinning.
      entry.sent_at = now;
    }
  }
  for (auto& [kind, id] : acks) {
    Seen& seen = *seen_[static_cast<size_t>(kind)];
    seen.unacked.erase(id);
    if (seen.acked.insert(id).second) {
      seen.acked_order.push_back(id);
      if (seen.acked_order.size() > options_.remembered_acks) {
        seen.acked.erase(seen.acked_order.front());
        seen.acked_order.pop_front();
      }
    }
    Message ack = kind == Kind::kMo       ? Message(MoAck{.id = std::move(id)})
                  : kind == Kind::kResult ? Message(MtResultAck{.id = std::move(id)})
                                          : Message(ReceiptAck{.id = std::move(id)});
    if (send(ack)) counters_.add(kClientAcksSent);
  }
  std::vector<std::string> first_sent;
  for (const auto& [mt, repeat] : mts) {
    if (!send(mt)) continue;
    counters_.add(repeat ? kClientMtRepeated : kClientMtSent);
    if (!repeat) first_sent.push_back(mt.id);
  }
  if (!first_sent.empty()) {
    std::lock_guard lock(mutex_);
    for (const auto& id : first_sent) {
      if (auto it = mt_order_.find(id); it != mt_order_.end()) mts_.at(it->second).ever_sent = true;
    }
  }
  if (now >= next_heartbeat_) {
    if (send(Heartbeat{})) counters_.add(kClientHeartbeatsSent);
    next_heartbeat_ = now + options_.heartbeat;
  }
  if (now - last_heard_ >= options_.gateway_timeout) {
    if (alive_) {
      alive_ = false;
      counters_.add(kClientGatewayLost);
      spdlog::warn("bridge: nothing heard from the gateway at {} for {} ms", options_.endpoint,
                   options_.gateway_timeout.count());
      if (handlers_.gateway_state) handlers_.gateway_state(false);
    }
    reopen();
    last_heard_ = now;  // the next reopen after another gateway_timeout of silence
  }
}

// libzmq reconnects by itself after a connection error, but a protocol error (a frame over
// ZMQ_MAXMSGSIZE, a failed handshake) ends the connecting session for good. A fresh socket
// makes the link come back whatever ended it.
void Client::reopen() {
  close_socket();
  if (Status s = open_socket(); !s.ok()) {
    spdlog::error("bridge: reopening the socket to {}: {}", options_.endpoint, s.message());
    return;
  }
  counters_.add(kClientReopens);
}

template <typename T>
void Client::handle_repeated(Kind kind, T message, const std::function<void(T)>& handler) {
  // Per kind, three counters in table order: received, repeats unacked, repeats acked.
  const size_t base = static_cast<size_t>(kind) * 3;
  auto counter = [base](size_t offset) { return static_cast<BridgeClientCounter>(base + offset); };
  Seen& seen = *seen_[static_cast<size_t>(kind)];
  if (seen.unacked.count(message.id) > 0) {
    counters_.add(counter(1));
    return;
  }
  if (seen.acked.count(message.id) > 0) {
    counters_.add(counter(2));
    queue_ack(kind, message.id);  // sent in this pass's send_due()
    return;
  }
  seen.unacked.insert(message.id);
  counters_.add(counter(0));
  handler(std::move(message));
}

void Client::handle(Message message) {
  static_assert(kClientResultReceived == kClientMoReceived + 3 && kClientReceiptReceived == kClientMoReceived + 6);
  if (auto* mo = std::get_if<Mo>(&message)) {
    handle_repeated(Kind::kMo, std::move(*mo), handlers_.mo);
  } else if (auto* result = std::get_if<MtResult>(&message)) {
    handle_repeated(Kind::kResult, std::move(*result), handlers_.mt_result);
  } else if (auto* receipt = std::get_if<Receipt>(&message)) {
    handle_repeated(Kind::kReceipt, std::move(*receipt), handlers_.receipt);
  } else if (auto* ack = std::get_if<MtAck>(&message)) {
    bool known = false;
    {
      std::lock_guard lock(mutex_);
      if (auto it = mt_order_.find(ack->id); it != mt_order_.end()) {
        mts_.erase(it->second);
        mt_order_.erase(it);
        known = true;
      }
    }
    if (!known) {
      counters_.add(kClientMtAcksIgnored);
      return;
    }
    counters_.add(ack->stored ? kClientMtAcked : kClientMtRefused);
    if (!ack->stored) spdlog::warn("bridge: the gateway refused MT {}: {}", ack->id, ack->error);
    if (handlers_.mt_ack) handlers_.mt_ack(std::move(*ack));
  } else if (auto* repeat = std::get_if<MoRepeat>(&message)) {
    counters_.add(kClientMoRepeatsReceived);
    if (handlers_.mo_repeat) handlers_.mo_repeat(std::move(*repeat));
  } else if (std::holds_alternative<Heartbeat>(message)) {
    counters_.add(kClientHeartbeatsReceived);
  } else {
    counters_.add(kClientUnexpected);
    spdlog::warn("bridge: a {} from the gateway makes no sense; dropped", type_name(message));
  }
}

void Client::receive_frames() {
  // Bounded, so that a flood cannot keep MTs, acks and heartbeats from going out.
  for (int i = 0; socket_ && i < 256; ++i) {
    zmq::message_t frame;
    if (!socket_->recv(frame, zmq::recv_flags::dontwait)) return;
    auto message = decode(frame.to_string_view());
    if (!message.ok()) {
      counters_.add(kClientBadFrames);
      spdlog::warn("bridge: dropped a frame from the gateway: {}", message.status().message());
      continue;
    }
    last_heard_ = clock_.steady_now();
    if (!alive_) {
      alive_ = true;
      if (handlers_.gateway_state) handlers_.gateway_state(true);
    }
    handle(std::move(message).value());
  }
}

void Client::handle_monitor() {
  while (monitor_) {
    zmq::message_t event, address;
    if (!monitor_->recv(event, zmq::recv_flags::dontwait)) return;
    if (event.more()) (void)monitor_->recv(address, zmq::recv_flags::none);
    uint16_t id = 0;
    if (event.size() >= sizeof id) std::memcpy(&id, event.data(), sizeof id);
    if (id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
      counters_.add(kClientConnects);
      spdlog::info("bridge: connected to the gateway at {}", options_.endpoint);
      std::lock_guard lock(mutex_);
      for (auto& [seq, entry] : mts_) entry.sent_at.reset();  // every unacked MT again, at once
      next_heartbeat_ = {};                                       // and say we are here
    } else {
      counters_.add(kClientHandshakesFailed);
      spdlog::warn("bridge: the gateway at {} refused the handshake (event 0x{:04x}): is this engine's key "
                   "pinned in gateway.zmq_engine_keys, and the gateway's key the right one?",
                   options_.endpoint, id);
    }
  }
}

void Client::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    handle_monitor();
    receive_frames();
    send_due();
    if (!socket_) {  // reopening failed (out of file descriptors?): try again shortly
      std::this_thread::sleep_for(kPollCap);
      reopen();
      continue;
    }
    // Until the next heartbeat or MT repeat is due, at most kPollCap (the clock may be a
    // test's ManualClock, which moves without waking anyone).
    zmq::pollitem_t items[] = {{socket_->handle(), 0, ZMQ_POLLIN, 0},
                               {monitor_->handle(), 0, ZMQ_POLLIN, 0},
                               {nullptr, wake_fd_, ZMQ_POLLIN, 0}};
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_heartbeat_ - clock_.steady_now());
    {
      std::lock_guard lock(mutex_);
      if (!acks_to_send_.empty()) wait = std::chrono::milliseconds(0);
      for (const auto& [seq, entry] : mts_) {
        if (!entry.sent_at) {
          wait = std::chrono::milliseconds(0);
          break;
        }
        wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(*entry.sent_at + options_.repeat -
                                                                                     clock_.steady_now()));
      }
    }
    wait = std::clamp(wait, std::chrono::milliseconds(0), kPollCap);
    (void)zmq::poll(items, std::size(items), wait);
    if ((items[2].revents & ZMQ_POLLIN) != 0) {
      uint64_t count = 0;
      (void)!::read(wake_fd_, &count, sizeof count);
    }
  }
}

}  // namespace pintar::bridge
