#include "store/rows.h"

#include <algorithm>

#include "store/chain.h"

namespace pintar::store {

TransactionRecord read_transaction(const sqlite::Statement& row, int first) {
  const int c = first;
  return TransactionRecord{
      .txn_id = row.text(c),
      .version = row.integer(c + 1),
      .idempotency_key = row.text(c + 2),
      .meter_no = row.text(c + 3),
      .msisdn = row.text(c + 4),
      .amount_rupiah = row.integer(c + 5),
      .energy_deci_kwh = row.integer(c + 6),
      .token = row.optional_text(c + 7),
      .state = row.text(c + 8),
      .reference = row.optional_text(c + 9),
      .reason = row.optional_text(c + 10),
      .created_ms = row.integer(c + 11),
      .recorded_ms = row.integer(c + 12),
  };
}

AuditEntry read_audit(const sqlite::Statement& row) {
  return AuditEntry{
      .at_ms = row.integer(0), .actor = row.text(1), .action = row.text(2), .subject = row.text(3), .detail = row.text(4)};
}

Customer read_customer(const sqlite::Statement& row) {
  return Customer{
      .idpel = row.text(0), .name = row.text(1), .tariff = row.text(2), .power_va = row.integer(3), .region = row.text(4)};
}

Meter read_meter(const sqlite::Statement& row) {
  return Meter{.meter_no = row.text(0),
               .idpel = row.text(1),
               .sgc = row.text(2),
               .ti = row.integer(3),
               .krn = row.integer(4),
               .kt = row.integer(5),
               .ea = row.integer(6),
               .dkga = row.integer(7),
               .base_date = row.integer(8),
               .kdpm = row.text(9),
               .modem_msisdn = row.text(10)};
}

Modem read_modem(const sqlite::Statement& row) { return Modem{.msisdn = row.text(0), .key_id = row.text(1)}; }

std::string purchase_entry(const sqlite::Statement& row, int first, int columns) {
  CanonicalRow out;
  for (int column = first; column < first + kPurchaseChainColumnsRevision5; ++column) {
    // Integers and text alike as their text form: SQLite gives an integer column's decimal.
    out.add(row.optional_text(column));
  }
  // txn_id (revision 6): a field more only when set, so older versions keep their bytes.
  const int txn_id = first + kPurchaseChainColumnsRevision5;
  if (columns > kPurchaseChainColumnsRevision5 && !row.is_null(txn_id)) out.add(row.text(txn_id));
  return std::move(out).release();
}

Result<Subscription> read_subscription(const sqlite::Statement& row) {
  Subscription s{.msisdn = row.text(0),
                 .meter_no = row.text(1),
                 .language = row.text(2),
                 .pin_hash = {},
                 .failed_pin_attempts = row.integer(4),
                 .locked_until_ms = row.integer(5)};
  const std::vector<uint8_t> hash = row.blob(3);
  if (hash.size() != s.pin_hash.size()) return Status::corruption("a stored PIN hash has the wrong length");
  std::ranges::copy(hash, s.pin_hash.begin());
  return s;
}

MessageRecord read_message(const sqlite::Statement& row) {
  return MessageRecord{
      .message_id = row.text(0),
      .direction = row.text(1),
      .msisdn = row.text(2),
      .body = row.text(3),
      .txn_id = row.optional_text(4),
      .smpp_message_id = row.optional_text(5),
      .delivery_state = row.text(6),
      .created_ms = row.integer(7),
      .updated_ms = row.integer(8),
  };
}

}  // namespace pintar::store
