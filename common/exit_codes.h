// Process exit codes, from BSD sysexits(3), so that shell scripts and systemd can tell a
// usage mistake from a bad config file from a runtime failure.
#ifndef PINTAR_COMMON_EXIT_CODES_H_
#define PINTAR_COMMON_EXIT_CODES_H_

#include "common/status.h"

namespace pintar::exit_code {

inline constexpr int kOk = 0;
inline constexpr int kFailure = 1;       // the command ran and reports a negative result
inline constexpr int kUsage = 64;        // EX_USAGE: wrong command-line arguments
inline constexpr int kDataError = 65;    // EX_DATAERR: bad input data (e.g. an import file)
inline constexpr int kUnavailable = 69;  // EX_UNAVAILABLE: a needed service is not there
inline constexpr int kSoftware = 70;     // EX_SOFTWARE: an internal error
inline constexpr int kIoError = 74;      // EX_IOERR
inline constexpr int kTempFail = 75;     // EX_TEMPFAIL: try again later
inline constexpr int kConfig = 78;       // EX_CONFIG: the configuration is invalid

// The one mapping every command uses for a Status that ends it, so that a script sees the
// same number for the same kind of failure whichever command it ran. Usage and
// configuration errors are not Statuses of this kind: the CLI layer exits 64 and 78 itself.
constexpr int for_status(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return kOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kAlreadyExists:
    case StatusCode::kCorruption:
    // e.g. a file from a newer pintar: running again does not help.
    case StatusCode::kFailedPrecondition: return kDataError;
    case StatusCode::kNotFound:
    case StatusCode::kIoError: return kIoError;
    // Running again later may succeed: a peer down, a lock held, a limit that frees up, a
    // shutdown.
    case StatusCode::kUnavailable:
    case StatusCode::kTimeout:
    case StatusCode::kResourceExhausted:
    case StatusCode::kCancelled: return kTempFail;
    case StatusCode::kInternal: return kSoftware;
  }
  return kSoftware;
}
inline int for_status(const Status& status) { return for_status(status.code()); }

}  // namespace pintar::exit_code

#endif  // PINTAR_COMMON_EXIT_CODES_H_
