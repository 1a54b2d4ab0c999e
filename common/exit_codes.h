// Process exit codes, from BSD sysexits(3), so that shell scripts and systemd can tell a
// usage mistake from a bad config file from a runtime failure.
#ifndef PINTAR_COMMON_EXIT_CODES_H_
#define PINTAR_COMMON_EXIT_CODES_H_

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

}  // namespace pintar::exit_code

#endif  // PINTAR_COMMON_EXIT_CODES_H_
