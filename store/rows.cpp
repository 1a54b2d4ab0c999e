#include "store/rows.h"

#include "store/chain.h"

namespace pintar::store {

TransactionRecord read_transaction(const sqlite::Statement& row) {
  return TransactionRecord{
      .txn_id = row.text(0),
      .version = row.integer(1),
      .idempotency_key = row.text(2),
      .meter_no = row.text(3),
      .msisdn = row.text(4),
      .amount_rupiah = row.integer(5),
      .energy_deci_kwh = row.integer(6),
      .token = row.optional_text(7),
      .state = row.text(8),
      .reference = row.optional_text(9),
      .reason = row.optional_text(10),
      .created_ms = row.integer(11),
      .recorded_ms = row.integer(12),
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

std::string purchase_entry(const sqlite::Statement& row, int first) {
  CanonicalRow out;
  for (int column = first; column < first + kPurchaseChainColumns; ++column) {
    // Integers and text alike as their text form: SQLite gives an integer column's decimal.
    out.add(row.optional_text(column));
  }
  return std::move(out).release();
}

}  // namespace pintar::store
