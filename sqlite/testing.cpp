#include "sqlite/testing.h"

#include <sqlite3.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>

namespace pintar::sqlite::testing {
namespace {

std::atomic<int> g_writes_until_failure{-1};  // <0: never fail; n: fail the write after n more
sqlite3_syscall_ptr g_real_pwrite = nullptr, g_real_pwrite64 = nullptr, g_real_write = nullptr;

bool fail_now() {
  int n = g_writes_until_failure.load();
  while (n >= 0) {
    if (g_writes_until_failure.compare_exchange_weak(n, n - 1)) return n == 0;
  }
  return false;
}

ssize_t failing_pwrite(int fd, const void* buf, size_t count, off_t offset) {
  if (fail_now()) {
    errno = ENOSPC;
    return -1;
  }
  return reinterpret_cast<ssize_t (*)(int, const void*, size_t, off_t)>(g_real_pwrite)(fd, buf, count, offset);
}

ssize_t failing_pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  if (fail_now()) {
    errno = ENOSPC;
    return -1;
  }
  return reinterpret_cast<ssize_t (*)(int, const void*, size_t, off64_t)>(g_real_pwrite64)(fd, buf, count, offset);
}

ssize_t failing_write(int fd, const void* buf, size_t count) {
  if (fail_now()) {
    errno = ENOSPC;
    return -1;
  }
  return reinterpret_cast<ssize_t (*)(int, const void*, size_t)>(g_real_write)(fd, buf, count);
}

}  // namespace

WriteFaults::WriteFaults() {
  sqlite3_vfs* vfs = sqlite3_vfs_find("unix");
  if (vfs == nullptr) return;
  g_real_pwrite = vfs->xGetSystemCall(vfs, "pwrite");
  g_real_pwrite64 = vfs->xGetSystemCall(vfs, "pwrite64");
  g_real_write = vfs->xGetSystemCall(vfs, "write");
  if (g_real_pwrite) vfs->xSetSystemCall(vfs, "pwrite", reinterpret_cast<sqlite3_syscall_ptr>(&failing_pwrite));
  if (g_real_pwrite64) vfs->xSetSystemCall(vfs, "pwrite64", reinterpret_cast<sqlite3_syscall_ptr>(&failing_pwrite64));
  if (g_real_write) vfs->xSetSystemCall(vfs, "write", reinterpret_cast<sqlite3_syscall_ptr>(&failing_write));
  installed_ = true;
}

WriteFaults::~WriteFaults() {
  g_writes_until_failure = -1;
  if (sqlite3_vfs* vfs = sqlite3_vfs_find("unix"); vfs != nullptr) vfs->xSetSystemCall(vfs, nullptr, nullptr);
}

void WriteFaults::fail_after(int writes) { g_writes_until_failure = writes; }

}  // namespace pintar::sqlite::testing
