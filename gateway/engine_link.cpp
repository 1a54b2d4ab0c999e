#include "gateway/engine_link.h"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace pintar::gateway {
namespace {

constexpr CounterSpec kEngineLinkCounters[] = {
    {"engine.sent", "reliable messages (mo, mt_result, receipt) sent to an engine for the first time"},
    {"engine.repeated", "reliable messages sent again because no acknowledgement came within engine_retry_ms"},
    {"engine.acked", "reliable messages acknowledged by an engine"},
    {"engine.received", "well-formed frames received from engines"},
    {"engine.bad_frames", "frames from engines that were not protocol messages (dropped)"},
    {"engine.joined", "engines heard from after being unknown or silent"},
    {"engine.lost", "engines dropped after engine_liveness_ms of silence or an unreachable send"},
};
static_assert(std::size(kEngineLinkCounters) == kEngineLinkCounterCount);

// How often the repeat timers are scanned at most.
constexpr std::chrono::milliseconds kScanInterval{20};

}  // namespace

EngineLink::EngineLink(zmq::context_t& context, const EngineLinkOptions& options, Clock& clock)
    : options_(options), clock_(clock), socket_(context, zmq::socket_type::router), counters_(kEngineLinkCounters) {}

Result<std::unique_ptr<EngineLink>> EngineLink::open(zmq::context_t& context, const EngineLinkOptions& options,
                                                     Clock& clock) {
  std::unique_ptr<EngineLink> link(new EngineLink(context, options, clock));
  try {
    // Report unreachable engines instead of dropping silently; keep unsent acks briefly on close.
    link->socket_.set(zmq::sockopt::router_mandatory, 1);
    link->socket_.set(zmq::sockopt::linger, 200);
    link->socket_.set(zmq::sockopt::sndhwm, 100000);
    link->socket_.set(zmq::sockopt::rcvhwm, 100000);
    link->socket_.bind(options.endpoint);
  } catch (const zmq::error_t& e) {
    return Status::unavailable(fmt::format("zmq_endpoint {}: {}", options.endpoint, e.what()));
  }
  return link;
}

std::vector<EngineLink::Incoming> EngineLink::receive() {
  std::vector<Incoming> out;
  for (;;) {
    zmq::message_t engine;
    if (!socket_.recv(engine, zmq::recv_flags::dontwait)) return out;
    // The rest of this ZeroMQ message; the payload is its last frame (an engine may put an
    // empty delimiter frame before it, REQ style).
    zmq::message_t payload;
    while (socket_.get(zmq::sockopt::rcvmore)) {
      (void)socket_.recv(payload, zmq::recv_flags::none);
    }
    const std::string engine_id = engine.to_string();
    heard_from(engine_id);
    auto message = decode(payload.to_string_view());
    if (!message.ok()) {
      counters_.add(kLinkBadFrames);
      spdlog::warn("engine link: dropped a frame: {}", message.status().message());
      continue;
    }
    counters_.add(kLinkReceived);
    if (std::holds_alternative<Heartbeat>(*message)) {
      reply(engine_id, Heartbeat{});
      continue;
    }
    out.push_back({engine_id, std::move(message).value()});
  }
}

void EngineLink::heard_from(const std::string& engine) {
  auto [it, joined] = engines_.insert_or_assign(engine, clock_.steady_now());
  if (joined) {
    counters_.add(kLinkEnginesJoined);
    spdlog::info("engine link: an engine connected ({} live)", engines_.size());
  }
}

bool EngineLink::send_to(const std::string& engine, const Message& message) {
  const std::string frame = encode(message);
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

void EngineLink::reply(const std::string& engine, const Message& message) { (void)send_to(engine, message); }

bool EngineLink::dispatch(Pending& pending) {
  // Each live engine gets one try (a failed send removes a gone engine; a full one stays).
  for (size_t tries = engines_.size(); tries > 0 && !engines_.empty(); --tries) {
    auto it = engines_.upper_bound(last_engine_);
    if (it == engines_.end()) it = engines_.begin();
    last_engine_ = it->first;
    if (send_to(it->first, pending.message)) {
      counters_.add(pending.sent_at ? kLinkRepeated : kLinkSent);
      pending.sent_at = clock_.steady_now();
      return true;
    }
  }
  return false;
}

bool EngineLink::has_room(ReliableKind kind) const {
  return pending_[static_cast<size_t>(kind)].size() < options_.max_unacked;
}

size_t EngineLink::outstanding(ReliableKind kind) const { return pending_[static_cast<size_t>(kind)].size(); }

void EngineLink::send_reliable(ReliableKind kind, int64_t key, Message message) {
  auto [it, inserted] = pending_[static_cast<size_t>(kind)].try_emplace(key, Pending{std::move(message), {}});
  if (inserted) (void)dispatch(it->second);
}

bool EngineLink::acknowledge(ReliableKind kind, int64_t key) {
  if (pending_[static_cast<size_t>(kind)].erase(key) == 0) return false;
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
    for (const auto& [engine, last_heard] : engines_) reply(engine, Heartbeat{});
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
