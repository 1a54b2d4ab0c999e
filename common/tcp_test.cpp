#include "common/tcp.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>

namespace pintar {
namespace {

// A listening loopback socket on a port the kernel picks.
struct Listener {
  UniqueFd fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  uint16_t port = 0;
  Listener() {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd.get(), 4) == 0);
    socklen_t length = sizeof address;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length);
    port = ntohs(address.sin_port);
  }
};

// A port nothing listens on: bound, never listened to, then closed.
uint16_t closed_port() {
  Listener l;
  return l.port;
}

TEST_CASE("UniqueFd closes what it owns, once, and release gives it away", "[tcp]") {
  int raw = ::dup(0);
  REQUIRE(raw >= 0);
  { UniqueFd owned(raw); }
  CHECK(::fcntl(raw, F_GETFD) == -1);  // closed by the destructor

  raw = ::dup(0);
  UniqueFd a(raw);
  UniqueFd b(std::move(a));
  CHECK(!a.valid());
  CHECK(b.get() == raw);
  const int given = b.release();
  CHECK(!b.valid());
  CHECK(::fcntl(given, F_GETFD) != -1);  // still open: the caller owns it now
  ::close(given);
}

TEST_CASE("tcp_connect reaches a listener with a non-blocking, close-on-exec, no-delay socket", "[tcp]") {
  Listener listener;
  auto fd = tcp_connect("127.0.0.1", listener.port, std::chrono::milliseconds(2000));
  REQUIRE(fd.ok());
  CHECK((::fcntl(fd->get(), F_GETFL) & O_NONBLOCK) != 0);
  CHECK((::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC) != 0);
  int nodelay = 0;
  socklen_t length = sizeof nodelay;
  ::getsockopt(fd->get(), IPPROTO_TCP, TCP_NODELAY, &nodelay, &length);
  CHECK(nodelay == 1);
}

TEST_CASE("a refused connect is Unavailable and names the peer", "[tcp]") {
  const uint16_t port = closed_port();
  auto fd = tcp_connect("127.0.0.1", port, std::chrono::milliseconds(2000));
  REQUIRE(!fd.ok());
  CHECK(fd.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(fd.status().message(), Catch::Contains("127.0.0.1:" + std::to_string(port)));
}

TEST_CASE("a name that does not resolve is Unavailable naming the host", "[tcp]") {
  auto fd = tcp_connect("no-such-host.invalid", 1, std::chrono::milliseconds(2000));
  REQUIRE(!fd.ok());
  CHECK(fd.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(fd.status().message(), Catch::Contains("no-such-host.invalid"));
}

TEST_CASE("start_tcp_connect and tcp_connect_progress drive a connect from a poll loop", "[tcp]") {
  Listener listener;
  auto addresses = resolve_tcp("127.0.0.1", listener.port);
  REQUIRE(addresses.ok());
  REQUIRE(addresses->size() == 1);
  auto fd = start_tcp_connect(addresses->front(), "loopback");
  REQUIRE(fd.ok());
  bool connected = false;
  for (int i = 0; i < 100 && !connected; ++i) {
    pollfd p{fd->get(), POLLOUT, 0};
    ::poll(&p, 1, 20);
    auto progress = tcp_connect_progress(fd->get(), "loopback");
    REQUIRE(progress.ok());
    connected = *progress;
  }
  CHECK(connected);

  // The same loop towards a closed port ends in Unavailable, not in "still connecting".
  auto closed = resolve_tcp("127.0.0.1", closed_port());
  REQUIRE(closed.ok());
  auto refused = start_tcp_connect(closed->front(), "closed");
  if (!refused.ok()) {
    CHECK(refused.status().code() == StatusCode::kUnavailable);  // refused at once
    return;
  }
  Status outcome;
  for (int i = 0; i < 100 && outcome.ok(); ++i) {
    pollfd p{refused->get(), POLLOUT, 0};
    ::poll(&p, 1, 20);
    auto progress = tcp_connect_progress(refused->get(), "closed");
    if (!progress.ok()) outcome = progress.status();
  }
  CHECK(outcome.code() == StatusCode::kUnavailable);
  CHECK_THAT(outcome.message(), Catch::Contains("closed"));
}

}  // namespace
}  // namespace pintar
