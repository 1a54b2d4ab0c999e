// Status and Result<T>: how every fallible call in pintar reports failure.
//
// No exceptions cross a module border. A function that can fail returns a Status (or a
// Result<T> carrying either a value or a non-ok Status). Both are cheap value types: an ok
// Status holds no string. They are not synchronised; copy them between threads.
#ifndef PINTAR_COMMON_STATUS_H_
#define PINTAR_COMMON_STATUS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace pintar {

// The kinds of failure callers branch on. The message is for people, the code for code.
enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed or out of range
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // a unique thing would be created twice
  kFailedPrecondition,  // the system is not in a state that allows this (e.g. not signed on)
  kCorruption,          // stored or received data fails an integrity check
  kIoError,             // the OS or the database refused an operation
  kUnavailable,         // a peer or resource is temporarily unreachable; retry later
  kTimeout,             // no answer within the allowed time; the outcome is unknown
  kResourceExhausted,   // a limit or quota is reached
  kCancelled,           // stopped because the process is shutting down
  kInternal,            // a bug: an invariant does not hold
};

std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok

  static Status ok_status() { return Status(); }
  static Status invalid_argument(std::string message) { return {StatusCode::kInvalidArgument, std::move(message)}; }
  static Status not_found(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
  static Status already_exists(std::string message) { return {StatusCode::kAlreadyExists, std::move(message)}; }
  static Status failed_precondition(std::string message) { return {StatusCode::kFailedPrecondition, std::move(message)}; }
  static Status corruption(std::string message) { return {StatusCode::kCorruption, std::move(message)}; }
  static Status io_error(std::string message) { return {StatusCode::kIoError, std::move(message)}; }
  static Status unavailable(std::string message) { return {StatusCode::kUnavailable, std::move(message)}; }
  static Status timeout(std::string message) { return {StatusCode::kTimeout, std::move(message)}; }
  static Status resource_exhausted(std::string message) { return {StatusCode::kResourceExhausted, std::move(message)}; }
  static Status cancelled(std::string message) { return {StatusCode::kCancelled, std::move(message)}; }
  static Status internal(std::string message) { return {StatusCode::kInternal, std::move(message)}; }

  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "NotFound: meter 14012345678" (or "OK").
  std::string to_string() const;

  // The same failure with "context: " put in front of the message, for callers that add
  // where it happened ("ledger.db: disk I/O error").
  Status with_context(std::string_view context) const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a T or a non-ok Status. Accessing value() of a failed Result is a bug (asserts).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {}  // NOLINT: must not be ok

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& { return ok() ? value() : static_cast<T>(std::forward<U>(fallback)); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace pintar

// Early return on failure, the one macro pintar allows itself: it keeps error paths visible
// without nesting. Works in functions returning Status or Result<T>.
#define PINTAR_RETURN_IF_ERROR(expr)                \
  do {                                              \
    ::pintar::Status pintar_status_ = (expr);       \
    if (!pintar_status_.ok()) return pintar_status_; \
  } while (0)

template <>
struct fmt::formatter<pintar::Status> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const pintar::Status& status, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(status.to_string(), ctx);
  }
};

#endif  // PINTAR_COMMON_STATUS_H_
