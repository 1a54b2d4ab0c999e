#include "tests/support/engine_stub.h"

#include <zmq.hpp>

namespace pintar::testing {

using namespace std::chrono_literals;
using bridge::Message;

EngineStub::EngineStub(std::string endpoint, Options options)
    : endpoint_(std::move(endpoint)), options_(options), thread_([this] { run(); }) {}

EngineStub::~EngineStub() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  thread_.join();
}

void EngineStub::send_mt(bridge::Mt mt) {
  std::lock_guard lock(mutex_);
  to_send_.push_back(std::move(mt));
}

void EngineStub::set_ack_mo(bool ack) {
  std::lock_guard lock(mutex_);
  options_.ack_mo = ack;
}

void EngineStub::handle(const Message& message, std::vector<Message>& replies) {
  if (const auto* mo = std::get_if<bridge::Mo>(&message)) {
    ++mo_arrivals_;
    if (mo_ids_.insert(mo->id).second) mos_.push_back(*mo);
    if (options_.ack_mo) replies.push_back(bridge::MoAck{.id = mo->id});
  } else if (const auto* result = std::get_if<bridge::MtResult>(&message)) {
    ++result_arrivals_;
    results_[result->mt_id] = *result;
    if (options_.ack_results) replies.push_back(bridge::MtResultAck{.id = result->id});
  } else if (const auto* receipt = std::get_if<bridge::Receipt>(&message)) {
    if (receipt_ids_.insert(receipt->id).second) receipts_.push_back(*receipt);
    if (options_.ack_receipts) replies.push_back(bridge::ReceiptAck{.id = receipt->id});
  } else if (std::holds_alternative<bridge::Heartbeat>(message)) {
    ++heartbeats_;
  } else if (const auto* ack = std::get_if<bridge::MtAck>(&message)) {
    unacked_mts_.erase(ack->id);
    if (ack->stored) mt_acked_.insert(ack->id);
    else mt_refused_[ack->id] = ack->error;
  }
}

void EngineStub::run() {
  zmq::context_t context(1);
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::sndhwm, 1000000);
  socket.set(zmq::sockopt::rcvhwm, 1000000);
  socket.connect(endpoint_);
  const auto send = [&](const Message& m) { (void)socket.send(zmq::buffer(bridge::encode(m)), zmq::send_flags::dontwait); };
  auto next_heartbeat = std::chrono::steady_clock::now();
  for (;;) {
    std::vector<Message> outgoing;
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
      while (!to_send_.empty()) {
        auto mt = std::move(to_send_.front());
        to_send_.pop_front();
        outgoing.push_back(mt);
        unacked_mts_.insert_or_assign(mt.id, std::pair{std::move(mt), now});
      }
      for (auto& [id, entry] : unacked_mts_) {
        if (now - entry.second < options_.mt_retry) continue;
        outgoing.push_back(entry.first);
        entry.second = now;
      }
    }
    if (now >= next_heartbeat) {
      outgoing.push_back(bridge::Heartbeat{});
      next_heartbeat = now + 200ms;
    }
    for (const auto& m : outgoing) send(m);

    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, 2ms);
    std::vector<Message> replies;
    {
      std::lock_guard lock(mutex_);
      zmq::message_t frame;
      while (socket.recv(frame, zmq::recv_flags::dontwait)) {
        auto message = bridge::decode(frame.to_string_view());
        if (message.ok()) handle(*message, replies);
      }
    }
    changed_.notify_all();
    for (const auto& m : replies) send(m);
  }
}

std::vector<bridge::Mo> EngineStub::mos() const {
  std::lock_guard lock(mutex_);
  return mos_;
}
size_t EngineStub::mo_arrivals() const {
  std::lock_guard lock(mutex_);
  return mo_arrivals_;
}
std::map<std::string, bridge::MtResult> EngineStub::results() const {
  std::lock_guard lock(mutex_);
  return results_;
}
size_t EngineStub::result_arrivals() const {
  std::lock_guard lock(mutex_);
  return result_arrivals_;
}
std::vector<bridge::Receipt> EngineStub::receipts() const {
  std::lock_guard lock(mutex_);
  return receipts_;
}
size_t EngineStub::receipt_count() const {
  std::lock_guard lock(mutex_);
  return receipts_.size();
}
size_t EngineStub::result_count() const {
  std::lock_guard lock(mutex_);
  return results_.size();
}
std::set<std::string> EngineStub::mt_acked() const {
  std::lock_guard lock(mutex_);
  return mt_acked_;
}
std::map<std::string, std::string> EngineStub::mt_refused() const {
  std::lock_guard lock(mutex_);
  return mt_refused_;
}

bool EngineStub::wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    std::unique_lock lock(mutex_);
    if (changed_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + 10ms)) ==
            std::cv_status::timeout &&
        std::chrono::steady_clock::now() >= deadline) {
      lock.unlock();
      return done();
    }
  }
}
bool EngineStub::wait_for_mos(size_t n, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return mos().size() >= n; }, timeout);
}
bool EngineStub::wait_for_results(size_t n, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return results().size() >= n; }, timeout);
}
bool EngineStub::wait_for_receipts(size_t n, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return receipts().size() >= n; }, timeout);
}

bool EngineStub::wait_for_gateway(std::chrono::milliseconds timeout) const {
  const auto heartbeats = [this] {
    std::lock_guard lock(mutex_);
    return heartbeats_;
  };
  const size_t seen = heartbeats();
  return wait_until([&] { return heartbeats() > seen; }, timeout);
}

}  // namespace pintar::testing
