// Socket options for the HTTP servers' listening sockets (helpdesk, metrics).
//
// cpp-httplib 0.11's default options set SO_REUSEPORT, so a second server bound to a port that
// is already in use does not fail: the kernel quietly shares the port between both and splits
// their connections. Passed as httplib's set_socket_options, this sets SO_REUSEADDR only (a
// restart can bind while old connections are in TIME_WAIT) and a port in use fails to bind.
#ifndef PINTAR_COMMON_LISTEN_SOCKET_H_
#define PINTAR_COMMON_LISTEN_SOCKET_H_

namespace pintar {

// For httplib::Server::set_socket_options: SO_REUSEADDR on `fd`, nothing else.
void reuse_address_only(int fd);

}  // namespace pintar

#endif  // PINTAR_COMMON_LISTEN_SOCKET_H_
