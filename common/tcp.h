// TCP client sockets, once for every link that dials out (the SMPP binds and the P2APST link).
//
// Before this file each link had its own socket(), connect(), SO_ERROR dance and TCP_NODELAY,
// and the P2APST link kept a raw descriptor with no owner. What they share lives here:
//   - UniqueFd owns a descriptor (closed on destruction; move-only);
//   - resolve_tcp turns host:port into addresses (getaddrinfo, AF_UNSPEC, SOCK_STREAM);
//   - start_tcp_connect / tcp_connect_progress are the non-blocking connect that a poll loop
//     drives (the SMPP session runs every bind of an SMSC on one thread, so it cannot block);
//   - tcp_connect dials within a deadline, trying each address in turn, for a link that owns a
//     thread of its own (the P2APST link).
// Every socket made here is close-on-exec, non-blocking and has TCP_NODELAY: both protocols
// are request/answer over small frames, where Nagle and delayed ACKs cost 40 ms a round trip.
//
// Threads: all functions are reentrant; a UniqueFd is owned by one thread at a time.
// Errors: Unavailable (naming host:port and the system's reason) for a name that does not
// resolve, a refused or timed-out connect; IoError when no socket can be made.
#ifndef PINTAR_COMMON_TCP_H_
#define PINTAR_COMMON_TCP_H_

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace pintar {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership: the caller closes the descriptor.
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // Closes the descriptor held (if any) and takes `fd`.
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// One socket address, as getaddrinfo gives it.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
};

// Every address of host:port, in getaddrinfo's order (never empty on success). May block
// for the resolver's whole retry schedule: callers that run a poll loop call it elsewhere
// (smpp/resolver.h).
Result<std::vector<SocketAddress>> resolve_tcp(const std::string& host, uint16_t port);

// Starts a connect to `address` and returns the socket at once; `name` ("host:port") names
// the peer in errors. A connect refused at once is Unavailable.
Result<UniqueFd> start_tcp_connect(const SocketAddress& address, std::string_view name);

// For a socket from start_tcp_connect: true once connected, false while in progress (poll
// for POLLOUT), Unavailable with the reason once the connect has failed.
Result<bool> tcp_connect_progress(int fd, std::string_view name);

// Resolves host:port and connects to the first address that answers within `timeout` (each
// address in turn, the deadline shared). The socket stays non-blocking.
Result<UniqueFd> tcp_connect(const std::string& host, uint16_t port, std::chrono::milliseconds timeout);

}  // namespace pintar

#endif  // PINTAR_COMMON_TCP_H_
