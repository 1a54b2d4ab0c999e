#include "smpp/connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace pintar::smpp {

namespace {

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no OpenSSL detail";
  std::string text(256, '\0');
  ERR_error_string_n(code, text.data(), text.size());
  text.resize(std::strlen(text.c_str()));
  return text;
}

bool is_ip_literal(const std::string& host) {
  in6_addr address{};
  return inet_pton(AF_INET, host.c_str(), &address) == 1 || inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

}  // namespace

Result<std::shared_ptr<TlsContext>> TlsContext::create(const std::string& ca_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return Status::internal("SSL_CTX_new: " + openssl_error());
  auto context = std::shared_ptr<TlsContext>(new TlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  const int loaded = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                     : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  if (loaded != 1) return Status::invalid_argument(fmt::format("tls_ca_file {}: {}", ca_file, openssl_error()));
  return context;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

Status Connection::open(const SocketAddress& address, const std::string& host, uint16_t port,
                        std::shared_ptr<TlsContext> tls, bool verify_hostname) {
  close();
  // The connect error names the SMSC as configured, not the resolved address.
  name_ = fmt::format("{}:{}", host, port);
  auto fd = start_tcp_connect(address, name_);
  if (!fd.ok()) return fd.status();
  fd_ = std::move(*fd);
  if (tls) {
    tls_ = std::move(tls);
    ssl_ = SSL_new(tls_->get());
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_.get()) != 1) return Status::internal("SSL_new: " + openssl_error());
    SSL_set_connect_state(ssl_);
    if (!is_ip_literal(host)) SSL_set_tlsext_host_name(ssl_, host.c_str());
    if (verify_hostname) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
      const int set = is_ip_literal(host) ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                                          : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
      if (set != 1) return Status::internal("TLS host check: " + openssl_error());
    }
  }
  return Status();
}

Result<bool> Connection::progress() {
  if (established_) return true;
  if (!fd_.valid()) return Status::failed_precondition("not open");
  if (!tcp_connected_) {
    auto connected = tcp_connect_progress(fd_.get(), name_);
    if (!connected.ok() || !*connected) return connected;
    tcp_connected_ = true;
  }
  if (ssl_ != nullptr) {
    const int ret = SSL_do_handshake(ssl_);
    if (ret != 1) {
      auto r = tls_result(ret, "TLS handshake");
      if (!r.ok()) return r.status();
      return false;
    }
  }
  established_ = true;
  return true;
}

short Connection::events(bool output_pending) const {
  if (!tcp_connected_) return POLLOUT;
  short events = POLLIN;
  if (output_pending || tls_wants_write_) events |= POLLOUT;
  return events;
}

Result<size_t> Connection::tls_result(int ret, const char* what) {
  const int error = SSL_get_error(ssl_, ret);
  tls_wants_write_ = error == SSL_ERROR_WANT_WRITE;
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return size_t{0};
  if (error == SSL_ERROR_ZERO_RETURN) return Status::unavailable("peer closed the TLS session");
  if (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
    return Status::unavailable(fmt::format("{}: {}", what, errno != 0 ? std::strerror(errno) : "peer closed"));
  }
  std::string detail = openssl_error();
  if (const long verify = SSL_get_verify_result(ssl_); verify != X509_V_OK) {
    detail += fmt::format(" (certificate: {})", X509_verify_cert_error_string(verify));
  }
  return Status::io_error(fmt::format("{}: {}", what, detail));
}

Result<size_t> Connection::read(char* buffer, size_t size) {
  if (ssl_ != nullptr) {
    size_t got = 0;
    errno = 0;
    const int ret = SSL_read_ex(ssl_, buffer, size, &got);
    if (ret == 1) return got;
    return tls_result(ret, "TLS read");
  }
  const ssize_t n = ::recv(fd_.get(), buffer, size, 0);
  if (n > 0) return static_cast<size_t>(n);
  if (n == 0) return Status::unavailable("peer closed the connection");
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return size_t{0};
  return Status::io_error(fmt::format("recv: {}", std::strerror(errno)));
}

Result<size_t> Connection::write(const char* buffer, size_t size) {
  if (ssl_ != nullptr) {
    size_t written = 0;
    errno = 0;
    const int ret = SSL_write_ex(ssl_, buffer, size, &written);
    if (ret == 1) return written;
    return tls_result(ret, "TLS write");
  }
  const ssize_t n = ::send(fd_.get(), buffer, size, MSG_NOSIGNAL);
  if (n >= 0) return static_cast<size_t>(n);
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return size_t{0};
  return Status::unavailable(fmt::format("send: {}", std::strerror(errno)));
}

void Connection::close() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  ssl_ = nullptr;
  fd_.reset();
  tls_.reset();
  tcp_connected_ = established_ = tls_wants_write_ = false;
}

}  // namespace pintar::smpp
