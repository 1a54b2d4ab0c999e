// STAN (bit 11, n12) allocation. PLN matches answers and advices by STAN, so one must
// never be reused, not even after a crash: FileStanSequence persists a high-water mark
// (fsync'd) before handing out the numbers below it, in blocks so that not every message
// costs a disk write. A crash skips the rest of a block, which is harmless.
// Thread-safe.
#ifndef PINTAR_VENDING_P2APST_STAN_H_
#define PINTAR_VENDING_P2APST_STAN_H_

#include <cstdint>
#include <mutex>
#include <string>

#include "common/status.h"

namespace pintar::p2apst {

class StanSequence {
 public:
  virtual ~StanSequence() = default;
  // The next STAN as 12 digits; 000000000001 follows 999999999999.
  virtual Result<std::string> next() = 0;
};

std::string format_stan(uint64_t n);

class MemoryStanSequence final : public StanSequence {
 public:
  Result<std::string> next() override;

 private:
  std::mutex mutex_;
  uint64_t last_ = 0;
};

class FileStanSequence final : public StanSequence {
 public:
  static constexpr uint64_t kBlock = 100;
  // Reads the high-water mark (a missing file starts at 0); InvalidArgument/IoError when
  // the file is unreadable or not a number.
  static Result<std::unique_ptr<FileStanSequence>> open(std::string path);
  Result<std::string> next() override;

 private:
  FileStanSequence(std::string path, uint64_t high) : path_(std::move(path)), next_(high), high_(high) {}
  Status persist(uint64_t high);

  std::mutex mutex_;
  std::string path_;
  uint64_t next_;  // last number handed out
  uint64_t high_;  // persisted: nothing above it was handed out
};

}  // namespace pintar::p2apst

#endif  // PINTAR_VENDING_P2APST_STAN_H_
