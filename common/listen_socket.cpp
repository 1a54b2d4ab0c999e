#include "common/listen_socket.h"

#include <sys/socket.h>

namespace pintar {

void reuse_address_only(int fd) {
  const int yes = 1;
  // Failure leaves the socket as it was (no reuse): the bind that follows reports anything real.
  (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

}  // namespace pintar
