// Session's public API, start/stop, and the session thread's poll loop with the link I/O
// (reads into the receive path, batched writes). The bind machine, the MT queue and the
// deliver answers are in session_bind.cpp, session_mt.cpp and session_deliver.cpp; what
// they share is in session_internal.h.
#include "smpp/session.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "smpp/session_internal.h"

namespace pintar::smpp {

namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr auto kMaxPollWait = std::chrono::milliseconds(100);

}  // namespace

Status Session::Impl::start() {
  PINTAR_RETURN_IF_ERROR(validate(options_));
  if (thread_.joinable()) return Status::failed_precondition("smpp session already started");
  if (options_.tls) {
    auto tls = TlsContext::create(options_.tls_ca_file);
    if (!tls.ok()) return tls.status().with_context(fmt::format("smsc {}", options_.name));
    tls_ = std::move(*tls);
  }
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return Status::io_error(fmt::format("eventfd: {}", std::strerror(errno)));
  resolver_ = std::make_unique<Resolver>(options_.host, options_.port, lookup_, [this] { wake(); });
  answers_->open(wake_fd_);
  running_ = true;
  thread_ = std::thread([this] { run(); });
  return Status();
}

void Session::Impl::stop() {
  running_ = false;
  if (!thread_.joinable()) return;
  stop_requested_ = true;
  wake();
  thread_.join();
  resolver_.reset();  // no lookup thread writes to wake_fd_ after this
  answers_->close();
  ::close(wake_fd_);
  wake_fd_ = -1;
}

bool Session::Impl::submit(OutboundSms sms) {
  {
    std::lock_guard lock(inbox_mutex_);
    if (!running_) return false;
    inbox_.push_back(std::move(sms));
  }
  ++in_flight_;
  wake();
  return true;
}

void Session::Impl::add_bind(std::string name, uint32_t command_id, Clock::SteadyTime now) {
  binds_.push_back(
      std::make_unique<Bind>(binds_.size(), std::move(name), command_id, options_.tps, options_.max_command_length,
                             ReconnectBackoff(options_.reconnect_min, options_.reconnect_max), now));
}

void Session::Impl::wake() {
  const uint64_t one = 1;
  if (wake_fd_ >= 0) [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void Session::Impl::run() {
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);  // TLS writes go through write(2)
  std::vector<pollfd> fds;
  std::vector<Bind*> polled;
  for (;;) {
    const auto now = clock_.steady_now();
    drain_inbox(now);
    drain_answers();
    if (stop_requested_ && !stopping_) begin_stop(now);
    for (auto& bind : binds_) drive(*bind, now);
    fill_windows(now);
    for (const MoMessage& mo : reassembler_.expire(now)) deliver_incomplete(mo);
    bool all_stopped = true;
    for (auto& bind : binds_) {
      flush(*bind, now);
      all_stopped &= bind->state == LinkState::kStopped;
    }
    if (stopping_ && all_stopped) break;

    fds.assign(1, pollfd{wake_fd_, POLLIN, 0});
    polled.assign(1, nullptr);
    for (auto& bind : binds_) {
      if (bind->connection.fd() < 0) continue;
      fds.push_back(pollfd{bind->connection.fd(), bind->connection.events(bind->out.size() > bind->out_sent), 0});
      polled.push_back(bind.get());
    }
    ::poll(fds.data(), fds.size(), static_cast<int>(poll_wait(clock_.steady_now()).count()));
    if (fds[0].revents & POLLIN) {
      uint64_t count = 0;
      [[maybe_unused]] auto n = ::read(wake_fd_, &count, sizeof count);
    }
    const auto after = clock_.steady_now();
    for (size_t i = 1; i < fds.size(); ++i) {
      if (fds[i].revents != 0 && polled[i]->connection.fd() == fds[i].fd) on_readable(*polled[i], after);
    }
  }
  for (auto& bind : binds_) bind->connection.close();
}

std::chrono::milliseconds Session::Impl::poll_wait(Clock::SteadyTime now) {
  auto wake_at = now + kMaxPollWait;
  for (auto& bind : binds_) {
    if (bind->state == LinkState::kThrottled) wake_at = std::min(wake_at, bind->paused_until);
    if (bind->state == LinkState::kBound && !queue_.empty() && options_.tps > 0) {
      wake_at = std::min(wake_at, bind->limiter.next_token(now));
    }
  }
  return std::chrono::ceil<std::chrono::milliseconds>(std::max(wake_at - now, Clock::SteadyTime::duration{}));
}

void Session::Impl::flush(Bind& bind, Clock::SteadyTime now) {
  while (bind.connection.established() && bind.out_sent < bind.out.size()) {
    auto written = bind.connection.write(bind.out.data() + bind.out_sent, bind.out.size() - bind.out_sent);
    if (!written.ok()) return close_now(bind, now, BindEvent::kLinkLost, written.status().message());
    if (*written == 0) break;
    bind.out_sent += *written;
  }
  if (bind.out_sent == bind.out.size()) {
    bind.out.clear();
    bind.out_sent = 0;
    if (bind.close_requested) close_now(bind, now, bind.close_event, bind.close_reason);
  }
}

void Session::Impl::on_readable(Bind& bind, Clock::SteadyTime now) {
  if (!bind.connection.established()) return;  // drive() advances connect/handshake
  for (int reads = 0; reads < 16 && !bind.close_requested; ++reads) {
    const size_t wanted = std::max(kReadChunk, bind.receiver.wanted(in_view(bind)) + kReadChunk / 4);
    if (bind.in.size() < wanted) bind.in.resize(wanted);
    auto got = bind.connection.read(bind.in.data() + bind.in_length, bind.in.size() - bind.in_length);
    if (!got.ok()) {
      return close_now(bind, now, BindEvent::kLinkLost, got.status().message());
    }
    if (*got == 0) break;
    bind.in_length += *got;
    bind.last_read = now;
    now_ = now;
    current_ = &bind;
    const size_t used = bind.receiver.consume(in_view(bind), bind.out, *this);
    current_ = nullptr;
    std::memmove(bind.in.data(), bind.in.data() + used, bind.in_length - used);
    bind.in_length -= used;
    if (bind.receiver.broken()) request_close(bind, BindEvent::kLinkLost, "unrecoverable framing error");
  }
  flush(bind, now);
}

std::span<const uint8_t> Session::Impl::in_view(const Bind& bind) {
  return {reinterpret_cast<const uint8_t*>(bind.in.data()), bind.in_length};
}

Session::Session(BindOptions options, SessionListener& listener, Clock& clock, LookupFn lookup)
    : impl_(std::make_unique<Impl>(std::move(options), listener, clock, std::move(lookup))) {}

Session::~Session() { stop(); }

Status Session::start() { return impl_->start(); }

void Session::stop() { impl_->stop(); }

bool Session::submit(OutboundSms sms) { return impl_->submit(std::move(sms)); }

size_t Session::in_flight() const { return impl_->in_flight(); }

size_t Session::bind_count() const { return impl_->binds().size(); }

std::string Session::bind_name(size_t bind) const { return impl_->binds().at(bind)->name; }

const Counters<BindCounter>& Session::counters(size_t bind) const { return impl_->binds().at(bind)->counters; }

}  // namespace pintar::smpp
