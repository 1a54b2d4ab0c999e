#include "store/ledger_reads.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "store/rows.h"

namespace pintar::store::reads {
namespace {

// SQLite's LIMIT is a signed 64-bit integer.
int64_t sql_limit(size_t limit) {
  return static_cast<int64_t>(std::min<size_t>(limit, std::numeric_limits<int64_t>::max()));
}

std::optional<int64_t> optional_integer(const sqlite::Statement& row, int column) {
  if (row.is_null(column)) return std::nullopt;
  return row.integer(column);
}

// Every row of the bound `statement`, each turned into a record by read(row).
template <typename T, typename Read>
Result<std::vector<T>> collect(sqlite::Statement& statement, Read read) {
  sqlite::Cursor cursor(statement);
  std::vector<T> out;
  for (;;) {
    auto more = cursor.next();
    if (!more.ok()) return more.status();
    if (!*more) return out;
    Result<T> record = read(cursor.statement());
    if (!record.ok()) return record.status();
    out.push_back(std::move(record).value());
  }
}

// The first row of the bound `statement` as a record, nullopt when there is none.
template <typename T, typename Read>
Result<std::optional<T>> first(sqlite::Statement& statement, Read read) {
  sqlite::Cursor cursor(statement);
  auto found = cursor.next();
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<T>();
  Result<T> record = read(cursor.statement());
  if (!record.ok()) return record.status();
  return std::optional<T>(std::move(record).value());
}

Result<MeterEvent> read_meter_event(const sqlite::Statement& row) {
  return MeterEvent{.meter_no = row.text(0),
                    .at_ms = row.integer(1),
                    .kind = row.text(2),
                    .detail = row.text(3),
                    .credit_deci_kwh = optional_integer(row, 4),
                    .energy_deci_kwh = optional_integer(row, 5),
                    .dedup_key = row.optional_text(6)};
}

Result<ModemCommand> read_modem_command(const sqlite::Statement& row) {
  return ModemCommand{.meter_no = row.text(0),
                      .seq = row.integer(1),
                      .kind = row.text(2),
                      .txn_id = row.optional_text(3),
                      .state = row.text(4),
                      .attempts = row.integer(5),
                      .result = row.text(6),
                      .created_ms = row.integer(7),
                      .updated_ms = row.integer(8)};
}

Result<VendDetail> read_vend_detail(const sqlite::Statement& row) {
  VendDetail d{.txn_id = row.text(0),
               .admin_rupiah = row.integer(1),
               .stamp_duty_rupiah = row.integer(2),
               .ppn_rupiah = row.integer(3),
               .ppj_rupiah = row.integer(4),
               .instalment_rupiah = row.integer(5),
               .power_purchase_rupiah = row.integer(6),
               .p2apst_token = row.optional_text(7),
               .key_change_tokens = {},
               .tid = optional_integer(row, 9),
               .customer_name = row.text(10),
               .tariff = row.text(11),
               .power_va = row.integer(12),
               .p2apst_reference = row.text(13)};
  // Stored comma separated (the schema's CHECK holds the format): split on the commas.
  const std::string tokens = row.text(8);
  for (size_t start = 0; start < tokens.size();) {
    const size_t end = std::min(tokens.find(',', start), tokens.size());
    d.key_change_tokens.push_back(tokens.substr(start, end - start));
    start = end + 1;
  }
  return d;
}

Result<TransactionRecord> read_transaction_row(const sqlite::Statement& row) { return read_transaction(row); }
Result<MessageRecord> read_message_row(const sqlite::Statement& row) { return read_message(row); }
Result<std::string> read_text(const sqlite::Statement& row) { return row.text(0); }

}  // namespace

Result<SubscriberView> subscriber_view(Statements& sql, const std::string& meter_no) {
  SubscriberView view;
  auto meter = first<Meter>(sql[Sql::kMeterGet].bind(meter_no), [](const auto& row) { return read_meter(row); });
  if (!meter.ok()) return meter.status();
  if (!*meter) return Status::not_found(fmt::format("meter {}", meter_no));
  view.meter = std::move(**meter);
  auto customer =
      first<Customer>(sql[Sql::kCustomerGet].bind(view.meter.idpel), [](const auto& row) { return read_customer(row); });
  if (!customer.ok()) return customer.status();
  if (*customer) view.customer = std::move(**customer);
  auto modem = first<Modem>(sql[Sql::kModemGet].bind(view.meter.modem_msisdn),
                            [](const auto& row) { return read_modem(row); });
  if (!modem.ok()) return modem.status();
  if (*modem) view.modem = std::move(**modem);
  auto phones = collect<SubscriberView::Phone>(sql[Sql::kPhonesOfMeter].bind(meter_no), [](const auto& row) {
    return Result<SubscriberView::Phone>(SubscriberView::Phone{.msisdn = row.text(0), .language = row.text(1)});
  });
  if (!phones.ok()) return phones.status();
  view.phones = std::move(phones).value();
  auto migration = first<MeterMigration>(sql[Sql::kMigrationOfMeter].bind(meter_no), [](const auto& row) {
    return Result<MeterMigration>(MeterMigration{.one_way_meter_no = row.text(0), .migrated_ms = row.integer(1)});
  });
  if (!migration.ok()) return migration.status();
  view.migrated_from = std::move(migration).value();
  return view;
}

Result<std::optional<std::string>> find_migrated_meter(Statements& sql, std::string_view one_way_meter_no) {
  return first<std::string>(sql[Sql::kMeterNoByOneWayMeter].bind(one_way_meter_no), read_text);
}

Result<std::optional<SubscriberView>> find_subscriber_by_modem(Statements& sql, std::string_view modem_msisdn) {
  auto meter_no = first<std::string>(sql[Sql::kMeterNoByModem].bind(modem_msisdn), read_text);
  if (!meter_no.ok()) return meter_no.status();
  if (!*meter_no) return std::optional<SubscriberView>();
  auto view = subscriber_view(sql, **meter_no);
  if (!view.ok()) return view.status();
  return std::optional<SubscriberView>(std::move(view).value());
}

Result<std::optional<Subscription>> find_subscription(Statements& sql, std::string_view msisdn,
                                                      std::string_view meter_no) {
  return first<Subscription>(sql[Sql::kSubscriptionGet].bind(msisdn, meter_no), read_subscription);
}

Result<std::vector<Subscription>> subscriptions_of(Statements& sql, std::string_view msisdn) {
  return collect<Subscription>(sql[Sql::kSubscriptionsOfMsisdn].bind(msisdn), read_subscription);
}

Result<std::vector<TransactionRecord>> find_transactions(Statements& sql, const TransactionQuery& query) {
  // The most selective filter picks the index; the others are checked along it.
  const Sql driver = query.token              ? Sql::kTransactionsByToken
                     : query.reference          ? Sql::kTransactionsByReference
                     : query.meter_no           ? Sql::kTransactionsByMeter
                     : !query.meter_nos.empty() ? Sql::kTransactionsByMeters
                     : query.msisdn             ? Sql::kTransactionsByMsisdn
                     : !query.states.empty()    ? Sql::kTransactionsByState
                                                : Sql::kTransactionsByCreated;
  auto json_or_null = [](const std::vector<std::string>& values) {
    return values.empty() ? std::nullopt : std::optional<std::string>(json_string_array(values));
  };
  return collect<TransactionRecord>(
      sql[driver].bind(query.meter_no, query.msisdn, json_or_null(query.states),
                       query.created_since_ms.value_or(std::numeric_limits<int64_t>::min()), sql_limit(query.limit),
                       query.created_before_ms.value_or(std::numeric_limits<int64_t>::max()), query.after_created_ms,
                       query.after_txn_id, json_or_null(query.meter_nos), query.token, query.reference),
      read_transaction_row);
}

Result<std::optional<VendDetail>> find_vend_detail(Statements& sql, std::string_view txn_id) {
  return first<VendDetail>(sql[Sql::kVendDetailGet].bind(txn_id), read_vend_detail);
}

Result<std::optional<int64_t>> last_tid(Statements& sql, std::string_view meter_no) {
  auto max = first<std::optional<int64_t>>(sql[Sql::kTidMax].bind(meter_no), [](const auto& row) {
    return Result<std::optional<int64_t>>(optional_integer(row, 0));
  });
  if (!max.ok()) return max.status();
  return max->value_or(std::nullopt);  // max() gives one row, NULL when the meter has none
}

Result<std::optional<ModemCommand>> find_modem_command(Statements& sql, std::string_view meter_no, int64_t seq) {
  return first<ModemCommand>(sql[Sql::kModemCommandGet].bind(meter_no, seq), read_modem_command);
}

Result<std::optional<ModemCommand>> find_modem_command_for(Statements& sql, std::string_view txn_id) {
  return first<ModemCommand>(sql[Sql::kModemCommandForTxn].bind(txn_id), read_modem_command);
}

Result<int64_t> max_modem_seq(Statements& sql, std::string_view meter_no) {
  auto max = first<int64_t>(sql[Sql::kModemSeqMax].bind(meter_no),
                            [](const auto& row) { return Result<int64_t>(row.integer(0)); });
  if (!max.ok()) return max.status();
  return max->value_or(0);
}

Result<std::vector<ModemCommand>> modem_commands_in_state(Statements& sql, std::string_view state) {
  return collect<ModemCommand>(sql[Sql::kModemCommandsInState].bind(state), read_modem_command);
}

Result<std::vector<MessageRecord>> find_messages(Statements& sql, std::string_view direction,
                                                 std::string_view delivery_state, size_t limit) {
  return collect<MessageRecord>(sql[Sql::kMessagesInState].bind(direction, delivery_state, sql_limit(limit)),
                                read_message_row);
}

Result<std::vector<MessageRecord>> messages_of(Statements& sql, std::string_view txn_id) {
  return collect<MessageRecord>(sql[Sql::kMessagesOfTxn].bind(txn_id), read_message_row);
}

Result<std::vector<TransactionRecord>> transaction_versions(Statements& sql, std::string_view txn_id) {
  return collect<TransactionRecord>(sql[Sql::kTransactionVersions].bind(txn_id), read_transaction_row);
}

Result<std::vector<MeterEvent>> recent_meter_events(Statements& sql, std::string_view meter_no, size_t limit) {
  return collect<MeterEvent>(sql[Sql::kMeterEventsRecent].bind(meter_no, sql_limit(limit)), read_meter_event);
}

Result<std::vector<AuditEntry>> audit_of(Statements& sql, std::string_view subject) {
  return collect<AuditEntry>(sql[Sql::kAuditOfSubject].bind(subject),
                             [](const auto& row) { return Result<AuditEntry>(read_audit(row)); });
}

Result<CounterWindow> counter_window(Statements& sql, std::string_view key_id, std::string_view direction) {
  auto window = first<CounterWindow>(sql[Sql::kCounterWindowGet].bind(key_id, direction), [](const auto& row) {
    // seen holds the bitmap's 64 bits as a signed integer; the CHECK bounds highest.
    return Result<CounterWindow>(CounterWindow{.highest = static_cast<uint32_t>(row.integer(0)),
                                               .seen = static_cast<uint64_t>(row.integer(1))});
  });
  if (!window.ok()) return window.status();
  return window->value_or(CounterWindow{});
}

std::string json_string_array(const std::vector<std::string>& values) {
  std::string out = "[";
  for (const std::string& value : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : value) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
      } else {
        out += c;
      }
    }
    out += '"';
  }
  return out + "]";
}

}  // namespace pintar::store::reads
