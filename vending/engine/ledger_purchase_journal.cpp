#include "vending/engine/ledger_purchase_journal.h"

#include <fmt/format.h>

namespace pintar::engine {
namespace {

using p2apst::PurchaseRecord;
using p2apst::PurchaseState;

Result<PurchaseRecord> from_row(store::P2apstPurchaseRow row) {
  auto state = p2apst::parse_state(row.state);
  if (!state.ok()) return Status::corruption(fmt::format("p2apst_purchases row {}: {}", row.id, state.status().message()));
  return PurchaseRecord{.id = row.id,
                        .meter = std::move(row.meter),
                        .amount = row.amount,
                        .bit48 = std::move(row.bit48),
                        .local_time = std::move(row.local_time),
                        .state = *state,
                        .advice_count = row.advice_count,
                        .stan = std::move(row.stan),
                        .response_code = std::move(row.response_code),
                        .response_bit48 = std::move(row.response_bit48),
                        .txn_id = std::move(row.txn_id)};
}

// An update that found the row elsewhere: the row as it is names the conflict.
Status settled(int64_t id, PurchaseState from, PurchaseState to, Result<std::optional<store::P2apstPurchaseRow>> moved) {
  if (!moved.ok()) return moved.status();
  if (!moved->has_value()) return Status();
  auto actual = from_row(std::move(**moved));
  if (!actual.ok()) return actual.status();
  return p2apst::state_conflict(id, from, to, actual->state, actual->advice_count);
}

}  // namespace

Result<std::unique_ptr<LedgerPurchaseJournal>> LedgerPurchaseJournal::open(const store::LedgerOptions& options,
                                                                          Clock& clock) {
  auto table = store::P2apstPurchases::open(options, clock);
  if (!table.ok()) return table.status();
  return std::unique_ptr<LedgerPurchaseJournal>(new LedgerPurchaseJournal(std::move(*table)));
}

Result<int64_t> LedgerPurchaseJournal::record_intent(const PurchaseRecord& intent) {
  return table_->insert_intent({.meter = intent.meter,
                                .amount = intent.amount,
                                .bit48 = intent.bit48,
                                .local_time = intent.local_time,
                                .txn_id = intent.txn_id});
}

Status LedgerPurchaseJournal::mark_sent(int64_t id, PurchaseState from, PurchaseState state, std::string_view stan,
                                        int advice_count) {
  return settled(id, from, state,
                 table_->mark_sent(id, p2apst::state_name(from), p2apst::expected_advice_count(state, advice_count),
                                   p2apst::state_name(state), stan, advice_count));
}

Status LedgerPurchaseJournal::record_outcome(int64_t id, PurchaseState from, PurchaseState state,
                                             std::string_view response_code, std::string_view response_bit48) {
  return settled(id, from, state,
                 table_->record_outcome(id, p2apst::state_name(from), p2apst::state_name(state), response_code,
                                        response_bit48));
}

Result<std::vector<PurchaseRecord>> LedgerPurchaseJournal::list_unresolved() {
  auto rows = table_->list_unresolved();
  if (!rows.ok()) return rows.status();
  std::vector<PurchaseRecord> out;
  for (auto& row : *rows) {
    auto record = from_row(std::move(row));
    if (!record.ok()) return record.status();
    out.push_back(std::move(*record));
  }
  return out;
}

Result<PurchaseRecord> LedgerPurchaseJournal::get(int64_t id) {
  auto row = table_->get(id);
  if (!row.ok()) return row.status();
  return from_row(std::move(*row));
}

Result<std::optional<PurchaseRecord>> LedgerPurchaseJournal::find_by_txn(std::string_view txn_id) {
  auto row = table_->find_by_txn(txn_id);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return std::optional<PurchaseRecord>();
  auto record = from_row(std::move(**row));
  if (!record.ok()) return record.status();
  return std::optional<PurchaseRecord>(std::move(*record));
}

}  // namespace pintar::engine
