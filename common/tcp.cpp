#include "common/tcp.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace pintar {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Result<std::vector<SocketAddress>> resolve_tcp(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return Status::unavailable(fmt::format("{}: {}", host, ::gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, ::freeaddrinfo);
  std::vector<SocketAddress> addresses;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    SocketAddress address;
    address.length = std::min<socklen_t>(a->ai_addrlen, sizeof address.storage);
    std::memcpy(&address.storage, a->ai_addr, address.length);
    addresses.push_back(address);
  }
  if (addresses.empty()) return Status::unavailable(fmt::format("{}: no address", host));
  return addresses;
}

Result<UniqueFd> start_tcp_connect(const SocketAddress& address, std::string_view name) {
  UniqueFd fd(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Status::io_error(fmt::format("socket: {}", std::strerror(errno)));
  const int one = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd.get(), address.get(), address.length) != 0 && errno != EINPROGRESS) {
    return Status::unavailable(fmt::format("connect {}: {}", name, std::strerror(errno)));
  }
  return fd;
}

Result<bool> tcp_connect_progress(int fd, std::string_view name) {
  pollfd p{fd, POLLOUT, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) return Status::unavailable(fmt::format("connect {}: {}", name, std::strerror(error)));
  return true;
}

Result<UniqueFd> tcp_connect(const std::string& host, uint16_t port, std::chrono::milliseconds timeout) {
  const std::string name = fmt::format("{}:{}", host, port);
  auto addresses = resolve_tcp(host, port);
  if (!addresses.ok()) return addresses.status();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Status last = Status::unavailable(fmt::format("connect {}: no usable address", name));
  for (const SocketAddress& address : *addresses) {
    auto fd = start_tcp_connect(address, name);
    if (!fd.ok()) {
      last = fd.status();
      continue;
    }
    for (;;) {
      auto connected = tcp_connect_progress(fd->get(), name);
      if (!connected.ok()) {
        last = connected.status();
        break;
      }
      if (*connected) return std::move(*fd);
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Status::unavailable(fmt::format("connect {}: {}", name, std::strerror(ETIMEDOUT)));
      pollfd p{fd->get(), POLLOUT, 0};
      ::poll(&p, 1, static_cast<int>(std::min<std::chrono::milliseconds::rep>(left.count(), 1000)));
    }
  }
  return last;
}

}  // namespace pintar
