// Helpers shared by sqlite/'s unit tests.
#ifndef PINTAR_SQLITE_TEST_SUPPORT_H_
#define PINTAR_SQLITE_TEST_SUPPORT_H_

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace pintar::sqlite::test {

// A fresh directory under $TMPDIR (the test main's scratch directory).
inline std::string make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "pintar-sqlite-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

}  // namespace pintar::sqlite::test

#endif  // PINTAR_SQLITE_TEST_SUPPORT_H_
