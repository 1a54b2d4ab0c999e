// ReportReads: the whole-table reads behind the regulatory reports (report/, issue 12).
//
// The Ledger's look-ups (store/ledger.h) answer one meter or one phone at a time; the daily
// data file and the SMS charging records walk every customer, meter and message of a period,
// which on a ledger of 1,000,000 purchases must stay a few sequential index scans rather
// than a million look-ups. These reads stream rows to a callback, newest state as stored,
// without PIN hashes or any key material (a subscription's pin_hash is never selected).
//
// Snapshot: open() starts one read transaction and every read of the object sees that one
// WAL snapshot, so the sections of a report agree with each other while the vending engine
// keeps writing. Destroying the object ends it. The file is opened read-only and never
// migrated: a ledger older than schema revision 6 is FailedPrecondition (a newer one is read:
// migrations only add), a missing file an IoError naming it.
//
// Threads: one thread at a time (one connection, not synchronised).
// Callbacks: a non-OK Status from the callback stops the walk and is returned as it is.
#ifndef PINTAR_STORE_REPORT_READS_H_
#define PINTAR_STORE_REPORT_READS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "store/records.h"
#include "store/sqlite_ledger.h"

namespace pintar::store {

// A subscription as a report may show it: no PIN hash, no attempt counter.
struct SubscriptionRow {
  std::string msisdn;
  std::string meter_no;
  std::string language;
  int64_t locked_until_ms = 0;
  int64_t created_ms = 0;
};

// What the ledger knows of a meter's last status before a point in time.
struct MeterStatusRow {
  std::string meter_no;
  std::optional<int64_t> last_event_ms{};   // newest meter_events row
  std::optional<int64_t> last_mo_ms{};      // newest SMS received from its modem
  std::optional<int64_t> last_credit_deci_kwh{};  // newest event that carried a credit...
  std::optional<int64_t> last_credit_ms{};        // ...and when it was reported
};

// The SMS of a period counted per (sender/receiver kind, direction, payer). A message whose
// MSISDN is a registered modem is modem traffic, paid by the IDPEL of the modem's meter (empty
// when the modem is fitted to no meter); any other is customer traffic, paid by the phone
// that bought (the MSISDN of the message's transaction, else the message's own MSISDN).
struct SmsCountRow {
  bool modem = false;
  std::string direction;  // "in" | "out"
  std::string payer;      // IDPEL for modem traffic, MSISDN for customer traffic
  int64_t messages = 0;
};

// A purchase P2APST sold: the ledger's newest version of it, and when it was sold.
struct SaleRow {
  std::string txn_id;
  std::string meter_no;
  int64_t amount_rupiah = 0;
  std::string reference;  // P2APST's (pln_ref)
  std::string state;      // the purchase's state now: completed, needs_manual, sent...
  int64_t sold_ms = 0;    // the first token_issued version's recorded_ms
};

class ReportReads {
 public:
  static Result<std::unique_ptr<ReportReads>> open(const LedgerOptions& options);
  ~ReportReads();

  // Rows created before `before_ms` (created_ms < before_ms), by primary key.
  Status customers(int64_t before_ms, const std::function<Status(const Customer&)>& row);
  Status meters(int64_t before_ms, const std::function<Status(const Meter&)>& row);
  // key_id is left empty: which HSM key a modem uses is no report's business.
  Status modems(int64_t before_ms, const std::function<Status(const Modem&)>& row);
  Status subscriptions(int64_t before_ms, const std::function<Status(const SubscriptionRow&)>& row);
  // One row per meter created before `before_ms`, by meter, from the events and modem SMS
  // before `before_ms`.
  Status meter_status(int64_t before_ms, const std::function<Status(const MeterStatusRow&)>& row);
  // Messages with from_ms <= created_ms < to_ms, grouped as SmsCountRow says, ordered by
  // (modem, payer, direction): customer traffic first, each payer's rows together.
  Status sms_counts(int64_t from_ms, int64_t to_ms, const std::function<Status(const SmsCountRow&)>& row);
  // Purchases sold (a token_issued version with a reference) at from_ms <= sold_ms < to_ms,
  // by reference.
  Status sales(int64_t from_ms, int64_t to_ms, const std::function<Status(const SaleRow&)>& row);

 private:
  struct Impl;
  explicit ReportReads(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pintar::store

#endif  // PINTAR_STORE_REPORT_READS_H_
