#include "vending/engine/ledger_replay_store.h"

namespace pintar::engine {

LedgerReplayStore::LedgerReplayStore(store::Ledger& ledger, std::string_view direction)
    : ledger_(ledger), direction_(direction) {}

Status LedgerReplayStore::update(std::string_view key_id, const Decide& decide) {
  // The ledger's CounterWindow is meters::ReplayState under another name (store/ does not
  // depend on meters/); the adapter is the whole of this class.
  return ledger_.update_counter_window(
      key_id, direction_, [&decide](const store::CounterWindow& stored) -> std::optional<store::CounterWindow> {
        auto next = decide(meters::ReplayState{.highest = stored.highest, .seen = stored.seen});
        if (!next.has_value()) return std::nullopt;
        return store::CounterWindow{.highest = next->highest, .seen = next->seen};
      });
}

}  // namespace pintar::engine
