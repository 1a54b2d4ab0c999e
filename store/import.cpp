#include "store/import.h"

#include <fmt/format.h>

#include "store/rows.h"

namespace pintar::store {
namespace {

// A constraint the ledger refused is a fault of the line; anything else is the ledger's.
bool is_data_error(const Status& status) {
  return status.code() == StatusCode::kAlreadyExists || status.code() == StatusCode::kInvalidArgument;
}

// Inserts one record's parts. Returns false with `reason` set when the line is refused;
// a non-ok Status only for failures of the ledger itself.
class RecordInserter {
 public:
  RecordInserter(sqlite::Connection& db, Statements& sql, int64_t now_ms, ImportReport& report)
      : db_(db), sql_(sql), now_ms_(now_ms), report_(report) {}

  Result<bool> insert(const SubscriberRecord& r, std::string& reason) {
    const Customer& c = r.customer;
    auto added = insert_or_match(sql_[Sql::kCustomerInsert].bind(c.idpel, c.name, c.tariff, c.power_va, c.region, now_ms_),
                                 Sql::kCustomerGet, c.idpel, c, read_customer, report_.customers_added);
    if (!added.ok()) return added.status();
    if (!*added) return refuse(reason, fmt::format("customer {} differs from the one already defined", c.idpel));

    const Modem& m = r.modem;
    added = insert_or_match(sql_[Sql::kModemInsert].bind(m.msisdn, m.key_id, now_ms_), Sql::kModemGet, m.msisdn, m,
                            read_modem, report_.modems_added);
    if (!added.ok()) return added.status();
    if (!*added) return refuse(reason, fmt::format("modem {} differs from the one already defined", m.msisdn));

    const Meter& t = r.meter;
    added = insert_or_match(sql_[Sql::kMeterInsert].bind(t.meter_no, t.idpel, t.sgc, t.ti, t.krn, t.kt, t.ea, t.dkga,
                                                         t.base_date, t.kdpm, t.modem_msisdn, now_ms_),
                            Sql::kMeterGet, t.meter_no, t, read_meter, report_.meters_added);
    if (!added.ok()) {
      if (added.status().code() == StatusCode::kAlreadyExists) {
        return refuse(reason, fmt::format("modem {} is already fitted to another meter", t.modem_msisdn));
      }
      return added.status();
    }
    if (!*added) return refuse(reason, fmt::format("meter {} differs from the one already defined", t.meter_no));

    const Subscription& s = r.subscription;
    sqlite::Statement& insert = sql_[Sql::kSubscriptionInsert].bind(
        s.msisdn, s.meter_no, s.language, std::span<const uint8_t>(s.pin_hash), now_ms_);
    PINTAR_RETURN_IF_ERROR(insert.run());
    if (changes() > 0) {
      ++report_.subscriptions_added;
      return true;
    }
    sqlite::Cursor row(sql_[Sql::kSubscriptionGet].bind(s.msisdn, s.meter_no));
    auto found = row.next();
    if (!found.ok()) return found.status();
    const std::vector<uint8_t> stored_pin = row->blob(3);
    const bool same = *found && row->text(2) == s.language &&
                      crypto::constant_time_equal(stored_pin, std::span<const uint8_t>(s.pin_hash));
    if (!same) {
      return refuse(reason, fmt::format("{} is already subscribed to meter {} with another PIN or language", s.msisdn,
                                        s.meter_no));
    }
    return true;
  }

 private:
  // INSERT ... ON CONFLICT DO NOTHING, then: added (count it), or the stored row equals
  // `wanted` (true), or it differs (false).
  template <typename Record, typename Read>
  Result<bool> insert_or_match(sqlite::Statement& insert, Sql get, const std::string& key, const Record& wanted,
                               Read read, uint64_t& added_count) {
    Status status = insert.run();
    if (!status.ok()) return status;
    if (changes() > 0) {
      ++added_count;
      return true;
    }
    sqlite::Cursor row(sql_[get].bind(key));
    auto found = row.next();
    if (!found.ok()) return found.status();
    return *found && read(row.statement()) == wanted;
  }

  int64_t changes() const { return db_.changes(); }

  static bool refuse(std::string& reason, std::string why) {
    reason = std::move(why);
    return false;
  }

  sqlite::Connection& db_;
  Statements& sql_;
  const int64_t now_ms_;
  ImportReport& report_;
};

// A large import touches the B-tree pages of four tables in scattered key order inside one
// transaction; with SQLite's default 2 MB page cache the dirty pages spill to the WAL and are
// read back again and again (most of a million-line import went to that I/O). The writer's
// connection gets a larger cache for the import only, and its own setting back afterwards.
class ImportCache {
 public:
  explicit ImportCache(sqlite::Connection& db) : db_(db) {
    if (auto query = db_.prepare("PRAGMA cache_size"); query.ok()) {
      sqlite::Cursor row(*query);
      if (auto found = row.next(); found.ok() && *found) previous_ = row->integer(0);
    }
    (void)db_.exec("PRAGMA cache_size = -262144");  // 256 MiB
  }
  ~ImportCache() { (void)db_.exec(fmt::format("PRAGMA cache_size = {}", previous_)); }  // a number, not input
  ImportCache(const ImportCache&) = delete;
  ImportCache& operator=(const ImportCache&) = delete;

 private:
  sqlite::Connection& db_;
  int64_t previous_ = -2000;  // SQLite's default, should the query fail
};

}  // namespace

Writer::Job make_import_job(ImportSource& source, AuditEntry audit, ImportReport& report) {
  return [&source, audit = std::move(audit), &report](sqlite::Connection& db, Statements& sql) mutable -> Result<WriteSet> {
    const ImportCache cache(db);
    RecordInserter inserter(db, sql, audit.at_ms, report);
    ImportLine line;
    std::string reason;
    while (source.next(line)) {
      if (!line.record) {
        report.errors.push_back({line.line, std::move(line.error)});
        continue;
      }
      ++report.records;
      auto inserted = inserter.insert(*line.record, reason);
      if (!inserted.ok()) {
        if (!is_data_error(inserted.status())) return inserted.status();
        report.errors.push_back({line.line, inserted.status().message()});
      } else if (!*inserted) {
        report.errors.push_back({line.line, std::move(reason)});
      }
    }
    if (!report.errors.empty()) {
      return Status::invalid_argument(fmt::format("{} bad lines; nothing imported", report.errors.size()));
    }
    audit.detail += fmt::format("{}records={} customers={} meters={} modems={} subscriptions={}",
                                audit.detail.empty() ? "" : " ", report.records, report.customers_added,
                                report.meters_added, report.modems_added, report.subscriptions_added);
    WriteSet writes;
    writes.append_audit(std::move(audit));
    return writes;
  };
}

}  // namespace pintar::store
