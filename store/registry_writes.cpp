#include "store/registry_writes.h"

#include <fmt/format.h>

#include "store/rows.h"

namespace pintar::store {
namespace {

// The registry's own statements: run a few times a day by an admin, so they are prepared
// per change rather than kept in the hot table of statements.cpp.
constexpr std::string_view kCustomerUpdate = "UPDATE customers SET tariff = ?, power_va = ? WHERE idpel = ?";
constexpr std::string_view kModemKeyUpdate = "UPDATE modems SET key_id = ? WHERE msisdn = ?";
constexpr std::string_view kMeterModemUpdate = "UPDATE meters SET modem_msisdn = ? WHERE meter_no = ?";
constexpr std::string_view kMeterOfModem = "SELECT meter_no FROM meters WHERE modem_msisdn = ?";
constexpr std::string_view kSubscriptionDelete = "DELETE FROM subscriptions WHERE msisdn = ? AND meter_no = ?";

// One row of `sql` bound to `key`, read by `read`; nullopt when there is none.
template <typename Read>
auto find_one(sqlite::Statement& sql, const std::string& key, Read read)
    -> Result<std::optional<decltype(read(sql))>> {
  sqlite::Cursor row(sql.bind(key));
  auto found = row.next();
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<decltype(read(sql))>();
  return std::optional(read(row.statement()));
}

// Prepares `text`, runs it with `args`; the rows it changed.
template <typename... Args>
Result<int64_t> run(sqlite::Connection& db, std::string_view text, const Args&... args) {
  auto statement = db.prepare(text);
  if (!statement.ok()) return statement.status();
  PINTAR_RETURN_IF_ERROR(statement->bind(args...).run());
  return db.changes();
}

Result<std::optional<std::string>> meter_of_modem(sqlite::Connection& db, const std::string& msisdn) {
  auto statement = db.prepare(kMeterOfModem);
  if (!statement.ok()) return statement.status();
  return find_one(*statement, msisdn, [](const sqlite::Statement& r) { return r.text(0); });
}

// Each change: applies it, returns what it replaced (empty for additions).
class Apply {
 public:
  Apply(sqlite::Connection& db, Statements& sql, int64_t now_ms) : db_(db), sql_(sql), now_ms_(now_ms) {}

  Result<std::string> operator()(const NewConnection& c) {
    const SubscriberRecord& r = c.record;
    if (r.meter.modem_msisdn != r.modem.msisdn || r.meter.idpel != r.customer.idpel ||
        r.subscription.meter_no != r.meter.meter_no) {
      return Status::invalid_argument("a new connection's meter must name its customer and modem");
    }
    auto meter = find_one(sql_[Sql::kMeterGet], r.meter.meter_no, read_meter);
    if (!meter.ok()) return meter.status();
    if (*meter) return Status::already_exists(fmt::format("meter {} is registered already", r.meter.meter_no));
    auto fitted = meter_of_modem(db_, r.modem.msisdn);
    if (!fitted.ok()) return fitted.status();
    if (*fitted) {
      return Status::already_exists(fmt::format("modem {} is fitted to meter {}", r.modem.msisdn, **fitted));
    }
    auto customer = find_one(sql_[Sql::kCustomerGet], r.customer.idpel, read_customer);
    if (!customer.ok()) return customer.status();
    if (*customer && **customer != r.customer) {
      return Status::already_exists(fmt::format("customer {} exists with other details", r.customer.idpel));
    }
    if (!*customer) {
      const Customer& u = r.customer;
      PINTAR_RETURN_IF_ERROR(sql_[Sql::kCustomerInsert].bind(u.idpel, u.name, u.tariff, u.power_va, u.region, now_ms_).run());
    }
    auto modem = find_one(sql_[Sql::kModemGet], r.modem.msisdn, read_modem);
    if (!modem.ok()) return modem.status();
    if (*modem && **modem != r.modem) {
      // An unfitted modem (swapped out earlier) refitted with another key.
      auto changed = run(db_, kModemKeyUpdate, r.modem.key_id, r.modem.msisdn);
      if (!changed.ok()) return changed.status();
    } else if (!*modem) {
      PINTAR_RETURN_IF_ERROR(sql_[Sql::kModemInsert].bind(r.modem.msisdn, r.modem.key_id, now_ms_).run());
    }
    const Meter& t = r.meter;
    PINTAR_RETURN_IF_ERROR(sql_[Sql::kMeterInsert]
                               .bind(t.meter_no, t.idpel, t.sgc, t.ti, t.krn, t.kt, t.ea, t.dkga, t.base_date, t.kdpm,
                                     t.modem_msisdn, now_ms_)
                               .run());
    return add_phone(r.subscription);
  }

  // A new connection and its meter_migrations row; what it replaced is the one-way meter.
  Result<std::string> operator()(const TwoWayMigration& c) {
    const std::string& old = c.one_way_meter_no;
    if (old.size() != 11 || old.find_first_not_of("0123456789") != std::string::npos) {
      return Status::invalid_argument("a one-way meter number is 11 digits");
    }
    if (old == c.record.meter.meter_no) {
      return Status::invalid_argument(fmt::format("meter {} cannot replace itself", old));
    }
    auto registered = find_one(sql_[Sql::kMeterGet], old, read_meter);
    if (!registered.ok()) return registered.status();
    if (*registered) return Status::failed_precondition(fmt::format("meter {} is registered here: two-way already", old));
    auto migrated = find_one(sql_[Sql::kMeterNoByOneWayMeter], old, [](const sqlite::Statement& r) { return r.text(0); });
    if (!migrated.ok()) return migrated.status();
    if (*migrated) {
      return Status::already_exists(fmt::format("one-way meter {} was migrated to meter {} already", old, **migrated));
    }
    auto connected = (*this)(NewConnection{c.record});
    if (!connected.ok()) return connected.status();
    PINTAR_RETURN_IF_ERROR(sql_[Sql::kMigrationInsert].bind(c.record.meter.meter_no, old, now_ms_).run());
    return fmt::format("one-way meter {}", old);
  }

  Result<std::string> operator()(const PowerChange& c) {
    auto customer = find_one(sql_[Sql::kCustomerGet], c.idpel, read_customer);
    if (!customer.ok()) return customer.status();
    if (!*customer) return Status::not_found(fmt::format("no customer {}", c.idpel));
    if ((*customer)->tariff == c.tariff && (*customer)->power_va == c.power_va) {
      return Status::failed_precondition(fmt::format("customer {} has tariff {}, {} VA already", c.idpel, c.tariff,
                                                     c.power_va));
    }
    auto changed = run(db_, kCustomerUpdate, c.tariff, c.power_va, c.idpel);
    if (!changed.ok()) return changed.status();
    return fmt::format("tariff {}, {} VA", (*customer)->tariff, (*customer)->power_va);
  }

  Result<std::string> operator()(const ModemSwap& c) {
    auto meter = find_one(sql_[Sql::kMeterGet], c.meter_no, read_meter);
    if (!meter.ok()) return meter.status();
    if (!*meter) return Status::not_found(fmt::format("no meter {}", c.meter_no));
    auto old = find_one(sql_[Sql::kModemGet], (*meter)->modem_msisdn, read_modem);
    if (!old.ok()) return old.status();
    const Modem before = old->value_or(Modem{.msisdn = (*meter)->modem_msisdn, .key_id = "?"});
    if (before == c.modem) return Status::failed_precondition(fmt::format("meter {} has that modem already", c.meter_no));
    auto fitted = meter_of_modem(db_, c.modem.msisdn);
    if (!fitted.ok()) return fitted.status();
    if (*fitted && **fitted != c.meter_no) {
      return Status::already_exists(fmt::format("modem {} is fitted to meter {}", c.modem.msisdn, **fitted));
    }
    auto modem = find_one(sql_[Sql::kModemGet], c.modem.msisdn, read_modem);
    if (!modem.ok()) return modem.status();
    if (!*modem) {
      PINTAR_RETURN_IF_ERROR(sql_[Sql::kModemInsert].bind(c.modem.msisdn, c.modem.key_id, now_ms_).run());
    } else if ((*modem)->key_id != c.modem.key_id) {
      auto changed = run(db_, kModemKeyUpdate, c.modem.key_id, c.modem.msisdn);
      if (!changed.ok()) return changed.status();
    }
    if (c.modem.msisdn != before.msisdn) {
      auto changed = run(db_, kMeterModemUpdate, c.modem.msisdn, c.meter_no);
      if (!changed.ok()) return changed.status();
    }
    return fmt::format("modem {} key {}", before.msisdn, before.key_id);
  }

  Result<std::string> operator()(const AddPhone& c) {
    auto meter = find_one(sql_[Sql::kMeterGet], c.subscription.meter_no, read_meter);
    if (!meter.ok()) return meter.status();
    if (!*meter) return Status::not_found(fmt::format("no meter {}", c.subscription.meter_no));
    return add_phone(c.subscription);
  }

  Result<std::string> operator()(const RemovePhone& c) {
    auto removed = run(db_, kSubscriptionDelete, c.msisdn, c.meter_no);
    if (!removed.ok()) return removed.status();
    if (*removed == 0) return Status::not_found(fmt::format("that phone is not subscribed to meter {}", c.meter_no));
    return std::string();
  }

 private:
  Result<std::string> add_phone(const Subscription& s) {
    PINTAR_RETURN_IF_ERROR(
        sql_[Sql::kSubscriptionInsert].bind(s.msisdn, s.meter_no, s.language, std::span<const uint8_t>(s.pin_hash), now_ms_)
            .run());
    // ON CONFLICT DO NOTHING: no row added means the phone had one.
    if (db_.changes() == 0) return Status::already_exists(fmt::format("that phone is subscribed to meter {} already", s.meter_no));
    return std::string();
  }

  sqlite::Connection& db_;
  Statements& sql_;
  const int64_t now_ms_;
};

}  // namespace

Writer::Job make_registry_job(RegistryChange change, AuditEntry audit, WriteSet also) {
  return [change = std::move(change), audit = std::move(audit), also = std::move(also)](
             sqlite::Connection& db, Statements& sql) -> Result<WriteSet> {
    auto before = std::visit(Apply(db, sql, audit.at_ms), change);
    if (!before.ok()) return before.status();
    WriteSet out = also;
    AuditEntry entry = audit;
    if (!before->empty()) entry.detail += "; before: " + *before;
    out.append_audit(std::move(entry));
    return out;
  };
}

}  // namespace pintar::store
