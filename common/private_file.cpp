#include "common/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace pintar {

Status create_private_file(const std::string& path) {
  if (path.empty() || path == ":memory:") return Status::ok_status();
  // An existing file is never opened here. Closing any descriptor of a file drops every POSIX
  // lock this process holds on it (fcntl(2)), including SQLite's on an open connection to the
  // same database: another process would then take itself for the last connection, checkpoint
  // and delete the WAL, and every later commit of ours would go to the deleted file, unseen by
  // readers and lost in a crash. (`pintar vending` opens the ledger twice: Ledger and journal.)
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return Status::ok_status();
  if (errno != ENOENT) return Status::io_error(fmt::format("cannot stat {}: {}", path, std::strerror(errno)));
  // O_EXCL: nobody in this process can hold a lock on a file that did not exist; a file another
  // process created meanwhile is left alone. 0600 has no bits the umask could add.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) return Status::ok_status();
  if (fd < 0) return Status::io_error(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  ::close(fd);
  return Status::ok_status();
}

}  // namespace pintar
