#include "gateway/engine_link.h"

#include <unistd.h>

#include <algorithm>

#include <spdlog/spdlog.h>

namespace pintar::gateway {
namespace {

// How often the repeat timers are scanned at most.
constexpr std::chrono::milliseconds kScanInterval{20};

}  // namespace

EngineLink::EngineLink(zmq::context_t& context, const EngineLinkOptions& options, Clock& clock)
    : options_(options), clock_(clock), counters_(kEngineLinkCounters), socket_(context, zmq::socket_type::router) {}

Result<std::unique_ptr<EngineLink>> EngineLink::open(zmq::context_t& context, const EngineLinkOptions& options,
                                                     Clock& clock) {
  std::unique_ptr<EngineLink> link(new EngineLink(context, options, clock));
  const std::string_view endpoint = options.endpoint;
  ZapPolicy policy;
  if (options.curve_secret_key) {
    policy.curve = true;
    for (const auto& text : options.engine_keys) {
      auto key = bridge::parse_z85_key(text);
      if (!key.ok()) return key.status().with_context("engine key");
      policy.engine_keys.push_back(*key);
    }
    if (policy.engine_keys.empty()) return Status::invalid_argument("CURVE without any engine key admits no engine");
  } else if (endpoint.starts_with("tcp://")) {
    // Any local process (or any host) could connect: never without CURVE.
    return Status::invalid_argument(fmt::format("zmq_endpoint {}: tcp:// needs CURVE keys", options.endpoint));
  }
  if (endpoint.starts_with("ipc://")) {
    PINTAR_RETURN_IF_ERROR(prepare_ipc_directory(endpoint.substr(6)).with_context(
        fmt::format("zmq_endpoint {}", options.endpoint)));
    policy.ipc_uid = static_cast<uint32_t>(geteuid());
  }
  const bool checked = policy.curve || policy.ipc_uid;  // inproc:// has no handshake to check
  if (checked) {
    auto zap = ZapHandler::start(context, std::move(policy), [counters = &link->counters_](bool admitted) {
      counters->add(admitted ? kLinkAuthAdmitted : kLinkAuthRefused);
    });
    if (!zap.ok()) return zap.status();
    link->zap_ = std::move(zap).value();
  }
  try {
    // Report unreachable engines instead of dropping silently; keep unsent acks briefly on close.
    link->socket_.set(zmq::sockopt::router_mandatory, 1);
    link->socket_.set(zmq::sockopt::linger, 200);
    link->socket_.set(zmq::sockopt::sndhwm, 100000);
    link->socket_.set(zmq::sockopt::rcvhwm, 100000);
    link->socket_.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(options.max_message_bytes));
    // A domain makes libzmq ask the ZAP handler for NULL connections too (ipc://).
    if (checked) link->socket_.set(zmq::sockopt::zap_domain, "pintar-engine");
    if (options.curve_secret_key) {
      link->socket_.set(zmq::sockopt::curve_server, 1);
      const auto key = options.curve_secret_key->bytes();
      if (key.size() != 32) return Status::invalid_argument("the CURVE secret key is not 32 octets");
      if (zmq_setsockopt(link->socket_.handle(), ZMQ_CURVE_SECRETKEY, key.data(), key.size()) != 0) {
        return Status::failed_precondition(fmt::format("CURVE secret key: {}", zmq_strerror(zmq_errno())));
      }
    }
    link->socket_.bind(options.endpoint);
  } catch (const zmq::error_t& e) {
    return Status::unavailable(fmt::format("zmq_endpoint {}: {}", options.endpoint, e.what()));
  }
  return link;
}

std::vector<EngineLink::Incoming> EngineLink::receive() {
  std::vector<Incoming> out;
  // Bounded, so that a flooding engine cannot keep the gateway loop from its other work.
  for (size_t frames = 0; frames < options_.max_frames_per_pass; ++frames) {
    zmq::message_t engine;
    if (!socket_.recv(engine, zmq::recv_flags::dontwait)) return out;
    // The rest of this ZeroMQ message; the payload is its last frame (an engine may put an
    // empty delimiter frame before it, REQ style).
    zmq::message_t payload;
    while (socket_.get(zmq::sockopt::rcvmore)) {
      (void)socket_.recv(payload, zmq::recv_flags::none);
    }
    auto message = bridge::decode(payload.to_string_view());
    if (!message.ok()) {
      counters_.add(kLinkBadFrames);
      spdlog::warn("engine link: dropped a frame: {}", message.status().message());
      continue;
    }
    const std::string engine_id = engine.to_string();
    heard_from(engine_id, payload);  // only now: a sender of garbage gets no MOs
    counters_.add(kLinkReceived);
    if (std::holds_alternative<bridge::Heartbeat>(*message)) {
      reply(engine_id, bridge::Heartbeat{});
      continue;
    }
    out.push_back({engine_id, std::move(message).value()});
  }
  return out;
}

void EngineLink::heard_from(const std::string& engine, const zmq::message_t& frame) {
  auto [it, joined] = engines_.insert_or_assign(engine, clock_.steady_now());
  if (joined) {
    counters_.add(kLinkEnginesJoined);
    // The ZAP handler's name for the peer (its CURVE key or uid); none on inproc://.
    const char* user = zmq_msg_gets(frame.handle(), "User-Id");
    spdlog::info("engine link: an engine connected ({}; {} live)", user != nullptr ? user : "unchecked",
                 engines_.size());
  }
}

bool EngineLink::send_to(const std::string& engine, const bridge::Message& message) {
  const std::string frame = bridge::encode(message);
  try {
    if (socket_.send(zmq::buffer(engine), zmq::send_flags::sndmore | zmq::send_flags::dontwait) &&
        socket_.send(zmq::buffer(frame), zmq::send_flags::dontwait)) {
      return true;
    }
  } catch (const zmq::error_t& e) {
    // EHOSTUNREACH: the engine is gone (router_mandatory).
    if (engines_.erase(engine) > 0) {
      counters_.add(kLinkEnginesLost);
      spdlog::warn("engine link: an engine is unreachable ({}); {} live", e.what(), engines_.size());
    }
  }
  return false;
}

void EngineLink::reply(const std::string& engine, const bridge::Message& message) { (void)send_to(engine, message); }

const std::string* EngineLink::send_to_next(const bridge::Message& message) {
  // Each live engine gets one try (a failed send removes a gone engine; a full one stays).
  for (size_t tries = engines_.size(); tries > 0 && !engines_.empty(); --tries) {
    auto it = engines_.upper_bound(last_engine_);
    if (it == engines_.end()) it = engines_.begin();
    last_engine_ = it->first;
    if (send_to(it->first, message)) return &last_engine_;
  }
  return nullptr;
}

bool EngineLink::send_once(const bridge::Message& message) { return send_to_next(message) != nullptr; }

bool EngineLink::dispatch(Pending& pending) {
  const std::string* engine = send_to_next(pending.message);
  if (engine == nullptr) return false;
  counters_.add(pending.sent_at ? kLinkRepeated : kLinkSent);
  if (std::find(pending.sent_to.begin(), pending.sent_to.end(), *engine) == pending.sent_to.end()) {
    pending.sent_to.push_back(*engine);
  }
  pending.sent_at = clock_.steady_now();
  return true;
}

bool EngineLink::has_room(ReliableKind kind) const {
  return pending_[static_cast<size_t>(kind)].size() < options_.max_unacked;
}

size_t EngineLink::outstanding(ReliableKind kind) const { return pending_[static_cast<size_t>(kind)].size(); }

void EngineLink::send_reliable(ReliableKind kind, int64_t key, bridge::Message message) {
  auto [it, inserted] = pending_[static_cast<size_t>(kind)].try_emplace(key, Pending{std::move(message), {}, {}});
  if (inserted) (void)dispatch(it->second);
}

bool EngineLink::acknowledge(const std::string& engine, ReliableKind kind, int64_t key) {
  auto& pending = pending_[static_cast<size_t>(kind)];
  const auto it = pending.find(key);
  if (it == pending.end() ||
      std::find(it->second.sent_to.begin(), it->second.sent_to.end(), engine) == it->second.sent_to.end()) {
    counters_.add(kLinkAcksIgnored);
    return false;
  }
  pending.erase(it);
  counters_.add(kLinkAcked);
  return true;
}

void EngineLink::tick() {
  const auto now = clock_.steady_now();
  std::erase_if(engines_, [&](const auto& engine) {
    if (now - engine.second < options_.liveness) return false;
    counters_.add(kLinkEnginesLost);
    spdlog::warn("engine link: an engine fell silent for {} ms", options_.liveness.count());
    return true;
  });
  if (now >= next_heartbeat_) {
    for (const auto& [engine, last_heard] : engines_) reply(engine, bridge::Heartbeat{});
    next_heartbeat_ = now + options_.heartbeat;
  }
  if (engines_.empty() || now < next_scan_) return;
  next_scan_ = now + kScanInterval;
  for (auto& pending : pending_) {
    for (auto& [key, message] : pending) {
      if (message.sent_at && now - *message.sent_at < options_.retry) continue;
      if (!dispatch(message)) return;
    }
  }
}

std::chrono::milliseconds EngineLink::next_timeout() const {
  const auto until_heartbeat =
      std::chrono::duration_cast<std::chrono::milliseconds>(next_heartbeat_ - clock_.steady_now());
  return std::clamp(until_heartbeat, std::chrono::milliseconds(1), kScanInterval);
}

}  // namespace pintar::gateway
