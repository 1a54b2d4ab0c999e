// The report reads' SQL lives here rather than in statements.cpp: those are the engine's
// and the helpdesk's prepared-per-connection statements; these run once per report on a
// connection of their own, and each is shaped for one index scan (see the comments).
#include "store/report_reads.h"

#include <array>

#include <fmt/format.h>

#include "sqlite/connection.h"
#include "store/schema.h"

namespace pintar::store {
namespace {

// transaction_latest (revision 6) is the oldest table these reads need.
constexpr int kOldestRevision = 6;

enum Query : size_t { kCustomers, kMeters, kModems, kSubscriptions, kMeterStatus, kSmsCounts, kSales, kQueryCount };

constexpr std::array<const char*, kQueryCount> kSql = {
    "SELECT idpel, name, tariff, power_va, region FROM customers WHERE created_ms < ? ORDER BY idpel",
    "SELECT meter_no, idpel, sgc, ti, krn, kt, ea, dkga, base_date, kdpm, modem_msisdn FROM meters "
    "WHERE created_ms < ? ORDER BY meter_no",
    "SELECT msisdn FROM modems WHERE created_ms < ? ORDER BY msisdn",
    // pin_hash and failed_pin_attempts are not selected: they never reach a report.
    "SELECT msisdn, meter_no, language, locked_until_ms, created_ms FROM subscriptions WHERE created_ms < ? "
    "ORDER BY msisdn, meter_no",
    // Each subquery is one probe of meter_events_by_meter (meter_no, at_ms) or
    // messages_by_msisdn (msisdn, created_ms), walking back from ?1.
    "SELECT m.meter_no,"
    " (SELECT max(e.at_ms) FROM meter_events e WHERE e.meter_no = m.meter_no AND e.at_ms < ?1),"
    " (SELECT max(g.created_ms) FROM messages g WHERE g.msisdn = m.modem_msisdn AND g.direction = 'in'"
    "   AND g.created_ms < ?1),"
    " (SELECT e.credit_deci_kwh FROM meter_events e WHERE e.meter_no = m.meter_no AND e.at_ms < ?1"
    "   AND e.credit_deci_kwh IS NOT NULL ORDER BY e.at_ms DESC, e.seq DESC LIMIT 1),"
    " (SELECT e.at_ms FROM meter_events e WHERE e.meter_no = m.meter_no AND e.at_ms < ?1"
    "   AND e.credit_deci_kwh IS NOT NULL ORDER BY e.at_ms DESC, e.seq DESC LIMIT 1)"
    " FROM meters m WHERE m.created_ms < ?1 ORDER BY m.meter_no",
    // One range of messages_by_created; each message probes modems, meters (modem_msisdn is
    // UNIQUE, so indexed) and transaction_latest by their keys.
    "SELECT mo.msisdn IS NOT NULL AS modem, g.direction,"
    " CASE WHEN mo.msisdn IS NOT NULL THEN coalesce(me.idpel, '') ELSE coalesce(t.msisdn, g.msisdn) END AS payer,"
    " count(*)"
    " FROM messages g"
    " LEFT JOIN modems mo ON mo.msisdn = g.msisdn"
    " LEFT JOIN meters me ON me.modem_msisdn = g.msisdn"
    " LEFT JOIN transaction_latest t ON t.txn_id = g.txn_id"
    " WHERE g.created_ms >= ? AND g.created_ms < ?"
    " GROUP BY 1, 2, 3 ORDER BY 1, 3, 2",
    // Purchases P2APST answered with a reference, by when it sold them: the first
    // token_issued version (a purchase is sold once), else, for one a person settled, its
    // request. One range of transaction_latest_by_created from an hour before ?1 (a purchase
    // is sold within minutes of its request: the YA window and the P2APST timeouts), then
    // probes of transactions by seq and by (txn_id, version) per purchase.
    "SELECT * FROM (SELECT l.txn_id, t.meter_no, t.amount_rupiah, t.reference, t.state,"
    "   coalesce((SELECT min(v.recorded_ms) FROM transactions v WHERE v.txn_id = l.txn_id"
    "     AND v.state = 'token_issued'), t.created_ms) AS sold_ms"
    "   FROM transaction_latest l JOIN transactions t ON t.seq = l.seq"
    "   WHERE l.created_ms >= ?1 - 3600000 AND l.created_ms < ?2 AND t.reference IS NOT NULL)"
    " WHERE sold_ms >= ?1 AND sold_ms < ?2 ORDER BY reference",
};

std::optional<int64_t> optional_integer(const sqlite::Statement& row, int column) {
  if (row.is_null(column)) return std::nullopt;
  return row.integer(column);
}

}  // namespace

struct ReportReads::Impl {
  sqlite::Connection db;
  std::array<sqlite::Statement, kQueryCount> sql;
  bool in_snapshot = false;

  ~Impl() {
    for (sqlite::Statement& s : sql) s.reset();
    if (in_snapshot) (void)db.exec("COMMIT");
  }

  // Binds, steps every row through `read`, resets.
  template <typename Read, typename... Args>
  Status walk(Query q, Read&& read, const Args&... args) {
    sqlite::Cursor cursor(sql[q]);
    cursor.bind(args...);
    for (;;) {
      auto more = cursor.next();
      if (!more.ok()) return more.status();
      if (!*more) return Status();
      PINTAR_RETURN_IF_ERROR(read(cursor.statement()));
    }
  }
};

ReportReads::ReportReads(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReportReads::~ReportReads() = default;

Result<std::unique_ptr<ReportReads>> ReportReads::open(const LedgerOptions& options) {
  auto db = sqlite::Connection::open(options.path, {.synchronous = options.synchronous,
                                                     .busy_timeout_ms = options.busy_timeout_ms,
                                                     .read_only = true,
                                                     .create = false});
  if (!db.ok()) return db.status();  // names the file already
  auto revision = schema_revision(*db);
  if (!revision.ok()) return revision.status().with_context(options.path);
  // A newer revision is read as it is: migrations only add (store/schema.h), these reads name
  // their columns, and a column that went away fails the prepare below with its name.
  if (*revision < kOldestRevision) {
    return Status::failed_precondition(fmt::format(
        "{}: schema revision {}; the reports need {} or later (`pintar ledger migrate` upgrades the file)",
        options.path, *revision, kOldestRevision));
  }
  auto impl = std::make_unique<Impl>();
  for (size_t i = 0; i < kQueryCount; ++i) {
    auto statement = db->prepare(kSql[i]);
    if (!statement.ok()) return statement.status().with_context(options.path);
    impl->sql[i] = std::move(*statement);
  }
  impl->db = std::move(*db);
  PINTAR_RETURN_IF_ERROR(impl->db.exec("BEGIN"));
  impl->in_snapshot = true;
  return std::unique_ptr<ReportReads>(new ReportReads(std::move(impl)));
}

Status ReportReads::customers(int64_t before_ms, const std::function<Status(const Customer&)>& row) {
  return impl_->walk(
      kCustomers,
      [&](const sqlite::Statement& s) {
        return row(Customer{.idpel = s.text(0), .name = s.text(1), .tariff = s.text(2), .power_va = s.integer(3),
                            .region = s.text(4)});
      },
      before_ms);
}

Status ReportReads::meters(int64_t before_ms, const std::function<Status(const Meter&)>& row) {
  return impl_->walk(
      kMeters,
      [&](const sqlite::Statement& s) {
        return row(Meter{.meter_no = s.text(0), .idpel = s.text(1), .sgc = s.text(2), .ti = s.integer(3),
                         .krn = s.integer(4), .kt = s.integer(5), .ea = s.integer(6), .dkga = s.integer(7),
                         .base_date = s.integer(8), .kdpm = s.text(9), .modem_msisdn = s.text(10)});
      },
      before_ms);
}

Status ReportReads::modems(int64_t before_ms, const std::function<Status(const Modem&)>& row) {
  return impl_->walk(
      kModems, [&](const sqlite::Statement& s) { return row(Modem{.msisdn = s.text(0), .key_id = {}}); },
      before_ms);
}

Status ReportReads::subscriptions(int64_t before_ms, const std::function<Status(const SubscriptionRow&)>& row) {
  return impl_->walk(
      kSubscriptions,
      [&](const sqlite::Statement& s) {
        return row(SubscriptionRow{.msisdn = s.text(0), .meter_no = s.text(1), .language = s.text(2),
                                   .locked_until_ms = s.integer(3), .created_ms = s.integer(4)});
      },
      before_ms);
}

Status ReportReads::meter_status(int64_t before_ms, const std::function<Status(const MeterStatusRow&)>& row) {
  return impl_->walk(
      kMeterStatus,
      [&](const sqlite::Statement& s) {
        return row(MeterStatusRow{.meter_no = s.text(0),
                                  .last_event_ms = optional_integer(s, 1),
                                  .last_mo_ms = optional_integer(s, 2),
                                  .last_credit_deci_kwh = optional_integer(s, 3),
                                  .last_credit_ms = optional_integer(s, 4)});
      },
      before_ms);
}

Status ReportReads::sms_counts(int64_t from_ms, int64_t to_ms, const std::function<Status(const SmsCountRow&)>& row) {
  return impl_->walk(
      kSmsCounts,
      [&](const sqlite::Statement& s) {
        return row(SmsCountRow{.modem = s.integer(0) != 0, .direction = s.text(1), .payer = s.text(2),
                               .messages = s.integer(3)});
      },
      from_ms, to_ms);
}

Status ReportReads::sales(int64_t from_ms, int64_t to_ms, const std::function<Status(const SaleRow&)>& row) {
  return impl_->walk(
      kSales,
      [&](const sqlite::Statement& s) {
        return row(SaleRow{.txn_id = s.text(0), .meter_no = s.text(1), .amount_rupiah = s.integer(2),
                           .reference = s.text(3), .state = s.text(4), .sold_ms = s.integer(5)});
      },
      from_ms, to_ms);
}

}  // namespace pintar::store
