#include "vending/p2apst/link.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "vending/p2apst/framing.h"

namespace pintar::p2apst {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Network management codes, bit 40 of 2800.
constexpr std::string_view kSignOnCode = "001";
constexpr std::string_view kSignOffCode = "002";
constexpr std::string_view kEchoCode = "301";
constexpr std::string_view kApproved = "0000";
// Response code of a host that lost our sign-on (a restart on its side): sign on again.
constexpr std::string_view kSignOnFirst = "0011";
// How long stop() waits for the answer to the sign-off before closing anyway.
constexpr Millis kSignOffGrace{2000};

int64_t steady_ns() { return SteadyClock::now().time_since_epoch().count(); }

std::string errno_text(std::string_view what) { return fmt::format("{}: {}", what, std::strerror(errno)); }

// Connects within `timeout`; returns the connected (blocking) socket or -1 with `problem`.
int connect_to(const LinkOptions& options, std::string& problem) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options.port);
  if (const int rc = ::getaddrinfo(options.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    problem = fmt::format("resolve {}: {}", options.host, ::gai_strerror(rc));
    return -1;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    errno = 0;  // a connect that succeeds at once leaves errno alone
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(options.connect_timeout.count())) == 1) {
        int error = 0;
        socklen_t len = sizeof error;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
        errno = error;
      } else {
        errno = ETIMEDOUT;
      }
    }
    if (errno == 0 || errno == EISCONN) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      const auto ms = options.request_timeout.count();
      timeval send_timeout{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
      return fd;
    }
    problem = errno_text(fmt::format("connect {}:{}", options.host, options.port));
    ::close(fd);
  }
  if (problem.empty()) problem = fmt::format("connect {}:{}: no usable address", options.host, options.port);
  return -1;
}

}  // namespace

Link::Link(LinkOptions options, Partner partner, StanSequence& stans, Clock& clock)
    : options_(std::move(options)), partner_(std::move(partner)), stans_(stans), clock_(clock) {}

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
  wake();
  if (thread_.joinable()) thread_.join();
  for (int& fd : wake_pipe_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
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

bool Link::wait_signed_on(Millis timeout) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, timeout, [this] { return signed_on_ || stopping_; });
  return signed_on_;
}

bool Link::sleep_unless_stopped(Millis duration) {
  std::unique_lock lock(mutex_);
  return !cv_.wait_for(lock, duration, [this] { return stopping_; });
}

std::string Link::last_problem() const {
  std::lock_guard lock(mutex_);
  return last_problem_;
}

void Link::run() {
  int attempt = 0;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    std::string problem;
    const int fd = connect_to(options_, problem);
    if (fd < 0) {
      counters_.add(kConnectFailures);
      spdlog::warn("p2apst: {}", problem);
      end_session(problem);
    } else {
      counters_.add(kConnects);
      if (session(fd)) attempt = 0;
    }
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    backoff(attempt++);
  }
}

void Link::backoff(int attempt) {
  const auto base = std::min<int64_t>(options_.reconnect_max.count(),
                                      options_.reconnect_min.count() << std::min(attempt, 20));
  static thread_local std::minstd_rand jitter{std::random_device{}()};
  const Millis delay(base / 2 + static_cast<int64_t>(jitter() % static_cast<uint64_t>(base / 2 + 1)));
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, delay, [this] { return stopping_; });
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
      // A partial frame leaves the stream unusable: make the link thread start over.
      if (sent > 0) ::shutdown(fd, SHUT_RDWR);
      return sent > 0 ? Status::timeout(errno_text("send (partial frame)")) : Status::unavailable(errno_text("send"));
    }
    sent += static_cast<size_t>(n);
  }
  last_traffic_ = steady_ns();
  return Status();
}

Status Link::send_network(Purpose purpose, std::string_view code) {
  auto stan = stans_.next();
  if (!stan.ok()) return stan.status();
  Message m{std::string(mti::kNetworkRequest),
            {{bit::kStan, *stan},
             {bit::kLocalDateTime, local_date_time(clock_.wall_now(), options_.utc_offset_minutes)},
             {bit::kPartnerCentralId, partner_.partner_central_id},
             {bit::kNetworkCode, std::string(code)},
             {bit::kTerminalId, fmt::format("{:<16}", partner_.terminal_id)},
             {bit::kPrivateData, fmt::format("{:<7}", partner_.switcher_id)}}};
  uint64_t generation;
  {
    std::lock_guard lock(mutex_);
    generation = generation_;
    pending_[*stan] = std::make_shared<Pending>(Pending{purpose, std::string(mti::kNetworkResponse), {}, {}, false});
  }
  return write_frame(generation, m);
}

bool Link::session(int fd) {
  const uint64_t generation = ++sessions_;
  {
    std::lock_guard lock(write_mutex_);
    write_fd_ = fd;
    write_generation_ = generation;
  }
  {
    std::lock_guard lock(mutex_);
    generation_ = generation;
  }
  last_traffic_ = steady_ns();
  FrameReader reader(options_.framing);
  std::string problem;
  auto deadline_of = [&](Millis d) { return SteadyClock::now() + d; };
  std::optional<SteadyClock::time_point> sign_on_deadline = deadline_of(options_.request_timeout);
  std::optional<SteadyClock::time_point> echo_deadline;
  std::optional<SteadyClock::time_point> close_deadline;
  bool was_signed_on = false;
  sign_on_again_ = false;  // this session's own sign-on follows

  if (Status s = send_network(Purpose::kSignOn, kSignOnCode); !s.ok()) problem = s.message();
  while (problem.empty()) {
    if (sign_on_again_ && !close_deadline) {  // not once the sign-off is on its way
      sign_on_again_ = false;
      spdlog::warn("p2apst: the host answered 0011 (sign on first); signing on again");
      if (Status s = send_network(Purpose::kSignOn, kSignOnCode); !s.ok()) {
        problem = s.message();
        break;
      }
      sign_on_deadline = deadline_of(options_.request_timeout);
    }
    bool stopping;
    bool up;
    bool echo_pending = false;
    bool sign_off_pending = false;
    {
      std::lock_guard lock(mutex_);
      stopping = stopping_;
      up = signed_on_;
      for (const auto& [stan, p] : pending_) {
        echo_pending |= p->purpose == Purpose::kEcho;
        sign_off_pending |= p->purpose == Purpose::kSignOff;
      }
    }
    was_signed_on |= up;
    if (up) sign_on_deadline.reset();
    if (!echo_pending) echo_deadline.reset();
    const auto now = SteadyClock::now();
    if (stopping && !close_deadline) {
      close_deadline = now + std::min(kSignOffGrace, options_.request_timeout);
      if (!up || !send_network(Purpose::kSignOff, kSignOffCode).ok()) break;
      sign_off_pending = true;
    }
    if (close_deadline && (!sign_off_pending || now >= *close_deadline)) break;
    if (sign_on_deadline && now >= *sign_on_deadline) {
      problem = "sign-on not answered in time";
      counters_.add(kSignOnRefusals);
      break;
    }
    if (echo_deadline && now >= *echo_deadline) {
      problem = "echo test not answered in time";
      break;
    }
    const auto idle_until = SteadyClock::time_point(SteadyClock::duration(last_traffic_.load())) + options_.echo_interval;
    if (up && !stopping && !echo_deadline && now >= idle_until) {
      counters_.add(kEchoes);
      if (Status s = send_network(Purpose::kEcho, kEchoCode); !s.ok()) {
        problem = s.message();
        break;
      }
      echo_deadline = deadline_of(options_.request_timeout);
      continue;
    }
    auto wake_at = up ? idle_until : now + options_.request_timeout;
    for (const auto& d : {sign_on_deadline, echo_deadline, close_deadline}) {
      if (d) wake_at = std::min(wake_at, *d);
    }
    const auto wait_ms = std::chrono::ceil<Millis>(std::max(wake_at - now, SteadyClock::duration::zero())).count();
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    const int n = ::poll(fds, 2, static_cast<int>(std::min<int64_t>(wait_ms, 60'000)));
    if (n < 0 && errno != EINTR) {
      problem = errno_text("poll");
      break;
    }
    if (fds[1].revents & POLLIN) {
      char drain[64];
      while (::read(wake_pipe_[0], drain, sizeof drain) > 0) {
      }
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    char buffer[8192];
    const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      problem = got == 0 ? "host closed the connection" : errno_text("recv");
      break;
    }
    last_traffic_ = steady_ns();
    reader.append(std::string_view(buffer, static_cast<size_t>(got)));
    for (;;) {
      auto body = reader.next();
      if (!body.ok()) {
        problem = body.status().message();
        break;
      }
      if (!body->has_value()) break;
      if (!handle_frame(**body)) {
        problem = last_problem();
        break;
      }
    }
  }
  {
    std::lock_guard lock(write_mutex_);
    ::close(fd);
    write_fd_ = -1;
    write_generation_ = 0;
  }
  if (was_signed_on) counters_.add(kLinkLosses);
  if (!problem.empty()) spdlog::warn("p2apst: link closed: {}", problem);
  end_session(problem.empty() ? "stopped" : problem);
  return was_signed_on;
}

// Marks the link down and fails every exchange still waiting: their requests may have
// reached the host, so their outcome is unknown (Timeout), unless we are stopping.
void Link::end_session(std::string problem) {
  {
    std::lock_guard lock(mutex_);
    generation_ = 0;
    signed_on_ = false;
    last_problem_ = std::move(problem);
    for (auto& [stan, p] : pending_) {
      if (p->done) continue;
      p->done = true;
      p->failure = stopping_ ? Status::cancelled("link stopped before the answer")
                             : Status::timeout(fmt::format("link lost before the answer ({})", last_problem_));
    }
    pending_.clear();
  }
  cv_.notify_all();
}

bool Link::handle_frame(const std::string& body) {
  auto message = decode(body);
  if (!message.ok()) {
    counters_.add(kUndecodable);
    spdlog::warn("p2apst: dropped an undecodable message: {}", message.status().message());
    return true;
  }
  // The host may test the link too: answer its echo.
  if (message->mti == mti::kNetworkRequest) {
    Message answer = *message;
    answer.mti = std::string(mti::kNetworkResponse);
    answer.fields[bit::kResponseCode] = std::string(kApproved);
    uint64_t generation;
    {
      std::lock_guard lock(mutex_);
      generation = generation_;
    }
    return write_frame(generation, answer).ok();
  }
  const std::string stan(message->get(bit::kStan));
  std::unique_lock lock(mutex_);
  auto it = pending_.find(stan);
  if (it == pending_.end() || it->second->response_mti != message->mti) {
    counters_.add(kLateAnswers);
    spdlog::warn("p2apst: {} with STAN {} matches no waiting request", message->mti, stan);
    return true;
  }
  std::shared_ptr<Pending> pending = it->second;
  pending_.erase(it);
  const std::string_view rc = message->get(bit::kResponseCode);
  switch (pending->purpose) {
    case Purpose::kSignOn:
      if (rc != kApproved) {
        counters_.add(kSignOnRefusals);
        last_problem_ = fmt::format("sign-on refused with {}", rc);
        return false;
      }
      counters_.add(kSignOns);
      signed_on_ = true;
      last_problem_.clear();
      spdlog::info("p2apst: signed on to {}:{}", options_.host, options_.port);
      lock.unlock();
      cv_.notify_all();
      return true;
    case Purpose::kEcho:
    case Purpose::kSignOff:
      return true;
    case Purpose::kCaller:
      if (rc == kSignOnFirst) {  // the answer still goes to its caller: declined, no sale
        signed_on_ = false;
        last_problem_ = "the host answered 0011 (sign on first)";
        sign_on_again_ = true;
      }
      pending->answer = std::move(*message);
      pending->done = true;
      lock.unlock();
      cv_.notify_all();
      return true;
  }
  return true;
}

Result<Message> Link::exchange(const Message& request, std::optional<Millis> timeout) {
  const Millis wait = timeout.value_or(options_.request_timeout);
  const std::string stan(request.get(bit::kStan));
  auto response_mti = Message::response_mti(request.mti);
  if (stan.empty() || !response_mti) return Status::invalid_argument("exchange: request needs bit 11 and a request MTI");
  auto pending = std::make_shared<Pending>(Pending{Purpose::kCaller, *response_mti, {}, {}, false});
  uint64_t generation;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Status::cancelled("P2APST link is stopping");
    if (!signed_on_) return Status::failed_precondition(fmt::format("not signed on to P2APST ({})", last_problem_));
    if (pending_.contains(stan)) return Status::invalid_argument(fmt::format("STAN {} is already in flight", stan));
    pending_[stan] = pending;
    generation = generation_;
  }
  const auto forget = [&] {
    std::lock_guard lock(mutex_);
    if (auto it = pending_.find(stan); it != pending_.end() && it->second == pending) pending_.erase(it);
  };
  counters_.add(kRequests);
  if (Status s = write_frame(generation, request); !s.ok()) {
    forget();
    return s;
  }
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, wait, [&] { return pending->done || stopping_; });
  const bool stopping = stopping_;
  lock.unlock();
  forget();
  if (pending->answer) return std::move(*pending->answer);
  counters_.add(kTimeouts);
  if (!pending->failure.ok()) return pending->failure;
  if (stopping) return Status::cancelled("P2APST link stopped before the answer");
  return Status::timeout(fmt::format("no answer to {} STAN {} within {} ms", request.mti, stan, wait.count()));
}

}  // namespace pintar::p2apst
