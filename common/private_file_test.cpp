#include "common/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <catch2/catch.hpp>

namespace pintar {
namespace {

std::string temp_path(const char* name) {
  char dir[] = "/tmp/private-file-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  return std::string(dir) + "/" + name;
}

// Whether another process sees a write lock on `path` (fcntl F_GETLK from a child).
bool locked_for_others(const std::string& path) {
  const pid_t child = ::fork();
  if (child == 0) {
    const int fd = ::open(path.c_str(), O_RDWR);
    struct flock probe {};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    const bool locked = fd >= 0 && ::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK;
    ::_exit(locked ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST_CASE("a new private file is created 0600 whatever the umask", "[common][private_file]") {
  const std::string path = temp_path("new.db");
  const mode_t old_umask = ::umask(0);
  const Status created = create_private_file(path);
  ::umask(old_umask);
  REQUIRE(created.ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("an existing file keeps its mode, and this process's locks on it survive", "[common][private_file]") {
  const std::string path = temp_path("open.db");
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0640);
  REQUIRE(fd >= 0);
  ::fchmod(fd, 0640);
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  REQUIRE(::fcntl(fd, F_SETLK, &lock) == 0);  // as an open SQLite connection holds one
  REQUIRE(locked_for_others(path));
  REQUIRE(create_private_file(path).ok());
  // Opening and closing the file here would have released the lock (the WAL-deleting bug).
  CHECK(locked_for_others(path));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  ::close(fd);
}

}  // namespace
}  // namespace pintar
