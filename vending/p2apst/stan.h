// STAN (bit 11, n12) allocation. PLN matches answers and advices by STAN, so one must
// never be reused, not even after a crash: FileStanSequence persists a high-water mark
// (file and directory fsync'd) before handing out the numbers below it, in blocks so that not every message
// costs a disk write. A crash skips the rest of a block, which is harmless.
//
// One process at a time: open() takes an exclusive flock on "<path>.lock" (not on the STAN
// file itself, which each persist replaces by rename) and holds it for the object's life.
// A second FileStanSequence on the same path, in this process or another, gets Unavailable
// instead of handing out the same numbers. The lock also keeps two `pintar p2apst` runs from
// resuming each other's in-flight purchases. Thread-safe.
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
  // Locks "<path>.lock" (created 0600) and reads the high-water mark (a missing file starts
  // at 0). Unavailable when another holder has the lock; IoError when the lock file cannot
  // be opened; Corruption when the STAN file is not a number.
  static Result<std::unique_ptr<FileStanSequence>> open(std::string path);
  ~FileStanSequence() override;  // releases the lock
  FileStanSequence(const FileStanSequence&) = delete;
  FileStanSequence& operator=(const FileStanSequence&) = delete;
  Result<std::string> next() override;

 private:
  FileStanSequence(std::string path, int lock_fd, uint64_t high)
      : path_(std::move(path)), lock_fd_(lock_fd), next_(high), high_(high) {}
  Status persist(uint64_t high);

  std::mutex mutex_;
  std::string path_;
  int lock_fd_;     // holds the flock

  uint64_t next_;  // last number handed out
  uint64_t high_;  // persisted: nothing above it was handed out
};

}  // namespace pintar::p2apst

#endif  // PINTAR_VENDING_P2APST_STAN_H_
