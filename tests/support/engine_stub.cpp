#include "tests/support/engine_stub.h"

#include <stdexcept>

#include <fmt/format.h>

namespace pintar::testing {

using namespace std::chrono_literals;

EngineStub::EngineStub(std::string endpoint, Options options) : options_(options) {
  // Held while the client starts, so that a handler (which takes the lock) never sees
  // client_ unset.
  std::lock_guard lock(mutex_);
  auto started = bridge::Client::start({.endpoint = std::move(endpoint), .heartbeat = 200ms, .repeat = options.mt_retry},
                                       handlers());
  if (!started.ok()) throw std::runtime_error(fmt::format("EngineStub: {}", started.status().message()));
  client_ = std::move(started).value();
}

EngineStub::~EngineStub() {
  // Not under the lock: the client's thread may be waiting for it in a handler.
  client_.reset();
}

bridge::Client::Handlers EngineStub::handlers() {
  return {
      .mo =
          [this](bridge::Mo mo) {
            {
              std::lock_guard lock(mutex_);
              if (options_.ack_mo) client_->ack_mo(mo.id);
              else unacked_mos_.push_back(mo.id);
              if (mo_ids_.insert(mo.id).second) mos_.push_back(std::move(mo));
            }
            changed_.notify_all();
          },
      .mt_result =
          [this](bridge::MtResult result) {
            {
              std::lock_guard lock(mutex_);
              if (options_.ack_results) client_->ack_mt_result(result.id);
              results_[result.mt_id] = std::move(result);
            }
            changed_.notify_all();
          },
      .receipt =
          [this](bridge::Receipt receipt) {
            {
              std::lock_guard lock(mutex_);
              if (options_.ack_receipts) client_->ack_receipt(receipt.id);
              receipts_.push_back(std::move(receipt));
            }
            changed_.notify_all();
          },
      .mt_ack =
          [this](bridge::MtAck ack) {
            {
              std::lock_guard lock(mutex_);
              if (ack.stored) mt_acked_.insert(ack.id);
              else mt_refused_[ack.id] = ack.error;
            }
            changed_.notify_all();
          },
      .mo_repeat =
          [this](bridge::MoRepeat repeat) {
            {
              std::lock_guard lock(mutex_);
              mo_repeats_.push_back(std::move(repeat));
            }
            changed_.notify_all();
          },
      .gateway_state = [this](bool) { changed_.notify_all(); },
  };
}

void EngineStub::send_mt(bridge::Mt mt) {
  const std::string id = mt.id;
  if (Status status = client_->send_mt(std::move(mt)); !status.ok()) {
    // What the gateway would answer: refused for good, with the reason.
    {
      std::lock_guard lock(mutex_);
      mt_refused_[id] = status.message();
    }
    changed_.notify_all();
  }
}

void EngineStub::set_ack_mo(bool ack) {
  std::lock_guard lock(mutex_);
  options_.ack_mo = ack;
  if (!ack) return;
  for (auto& id : unacked_mos_) client_->ack_mo(std::move(id));
  unacked_mos_.clear();
}

size_t EngineStub::repeats(bridge::BridgeClientCounter unacked, bridge::BridgeClientCounter acked) const {
  return client_->counters().value(unacked) + client_->counters().value(acked);
}

std::vector<bridge::Mo> EngineStub::mos() const {
  std::lock_guard lock(mutex_);
  return mos_;
}
std::vector<bridge::MoRepeat> EngineStub::mo_repeats() const {
  std::lock_guard lock(mutex_);
  return mo_repeats_;
}
size_t EngineStub::mo_arrivals() const {
  return client_->counters().value(bridge::kClientMoReceived) +
         repeats(bridge::kClientMoRepeatsUnacked, bridge::kClientMoRepeatsAcked);
}
std::map<std::string, bridge::MtResult> EngineStub::results() const {
  std::lock_guard lock(mutex_);
  return results_;
}
size_t EngineStub::result_arrivals() const {
  return client_->counters().value(bridge::kClientResultReceived) +
         repeats(bridge::kClientResultRepeatsUnacked, bridge::kClientResultRepeatsAcked);
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
  const auto heartbeats = [this] { return client_->counters().value(bridge::kClientHeartbeatsReceived); };
  const uint64_t seen = heartbeats();
  return wait_until([&] { return heartbeats() > seen; }, timeout);
}

}  // namespace pintar::testing
