// The reads of the SQLite ledger (private to store/), as free functions over one read
// connection's prepared statements: SqliteLedger borrows a connection from its pool and
// calls one of these. Each returns the rows as records (store/records.h); the contracts are
// those of the Ledger methods of the same names (store/ledger.h). Not synchronised: the
// caller holds the connection.
#ifndef PINTAR_STORE_LEDGER_READS_H_
#define PINTAR_STORE_LEDGER_READS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/ledger.h"
#include "store/statements.h"

namespace pintar::store::reads {

// A meter with its customer, modem and phones; NotFound for an unknown meter.
Result<SubscriberView> subscriber_view(Statements& sql, const std::string& meter_no);
Result<std::optional<SubscriberView>> find_subscriber_by_modem(Statements& sql, std::string_view modem_msisdn);
// The two-way meter that replaced a one-way meter (Ledger::find_migrated_meter).
Result<std::optional<std::string>> find_migrated_meter(Statements& sql, std::string_view one_way_meter_no);
Result<std::optional<Subscription>> find_subscription(Statements& sql, std::string_view msisdn,
                                                      std::string_view meter_no);
Result<std::vector<Subscription>> subscriptions_of(Statements& sql, std::string_view msisdn);
Result<std::vector<TransactionRecord>> find_transactions(Statements& sql, const TransactionQuery& query);
Result<std::optional<VendDetail>> find_vend_detail(Statements& sql, std::string_view txn_id);
Result<std::optional<int64_t>> last_tid(Statements& sql, std::string_view meter_no);
Result<std::optional<ModemCommand>> find_modem_command(Statements& sql, std::string_view meter_no, int64_t seq);
Result<std::optional<ModemCommand>> find_modem_command_for(Statements& sql, std::string_view txn_id);
Result<int64_t> max_modem_seq(Statements& sql, std::string_view meter_no);
Result<std::vector<ModemCommand>> modem_commands_in_state(Statements& sql, std::string_view state);
Result<std::vector<MessageRecord>> find_messages(Statements& sql, std::string_view direction,
                                                 std::string_view delivery_state, size_t limit);
Result<std::vector<MessageRecord>> messages_of(Statements& sql, std::string_view txn_id);
Result<std::vector<TransactionRecord>> transaction_versions(Statements& sql, std::string_view txn_id);
Result<std::vector<MeterEvent>> recent_meter_events(Statements& sql, std::string_view meter_no, size_t limit);
Result<std::vector<AuditEntry>> audit_of(Statements& sql, std::string_view subject);
// The stored window of (key_id, direction), CounterWindow{} when none (used inside the
// counter window's write transaction, on the writer's connection).
Result<CounterWindow> counter_window(Statements& sql, std::string_view key_id, std::string_view direction);

// `values` as a JSON array of strings (for json_each in the SQL), escaped per RFC 8259.
std::string json_string_array(const std::vector<std::string>& values);

}  // namespace pintar::store::reads

#endif  // PINTAR_STORE_LEDGER_READS_H_
