#include "report/report_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "common/hex.h"

namespace pintar::report {
namespace {

// Writes are gathered to this size: a report is hundreds of thousands of short lines.
constexpr size_t kBufferBytes = 1 << 16;

Status errno_status(std::string_view what, const std::string& path) {
  return Status::io_error(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

Status write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("write", path);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status();
}

Status fsync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("open", dir);
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return rc == 0 ? Status() : errno_status("fsync", dir);
}

}  // namespace

struct ReportFile::Hash {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Hash() { EVP_MD_CTX_free(ctx); }
};

std::string csv_field(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

Result<std::unique_ptr<ReportFile>> ReportFile::create(const std::string& dir, const std::string& name) {
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return errno_status("mkdir", dir);
  std::unique_ptr<ReportFile> file(new ReportFile());
  file->dir_ = dir;
  file->path_ = dir + "/" + name;
  struct stat st {};
  if (::lstat(file->path_.c_str(), &st) == 0) {
    return Status::already_exists(fmt::format("{} exists: a report is written once (move it aside to write it again)",
                                              file->path_));
  }
  std::string temp = dir + "/." + name + ".XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return errno_status("create a temporary file in", dir);
  file->fd_ = fd;
  file->temp_path_ = temp;
  // mkstemp makes 0600; the report's readers are a group (the uploader), never others.
  if (::fchmod(fd, 0640) != 0) return errno_status("chmod", temp);
  file->hash_ = std::make_unique<Hash>();
  if (file->hash_->ctx == nullptr || EVP_DigestInit_ex(file->hash_->ctx, EVP_sha256(), nullptr) != 1) {
    return Status::internal("SHA-256 context");
  }
  file->buffer_.reserve(kBufferBytes + 1024);
  return file;
}

ReportFile::~ReportFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
}

Status ReportFile::line(std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (std::string_view f : fields) {
    if (!first) buffer_ += ',';
    first = false;
    if (f.find_first_of(",\"\r\n") == std::string_view::npos) {
      buffer_ += f;
    } else {
      buffer_ += csv_field(f);
    }
  }
  buffer_ += '\n';
  return buffer_.size() >= kBufferBytes ? flush() : Status();
}

Status ReportFile::flush() {
  if (EVP_DigestUpdate(hash_->ctx, buffer_.data(), buffer_.size()) != 1) return Status::internal("SHA-256 update");
  PINTAR_RETURN_IF_ERROR(write_all(fd_, buffer_, temp_path_));
  buffer_.clear();
  return Status();
}

Status ReportFile::header(std::initializer_list<std::string_view> fields) { return line(fields); }

Status ReportFile::row(std::initializer_list<std::string_view> fields) {
  ++rows_;
  return line(fields);
}

Status ReportFile::commit() {
  if (committed_ || fd_ < 0) return Status::failed_precondition("report file committed already");
  PINTAR_RETURN_IF_ERROR(flush());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(hash_->ctx, digest, &size) != 1) return Status::internal("SHA-256 final");
  const std::string trailer = fmt::format("trailer,{},{}\n", rows_, hex_encode_lower(std::span<const uint8_t>(digest, size)));
  PINTAR_RETURN_IF_ERROR(write_all(fd_, trailer, temp_path_));
  if (::fsync(fd_) != 0) return errno_status("fsync", temp_path_);
  if (::close(fd_) != 0) {
    fd_ = -1;
    return errno_status("close", temp_path_);
  }
  fd_ = -1;
  // RENAME_NOREPLACE: two writers racing for one date cannot both put a file in place.
  if (::renameat2(AT_FDCWD, temp_path_.c_str(), AT_FDCWD, path_.c_str(), RENAME_NOREPLACE) != 0) {
    if (errno == EEXIST) {
      return Status::already_exists(fmt::format("{} exists: a report is written once", path_));
    }
    return errno_status("rename into", path_);
  }
  committed_ = true;
  return fsync_dir(dir_);
}

}  // namespace pintar::report
