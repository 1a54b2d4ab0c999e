// Connection: one non-blocking TCP connection to an SMSC, optionally SMPP over TLS
// (OpenSSL 3; the server certificate is verified against a CA file or the system store, and
// its name or IP against the configured host). The socket comes from common/tcp.h, so
// TCP_NODELAY is always set: with receipts interleaved, Nagle and delayed ACKs cut a
// window-10 bind to a fraction of its rate.
// Not thread-safe: owned by the session thread.
#ifndef PINTAR_SMPP_CONNECTION_H_
#define PINTAR_SMPP_CONNECTION_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "common/tcp.h"
#include "smpp/resolver.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace pintar::smpp {

// One SSL_CTX per session (shared by its binds).
class TlsContext {
 public:
  // ca_file empty = OpenSSL's default verify paths.
  static Result<std::shared_ptr<TlsContext>> create(const std::string& ca_file);
  ~TlsContext();
  SSL_CTX* get() const { return ctx_; }

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { close(); }

  // Starts a non-blocking connect to `address`, resolved beforehand off the session thread
  // (smpp/resolver.h); `host` and `port` name it in errors, and `host` is the TLS server
  // name to verify. tls may be null.
  Status open(const SocketAddress& address, const std::string& host, uint16_t port, std::shared_ptr<TlsContext> tls,
              bool verify_hostname);
  // Advances connect and TLS handshake: true once established, false while in progress.
  Result<bool> progress();
  bool established() const { return established_; }
  int fd() const { return fd_.get(); }
  // poll() events to wait for, given whether there is output pending.
  short events(bool output_pending) const;
  // Octets read (0 = nothing now); Unavailable when the peer closed, IoError on failure.
  Result<size_t> read(char* buffer, size_t size);
  // Octets written (possibly fewer than size, or 0 when the socket is full).
  Result<size_t> write(const char* buffer, size_t size);
  void close();

 private:
  Result<size_t> tls_result(int ret, const char* what);

  UniqueFd fd_;
  std::string name_;  // host:port as configured, for errors
  SSL* ssl_ = nullptr;
  std::shared_ptr<TlsContext> tls_;
  bool tcp_connected_ = false;
  bool established_ = false;
  bool tls_wants_write_ = false;
};

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_CONNECTION_H_
