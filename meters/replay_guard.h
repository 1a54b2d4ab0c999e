// Replay protection for modem messages (docs/modem-protocol.md, "Counters and replay").
//
// Every sender numbers its messages with a counter C that grows by at least one per message
// and is never reused with one key. The receiver keeps, per key id, the highest counter it
// accepted and a bitmap of the `window` counters just below it (the IPsec ESP anti-replay
// window of RFC 4303 §3.4.3), so an SMS overtaken by a later one is still taken once:
//   C > highest                          accepted, highest moves up
//   highest - window < C <= highest      accepted once (its bit is then set), replayed after
//   C <= highest - window                too old: refused as replayed
// window = 0 is the strict rule: only C > highest is accepted.
//
// The state is the receiver's to persist: ReplayStore is the interface (the engine implements
// it with the ledger; MemoryReplayStore is for tests and simulators). A counter is recorded
// as accepted durably before the caller acts on its message, so a crash between the two
// loses the message (the sender repeats it with a new counter) but never acts twice.
// Thread-safe when the store is.
#ifndef PINTAR_METERS_REPLAY_GUARD_H_
#define PINTAR_METERS_REPLAY_GUARD_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace pintar::meters {

struct ReplayState {
  uint32_t highest = 0;  // highest counter accepted; 0: none yet (counters start at 1)
  uint64_t seen = 0;     // bit i: counter highest - i was accepted (bit 0 is highest itself)
  friend bool operator==(const ReplayState&, const ReplayState&) = default;
};

inline constexpr uint32_t kMaxReplayWindow = 64;

enum class ReplayCheck : uint8_t { kFresh, kReplayed, kTooOld };

// The pure rule. window in 0..kMaxReplayWindow.
ReplayCheck check_counter(const ReplayState& state, uint32_t counter, uint32_t window);
// The state after accepting `counter` (which check_counter found fresh).
ReplayState accept_counter(const ReplayState& state, uint32_t counter);

class ReplayStore {
 public:
  virtual ~ReplayStore() = default;
  // Reads the state of key_id (ReplayState{} if none was stored), calls decide() with it
  // and, when decide() returns a state, stores it durably before returning. The read and
  // the write are one atomic step against every other update of the same key id, in this
  // process or another (one IMMEDIATE transaction in a SQLite implementation). An error
  // means nothing was stored; decide() may or may not have run.
  using Decide = std::function<std::optional<ReplayState>(const ReplayState&)>;
  virtual Status update(std::string_view key_id, const Decide& decide) = 0;
};

// In memory, mutex-protected: tests and simulators (a real modem keeps it in flash).
class MemoryReplayStore final : public ReplayStore {
 public:
  Status update(std::string_view key_id, const Decide& decide) override;
  std::optional<ReplayState> get(std::string_view key_id) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, ReplayState, std::less<>> states_;
};

class ReplayGuard {
 public:
  // window is clamped to kMaxReplayWindow. The store must outlive the guard.
  ReplayGuard(ReplayStore& store, uint32_t window);

  // Records `counter` for key_id if it is fresh. Ok(kFresh) when recorded (act on the
  // message), Ok(kReplayed / kTooOld) when refused; a store error is returned as is (do not
  // act, the message may be genuine: the sender repeats it).
  Result<ReplayCheck> admit(std::string_view key_id, uint32_t counter);

  uint32_t window() const { return window_; }

 private:
  ReplayStore& store_;
  uint32_t window_;
};

}  // namespace pintar::meters

#endif  // PINTAR_METERS_REPLAY_GUARD_H_
