// Access: who is calling, and may they. An API key ("phk_<key id>_<secret>", store/
// helpdesk_keys.h) is looked up by its id on every request (so a revoked key stops at once)
// and its secret's hash compared in constant time. Missing, malformed, unknown, revoked or
// wrong keys are all kUnauthorized, and the HTTP layer answers them and kForbidden with the
// same body: the caller learns nothing about which part was wrong.
//
// Each key has a token bucket (rate_per_minute requests, refilled continuously, burst of the
// same size): past it, kRateLimited.
// Thread-safe; `keys` and `clock` must outlive it.
#ifndef PINTAR_HELPDESK_ACCESS_H_
#define PINTAR_HELPDESK_ACCESS_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "helpdesk/roles.h"
#include "store/helpdesk_keys.h"

namespace pintar::helpdesk {

struct Caller {
  std::string key_id{};
  std::string name{};
  Role role = Role::kViewer;
  std::string actor() const { return "helpdesk:" + name; }  // AuditEntry::actor
};

enum class Verdict : uint8_t { kAllowed, kUnauthorized, kForbidden, kRateLimited, kError };

struct AccessResult {
  Verdict verdict = Verdict::kUnauthorized;
  std::optional<Caller> caller{};  // set when the key is valid (kAllowed, kForbidden, kRateLimited)
};

// A new key: the row to store and the text to hand over once (never stored, never logged).
struct NewKey {
  store::HelpdeskKey row;
  std::string text{};  // "phk_<key id>_<secret>"
};
// InvalidArgument for a name that is not 1..64 printable characters.
Result<NewKey> make_key(std::string_view name, Role role, int64_t now_ms);

class Access {
 public:
  Access(store::HelpdeskKeyStore& keys, Clock& clock, int64_t rate_per_minute)
      : keys_(keys), clock_(clock), rate_per_minute_(rate_per_minute) {}

  // `presented` is the key as the request carried it (empty when none).
  AccessResult check(std::string_view presented, Role need);

 private:
  bool take_token(const std::string& key_id);

  struct Bucket {
    double tokens;
    Clock::SteadyTime last;
  };
  store::HelpdeskKeyStore& keys_;
  Clock& clock_;
  const int64_t rate_per_minute_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace pintar::helpdesk

#endif  // PINTAR_HELPDESK_ACCESS_H_
