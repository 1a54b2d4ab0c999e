#include "smpp/resolver.h"


#include <system_error>
#include <thread>
#include <utility>

#include <fmt/format.h>

namespace pintar::smpp {

Result<SocketAddress> system_lookup(const std::string& host, uint16_t port) {
  auto addresses = resolve_tcp(host, port);
  if (!addresses.ok()) return addresses.status();
  return addresses->front();
}

std::optional<Result<SocketAddress>> Resolver::Pending::result() const {
  std::lock_guard lock(mutex_);
  return result_;
}

void Resolver::Pending::set(Result<SocketAddress> result) {
  std::lock_guard lock(mutex_);
  result_ = std::move(result);
}

struct Resolver::Waker {
  std::mutex mutex;
  std::function<void()> wake;  // empty once the Resolver is gone

  void operator()() {
    std::lock_guard lock(mutex);
    if (wake) wake();
  }
};

Resolver::Resolver(std::string host, uint16_t port, LookupFn lookup, std::function<void()> wake)
    : host_(std::move(host)), port_(port), lookup_(std::move(lookup)), waker_(std::make_shared<Waker>()) {
  waker_->wake = std::move(wake);
}

Resolver::~Resolver() {
  std::lock_guard lock(waker_->mutex);  // waits for a wake in progress
  waker_->wake = nullptr;
}

std::shared_ptr<const Resolver::Pending> Resolver::lookup() {
  if (running_ && !running_->result()) return running_;
  running_ = std::make_shared<Pending>();
  try {
    // Detached: getaddrinfo cannot be cancelled, and neither stop() nor a bind's timeout
    // may wait for it. The thread owns copies of everything it touches.
    std::thread([lookup = lookup_, host = host_, port = port_, pending = running_, waker = waker_] {
      pending->set(lookup(host, port));
      (*waker)();
    }).detach();
  } catch (const std::system_error& e) {
    running_->set(Status::unavailable(fmt::format("{}: cannot start a name lookup: {}", host_, e.what())));
  }
  return running_;
}

}  // namespace pintar::smpp
