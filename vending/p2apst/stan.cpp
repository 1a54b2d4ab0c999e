#include "vending/p2apst/stan.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>

namespace pintar::p2apst {
namespace {

constexpr uint64_t kStanModulus = 1'000'000'000'000;

uint64_t wrap(uint64_t n) { return (n - 1) % (kStanModulus - 1) + 1; }

// Writes `text` to path.tmp, fsyncs it, renames it over `path` and fsyncs the directory:
// without the last step a power cut after the rename can bring back the old high-water
// mark, and with it STANs already handed out. close() is checked too (NFS reports late
// write errors there).
Status write_file_synced(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::io_error(fmt::format("{}: {}", tmp, std::strerror(errno)));
  const ssize_t n = ::write(fd, text.data(), text.size());
  const bool whole = n == static_cast<ssize_t>(text.size());
  bool ok = whole && ::fsync(fd) == 0;
  int saved = (n >= 0 && !whole) ? EIO : errno;  // a short write sets no errno
  if (::close(fd) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (!ok) return Status::io_error(fmt::format("{}: {}", tmp, std::strerror(saved)));
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Status::io_error(fmt::format("{}: {}", path, std::strerror(errno)));
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const std::string dir_name = dir.empty() ? "." : dir;
  const int dir_fd = ::open(dir_name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return Status::io_error(fmt::format("{}: {}", dir_name, std::strerror(errno)));
  const bool dir_synced = ::fsync(dir_fd) == 0;
  saved = errno;
  ::close(dir_fd);  // read-only: nothing left to report once fsync has answered
  if (!dir_synced) return Status::io_error(fmt::format("{}: fsync: {}", dir_name, std::strerror(saved)));
  return Status();
}

// The lock lives in its own file: the STAN file is replaced on every persist, and a lock
// on the replaced inode would not exclude anyone who opened the new one.
Result<int> lock_exclusive(const std::string& path) {
  const std::string lock_path = path + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::io_error(fmt::format("{}: {}", lock_path, std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int saved = errno;
    ::close(fd);
    if (saved == EWOULDBLOCK) {
      return Status::unavailable(fmt::format("{} is locked: another pintar process is using this STAN file "
                                             "(p2apst.stan_file); wait for it to finish",
                                             lock_path));
    }
    return Status::io_error(fmt::format("{}: flock: {}", lock_path, std::strerror(saved)));
  }
  return fd;
}

}  // namespace

std::string format_stan(uint64_t n) { return fmt::format("{:012}", wrap(n)); }

Result<std::string> MemoryStanSequence::next() {
  std::lock_guard lock(mutex_);
  return format_stan(++last_);
}

Result<std::unique_ptr<FileStanSequence>> FileStanSequence::open(std::string path) {
  auto lock_fd = lock_exclusive(path);
  if (!lock_fd.ok()) return lock_fd.status();
  // From here on the unique_ptr owns the descriptor, also on the error paths.
  std::unique_ptr<FileStanSequence> stans(new FileStanSequence(path, *lock_fd, 0));
  uint64_t high = 0;
  std::ifstream in(path);
  if (in) {
    std::string text;
    std::getline(in, text);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), high);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return Status::corruption(fmt::format("{}: not a STAN high-water mark", path));
    }
  }
  stans->next_ = stans->high_ = high;
  return stans;
}

FileStanSequence::~FileStanSequence() { ::close(lock_fd_); }

Status FileStanSequence::persist(uint64_t high) { return write_file_synced(path_, fmt::format("{}\n", high)); }

Result<std::string> FileStanSequence::next() {
  std::lock_guard lock(mutex_);
  if (next_ == high_) {
    PINTAR_RETURN_IF_ERROR(persist(high_ + kBlock));
    high_ += kBlock;
  }
  return format_stan(++next_);
}

}  // namespace pintar::p2apst
