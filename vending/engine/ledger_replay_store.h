// LedgerReplayStore: meters::ReplayStore on the ledger's counter windows, so the replay state
// of every modem key survives a restart and is shared by every engine process on one ledger
// file (docs/modem-protocol.md, "Counters and replay").
//
// update() is one Ledger::update_counter_window(key_id, direction, ...): the read, decide()
// and the write are one BEGIN IMMEDIATE transaction, atomic against other processes; the
// state is durable when update() returns ok. The Ledger must outlive the store. Thread-safe.
#ifndef PINTAR_VENDING_ENGINE_LEDGER_REPLAY_STORE_H_
#define PINTAR_VENDING_ENGINE_LEDGER_REPLAY_STORE_H_

#include <string>
#include <string_view>

#include "meters/replay_guard.h"
#include "store/ledger.h"

namespace pintar::engine {

// The two directions of a modem key's counters in the ledger.
inline constexpr std::string_view kCounterIn = "in";    // modem -> engine: the replay window
inline constexpr std::string_view kCounterOut = "out";  // engine -> modem: highest counter used

class LedgerReplayStore final : public meters::ReplayStore {
 public:
  explicit LedgerReplayStore(store::Ledger& ledger, std::string_view direction = kCounterIn);
  Status update(std::string_view key_id, const Decide& decide) override;

 private:
  store::Ledger& ledger_;
  std::string direction_;
};

}  // namespace pintar::engine

#endif  // PINTAR_VENDING_ENGINE_LEDGER_REPLAY_STORE_H_
