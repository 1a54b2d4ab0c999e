#include "common/private_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace pintar {

Status create_private_file(const std::string& path) {
  if (path.empty() || path == ":memory:") return Status::ok_status();
  // O_CREAT without O_TRUNC: an existing file is opened as it is; the mode applies only to a
  // new one, and 0600 has no bits the umask could add.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::io_error(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  ::close(fd);
  return Status::ok_status();
}

}  // namespace pintar
