#include "vending/p2apst/link.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace pintar::p2apst {
namespace {

constexpr std::string_view kApproved = "0000";
// Response code of a host that lost our sign-on (a restart on its side): sign on again.
constexpr std::string_view kSignOnFirst = "0011";

std::string errno_text(std::string_view what) { return fmt::format("{}: {}", what, std::strerror(errno)); }

// Connects within connect_timeout (common/tcp.h); the link reads on its own thread and writes
// under a send timeout, so the socket is made blocking again.
Result<UniqueFd> connect_to(const LinkOptions& options) {
  auto fd = tcp_connect(options.host, options.port, options.connect_timeout);
  if (!fd.ok()) return fd.status();
  ::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) & ~O_NONBLOCK);
  const auto ms = options.request_timeout.count();
  timeval send_timeout{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  ::setsockopt(fd->get(), SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
  return fd;
}

}  // namespace

Link::Link(LinkOptions options, Partner partner, StanSequence& stans, Clock& clock)
    : options_(std::move(options)), partner_(std::move(partner)), stans_(stans), clock_(clock), session_(options_) {}

Link::~Link() { stop(); }

void Link::start() {
  if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    std::lock_guard lock(mutex_);
    last_problem_ = errno_text("pipe");
    return;
  }
  thread_ = std::thread([this] { run(); });
}

void Link::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  fail_all(true);             // waiting exchanges learn at once, as before the sign-off
  fire_waiters(false, false);
  post({LinkEvent::kStop, 0});
  if (thread_.joinable()) thread_.join();
  // The I/O thread is gone: its state timer is the last thing that could call back.
  if (state_timer_ != 0) clock_.cancel(state_timer_);
  state_timer_ = 0;
  for (int& fd : wake_pipe_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

void Link::post(Queued q) {
  {
    std::lock_guard lock(mutex_);
    events_.push_back(q);
  }
  wake();
}

void Link::wake() {
  if (wake_pipe_[1] >= 0) {
    const char byte = 1;
    (void)!::write(wake_pipe_[1], &byte, 1);
  }
}

bool Link::signed_on() const {
  std::lock_guard lock(mutex_);
  return signed_on_;
}

LinkState Link::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

bool Link::wait_signed_on(Millis timeout) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, timeout, [this] { return signed_on_ || stopping_; });
  return signed_on_;
}

std::string Link::last_problem() const {
  std::lock_guard lock(mutex_);
  return last_problem_;
}

void Link::when_signed_on(Millis timeout, std::function<void(bool)> done) {
  std::unique_lock lock(mutex_);
  if (signed_on_ || stopping_) {
    const bool up = signed_on_;
    lock.unlock();
    return done(up);
  }
  const uint64_t id = ++last_waiter_;
  Waiter& w = waiters_[id];
  w.done = std::move(done);
  w.on_sign_on = true;
  w.timer = clock_.schedule_after(timeout, [this, id] {
    std::unique_lock l(mutex_);
    auto node = waiters_.extract(id);
    l.unlock();
    if (!node.empty()) node.mapped().done(false);
  });
}

void Link::call_at(Clock::SteadyTime at, std::function<void(bool)> done) {
  std::unique_lock lock(mutex_);
  if (stopping_) {
    lock.unlock();
    return done(false);
  }
  const uint64_t id = ++last_waiter_;
  Waiter& w = waiters_[id];
  w.done = std::move(done);
  w.timer = clock_.schedule_at(at, [this, id] {
    std::unique_lock l(mutex_);
    auto node = waiters_.extract(id);
    l.unlock();
    if (!node.empty()) node.mapped().done(true);
  });
}

void Link::fire_waiters(bool on_sign_on_only, bool value) {
  std::vector<Waiter> fired;
  {
    std::lock_guard lock(mutex_);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (on_sign_on_only && !it->second.on_sign_on) {
        ++it;
        continue;
      }
      fired.push_back(std::move(it->second));
      it = waiters_.erase(it);
    }
  }
  for (Waiter& w : fired) {
    clock_.cancel(w.timer);  // outside mutex_: the timer's task takes it
    w.done(value);
  }
}

// The I/O thread: events from timers and stop(), the connect, and the socket.
void Link::run() {
  feed(LinkEvent::kStart);
  std::vector<Queued> events;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      events.assign(events_.begin(), events_.end());
      events_.clear();
    }
    for (const Queued& q : events) {
      if (q.event == LinkEvent::kTimerExpired && q.timer_serial != timer_serial_) continue;  // re-armed since
      if (q.event == LinkEvent::kTimerExpired) state_timer_ = 0;
      feed(q.event);
    }
    if (session_.state() == LinkState::kStopped) break;
    if (session_.state() == LinkState::kConnecting) {
      connect();
      continue;
    }
    pollfd fds[2] = {{wake_pipe_[0], POLLIN, 0}, {fd_.get(), POLLIN, 0}};
    const int n = ::poll(fds, fd_.valid() ? 2 : 1, -1);  // every timer is on the clock and wakes us
    if (n < 0 && errno != EINTR) {
      spdlog::error("p2apst: {}", errno_text("poll"));
      if (fd_.valid()) feed(LinkEvent::kLinkLost, errno_text("poll"));
      continue;
    }
    if (fds[0].revents & POLLIN) {
      char drain[64];
      while (::read(wake_pipe_[0], drain, sizeof drain) > 0) {
      }
    }
    if (fd_.valid() && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) read_available();
  }
  close_connection();
  fail_all(true);
}

// One event into the session machine, and its actions: close, re-arm, send.
void Link::feed(LinkEvent event, std::string_view problem) {
  session_.traffic(Clock::SteadyTime(Clock::SteadyTime::duration(last_traffic_.load())));
  const LinkActions a = session_.handle(event, clock_.steady_now(), problem);
  if (a.sign_on_refused) counters_.add(kSignOnRefusals);
  if (a.echo_sent) counters_.add(kEchoes);
  if (a.link_lost) counters_.add(kLinkLosses);
  bool stopping;
  {
    std::lock_guard lock(mutex_);
    state_ = session_.state();
    last_problem_ = session_.last_problem();
    if (a.signed_on) {
      signed_on_ = true;
      generation_ = connections_;
    }
    if (a.signed_off || a.close) {
      signed_on_ = false;
      generation_ = 0;
    }
    stopping = stopping_;
  }
  if (a.close) {
    if (session_.state() != LinkState::kStopped) spdlog::warn("p2apst: link closed: {}", session_.last_problem());
    close_connection();
    fail_all(stopping);
  }
  if (a.signed_on) {
    spdlog::info("p2apst: signed on to {}:{}", options_.host, options_.port);
    cv_.notify_all();
    fire_waiters(true, true);
  }
  if (a.rearm) {
    if (state_timer_ != 0) clock_.cancel(state_timer_);  // no lock held: its task takes mutex_
    state_timer_ = 0;
    const uint64_t serial = ++timer_serial_;
    if (a.timer) state_timer_ = clock_.schedule_at(*a.timer, [this, serial] { post({LinkEvent::kTimerExpired, serial}); });
  }
  if (a.send_network) {
    if (Status s = send_network(*a.send_network); !s.ok()) feed(LinkEvent::kLinkLost, s.message());
  }
}

void Link::connect() {
  auto fd = connect_to(options_);
  if (!fd.ok()) {
    counters_.add(kConnectFailures);
    spdlog::warn("p2apst: {}", fd.status().message());
    return feed(LinkEvent::kConnectFailed, fd.status().message());
  }
  counters_.add(kConnects);
  fd_ = std::move(*fd);
  ++connections_;
  reader_ = std::make_unique<FrameReader>(options_.framing);  // a new connection, a new stream
  {
    std::lock_guard lock(write_mutex_);
    write_fd_ = fd_.get();
    write_generation_ = connections_;
  }
  last_traffic_ = clock_.steady_now().time_since_epoch().count();
  feed(LinkEvent::kConnected);
}

void Link::close_connection() {
  if (!fd_.valid()) return;
  {
    // Under the write lock: a writer holding write_fd_ must not see the number reused.
    std::lock_guard lock(write_mutex_);
    fd_.reset();
    write_fd_ = -1;
    write_generation_ = 0;
  }
  network_pending_.clear();
}

void Link::read_available() {
  char buffer[8192];
  const ssize_t got = ::recv(fd_.get(), buffer, sizeof buffer, 0);
  if (got < 0 && errno == EINTR) return;
  if (got <= 0) return feed(LinkEvent::kLinkLost, got == 0 ? "host closed the connection" : errno_text("recv"));
  last_traffic_ = clock_.steady_now().time_since_epoch().count();
  reader_->append(std::string_view(buffer, static_cast<size_t>(got)));
  const uint64_t connection = connections_;
  while (fd_.valid() && connection == connections_) {
    auto body = reader_->next();
    if (!body.ok()) return feed(LinkEvent::kLinkLost, body.status().message());
    if (!body->has_value()) return;
    handle_frame(**body);
  }
}

Status Link::write_frame(uint64_t generation, const Message& message) {
  auto body = encode(message);
  if (!body.ok()) return body.status();
  auto bytes = frame(*body, options_.framing);
  if (!bytes.ok()) return bytes.status();
  std::lock_guard lock(write_mutex_);
  if (generation == 0 || generation != write_generation_) return Status::unavailable("link went down");
  const int fd = write_fd_;
  size_t sent = 0;
  while (sent < bytes->size()) {
    const ssize_t n = ::send(fd, bytes->data() + sent, bytes->size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // A partial frame leaves the stream unusable: make the I/O thread start over.
      if (sent > 0) ::shutdown(fd, SHUT_RDWR);
      return sent > 0 ? Status::timeout(errno_text("send (partial frame)")) : Status::unavailable(errno_text("send"));
    }
    sent += static_cast<size_t>(n);
  }
  last_traffic_ = clock_.steady_now().time_since_epoch().count();
  return Status();
}

Status Link::send_network(std::string_view code) {
  auto stan = stans_.next();
  if (!stan.ok()) return stan.status();
  Message m{std::string(mti::kNetworkRequest),
            {{bit::kStan, *stan},
             {bit::kLocalDateTime, local_date_time(clock_.wall_now(), options_.utc_offset_minutes)},
             {bit::kPartnerCentralId, partner_.partner_central_id},
             {bit::kNetworkCode, std::string(code)},
             {bit::kTerminalId, fmt::format("{:<16}", partner_.terminal_id)},
             {bit::kPrivateData, fmt::format("{:<7}", partner_.switcher_id)}}};
  network_pending_[*stan] = code;
  return write_frame(connections_, m);
}

// Fails every exchange still waiting: their requests may have reached the host, so their
// outcome is unknown (Timeout), unless we are stopping (Cancelled).
void Link::fail_all(bool stopping) {
  std::map<std::string, Pending> failed;
  std::string problem;
  {
    std::lock_guard lock(mutex_);
    failed.swap(pending_);
    problem = last_problem_;
  }
  for (auto& [stan, p] : failed) {
    clock_.cancel(p.timer);
    counters_.add(kTimeouts);
    p.done(stopping ? Status::cancelled("link stopped before the answer")
                    : Status::timeout(fmt::format("link lost before the answer ({})", problem)));
  }
}

void Link::handle_frame(const std::string& body) {
  auto message = decode(body);
  if (!message.ok()) {
    counters_.add(kUndecodable);
    spdlog::warn("p2apst: dropped an undecodable message: {}", message.status().message());
    return;
  }
  // The host may test the link too: answer its echo.
  if (message->mti == mti::kNetworkRequest) {
    Message answer = *message;
    answer.mti = std::string(mti::kNetworkResponse);
    answer.fields[bit::kResponseCode] = std::string(kApproved);
    if (Status s = write_frame(connections_, answer); !s.ok()) feed(LinkEvent::kLinkLost, s.message());
    return;
  }
  const std::string stan(message->get(bit::kStan));
  const std::string_view rc = message->get(bit::kResponseCode);
  if (message->mti == mti::kNetworkResponse) {
    if (auto it = network_pending_.find(stan); it != network_pending_.end()) {
      const std::string_view code = it->second;
      network_pending_.erase(it);
      if (code == LinkSession::kSignOnCode && rc == kApproved) {
        counters_.add(kSignOns);
        feed(LinkEvent::kSignOnApproved);
      } else if (code == LinkSession::kSignOnCode) {
        feed(LinkEvent::kSignOnRefused, fmt::format("sign-on refused with {}", rc));
      } else {
        feed(code == LinkSession::kEchoCode ? LinkEvent::kEchoAnswered : LinkEvent::kSignOffAnswered);
      }
      return;
    }
  }
  std::unique_lock lock(mutex_);
  auto it = pending_.find(stan);
  if (it == pending_.end() || it->second.response_mti != message->mti) {
    lock.unlock();
    counters_.add(kLateAnswers);
    spdlog::warn("p2apst: {} with STAN {} matches no waiting request", message->mti, stan);
    return;
  }
  Pending pending = std::move(it->second);
  pending_.erase(it);
  lock.unlock();
  clock_.cancel(pending.timer);
  round_trip_.observe(clock_.steady_now() - pending.sent_at);
  if (rc == kSignOnFirst) {  // the answer still goes to its caller: declined, no sale
    spdlog::warn("p2apst: the host answered 0011 (sign on first); signing on again");
    feed(LinkEvent::kSignOnFirst);
  }
  pending.done(std::move(*message));
}

void Link::exchange_async(const Message& request, std::optional<Millis> timeout, Done done) {
  const Millis wait = timeout.value_or(options_.request_timeout);
  const std::string stan(request.get(bit::kStan));
  auto response_mti = Message::response_mti(request.mti);
  if (stan.empty() || !response_mti) {
    return done(Status::invalid_argument("exchange: request needs bit 11 and a request MTI"));
  }
  std::unique_lock lock(mutex_);
  if (stopping_) {
    lock.unlock();
    return done(Status::cancelled("P2APST link is stopping"));
  }
  if (!signed_on_) {
    Status refused = Status::failed_precondition(fmt::format("not signed on to P2APST ({})", last_problem_));
    lock.unlock();
    return done(std::move(refused));
  }
  if (pending_.contains(stan)) {
    lock.unlock();
    return done(Status::invalid_argument(fmt::format("STAN {} is already in flight", stan)));
  }
  const uint64_t generation = generation_;
  Pending& p = pending_[stan];
  p.response_mti = *response_mti;
  p.done = std::move(done);
  p.sent_at = clock_.steady_now();
  // A task scheduled under mutex_ is fine: only cancel() must not be called under it.
  p.timer = clock_.schedule_after(wait, [this, stan, mti = request.mti, wait] {
    std::unique_lock l(mutex_);
    auto node = pending_.extract(stan);
    l.unlock();
    if (node.empty()) return;
    counters_.add(kTimeouts);
    node.mapped().done(Status::timeout(fmt::format("no answer to {} STAN {} within {} ms", mti, stan, wait.count())));
  });
  const Clock::TimerId timer = p.timer;
  lock.unlock();
  counters_.add(kRequests);
  if (Status s = write_frame(generation, request); !s.ok()) {
    lock.lock();
    auto it = pending_.find(stan);
    if (it == pending_.end() || it->second.timer != timer) return;  // already failed by the I/O thread
    Pending mine = std::move(it->second);
    pending_.erase(it);
    lock.unlock();
    clock_.cancel(timer);
    mine.done(std::move(s));
  }
}

Result<Message> Link::exchange(const Message& request, std::optional<Millis> timeout) {
  std::promise<Result<Message>> result;
  auto future = result.get_future();
  exchange_async(request, timeout, [&result](Result<Message> r) { result.set_value(std::move(r)); });
  return future.get();
}

}  // namespace pintar::p2apst
