// The one Catch2 v2 main shared by every unit and integration test executable.
//
// Each test process gets a scratch directory of its own and points TMPDIR at it, so every
// temporary file the tests, the daemons and the simulators they start make
// (std::filesystem::temp_directory_path(), mkdtemp, Node's os.tmpdir()) lands in it. When
// every case passed the directory is removed; after a failure it is kept and named, for a look.
// PINTAR_KEEP_TEMP=1 keeps it always.
#define CATCH_CONFIG_RUNNER
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include <catch2/catch.hpp>

int main(int argc, char* argv[]) {
  std::string scratch;
  {
    const char* base = ::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/pintar-test-XXXXXX";
    // Short on purpose: ZeroMQ ipc:// endpoints under it must stay within a socket path's 107 bytes.
    if (::mkdtemp(pattern.data()) != nullptr) {
      scratch = pattern;
      ::setenv("TMPDIR", scratch.c_str(), 1);
    }
  }
  const int failed = Catch::Session().run(argc, argv);
  if (!scratch.empty()) {
    const char* keep = ::getenv("PINTAR_KEEP_TEMP");
    if (failed == 0 && (keep == nullptr || std::string(keep) != "1")) {
      std::error_code ignored;
      std::filesystem::remove_all(scratch, ignored);
    } else {
      std::fprintf(stderr, "temporary files kept in %s\n", scratch.c_str());
    }
  }
  return failed;
}
