#include "store/sqlite_ledger.h"

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include <fmt/format.h>

#include "store/chain.h"
#include "store/chain_head.h"
#include "store/import.h"
#include "store/rows.h"
#include "store/schema.h"
#include "store/statements.h"
#include "store/verify.h"
#include "store/writer.h"

namespace pintar::store {
namespace {

// A read connection with its statements, borrowed from the pool for one call.
struct Reader {
  sqlite::Connection db;
  Statements sql;
};

class SqliteLedger final : public Ledger {
 public:
  SqliteLedger(std::string path, std::unique_ptr<Writer> writer, std::vector<std::unique_ptr<Reader>> readers,
               std::shared_ptr<const ChainKey> key)
      : path_(std::move(path)), key_(std::move(key)), writer_(std::move(writer)), idle_(std::move(readers)) {}

  std::future<Status> submit(WriteSet writes) override { return writer_->submit(std::move(writes)); }

  Result<ImportReport> import_subscribers(ImportSource& source, AuditEntry audit) override {
    ImportReport report;
    Status status = writer_->run_in_transaction(make_import_job(source, std::move(audit), report));
    // An import with bad lines rolled back on purpose: the report says why.
    if (!status.ok() && !(status.code() == StatusCode::kInvalidArgument && !report.errors.empty())) return status;
    return report;
  }

  Result<std::vector<SubscriberView>> find_subscribers(std::string_view key) override {
    return with_reader([&](Reader& r) -> Result<std::vector<SubscriberView>> {
      std::vector<std::string> meters;
      for (Sql lookup : {Sql::kMeterNoByMeterNo, Sql::kMeterNosByIdpel, Sql::kMeterNosByMsisdn}) {
        sqlite::Cursor row(r.sql[lookup].bind(key));
        for (;;) {
          auto more = row.next();
          if (!more.ok()) return more.status();
          if (!*more) break;
          meters.push_back(row->text(0));
        }
      }
      std::ranges::sort(meters);
      meters.erase(std::unique(meters.begin(), meters.end()), meters.end());
      std::vector<SubscriberView> views;
      for (const std::string& meter_no : meters) {
        auto view = read_view(r, meter_no);
        if (!view.ok()) return view.status();
        views.push_back(std::move(view).value());
      }
      return views;
    });
  }

  Result<std::optional<Subscription>> find_subscription(std::string_view msisdn, std::string_view meter_no) override {
    return with_reader([&](Reader& r) -> Result<std::optional<Subscription>> {
      sqlite::Cursor row(r.sql[Sql::kSubscriptionGet].bind(msisdn, meter_no));
      auto found = row.next();
      if (!found.ok()) return found.status();
      if (!*found) return std::optional<Subscription>();
      Subscription s{.msisdn = row->text(0), .meter_no = row->text(1), .language = row->text(2), .pin_hash = {}};
      const std::vector<uint8_t> hash = row->blob(3);
      if (hash.size() != s.pin_hash.size()) return Status::corruption("a stored PIN hash has the wrong length");
      std::ranges::copy(hash, s.pin_hash.begin());
      return std::optional<Subscription>(std::move(s));
    });
  }

  Result<std::optional<TransactionRecord>> find_transaction(std::string_view txn_id) override {
    return with_reader([&](Reader& r) { return latest_version(r, txn_id); });
  }

  Result<std::optional<TransactionRecord>> find_transaction_by_idempotency_key(std::string_view key) override {
    return with_reader([&](Reader& r) -> Result<std::optional<TransactionRecord>> {
      std::string txn_id;
      {
        sqlite::Cursor row(r.sql[Sql::kTransactionIdByIdempotencyKey].bind(key));
        auto found = row.next();
        if (!found.ok()) return found.status();
        if (!*found) return std::optional<TransactionRecord>();
        txn_id = row->text(0);
      }
      return latest_version(r, txn_id);
    });
  }

  Result<std::optional<MessageRecord>> find_message(std::string_view message_id) override {
    return with_reader([&](Reader& r) -> Result<std::optional<MessageRecord>> {
      sqlite::Cursor row(r.sql[Sql::kMessageGet].bind(message_id));
      auto found = row.next();
      if (!found.ok()) return found.status();
      if (!*found) return std::optional<MessageRecord>();
      return std::optional<MessageRecord>(MessageRecord{
          .message_id = row->text(0),
          .direction = row->text(1),
          .msisdn = row->text(2),
          .body = row->text(3),
          .txn_id = row->optional_text(4),
          .smpp_message_id = row->optional_text(5),
          .delivery_state = row->text(6),
          .created_ms = row->integer(7),
          .updated_ms = row->integer(8),
      });
    });
  }

  Result<std::optional<SubscriberView>> find_subscriber_by_modem(std::string_view) override { return todo(); }
  Result<std::vector<Subscription>> subscriptions_of(std::string_view) override { return todo(); }
  Result<std::vector<TransactionRecord>> find_transactions(const TransactionQuery&) override { return todo(); }
  Result<std::optional<VendDetail>> find_vend_detail(std::string_view) override { return todo(); }
  Result<std::optional<int64_t>> last_tid(std::string_view) override { return todo(); }
  Result<std::optional<ModemCommand>> find_modem_command(std::string_view, int64_t) override { return todo(); }
  Result<std::optional<ModemCommand>> find_modem_command_for(std::string_view) override { return todo(); }
  Result<int64_t> max_modem_seq(std::string_view) override { return todo(); }
  Result<std::vector<ModemCommand>> modem_commands_in_state(std::string_view) override { return todo(); }
  Result<std::vector<MessageRecord>> find_messages(std::string_view, std::string_view, size_t) override {
    return todo();
  }
  Result<std::vector<MessageRecord>> messages_of(std::string_view) override { return todo(); }
  Result<std::vector<MeterEvent>> recent_meter_events(std::string_view, size_t) override { return todo(); }
  Status update_counter_window(std::string_view, std::string_view,
                               const std::function<std::optional<CounterWindow>(const CounterWindow&)>&) override {
    return todo();
  }
  static Status todo() { return Status::internal("not implemented yet"); }

  const Counters& counters() const override { return writer_->counters(); }

  Result<ChainReport> verify_chains() override {
    return with_reader([&](Reader& r) { return store::verify_chains(r.db, r.sql, key_.get()); });
  }

 private:
  template <typename Fn>
  auto with_reader(Fn fn) -> decltype(fn(std::declval<Reader&>())) {
    std::unique_ptr<Reader> reader;
    {
      std::unique_lock lock(mutex_);
      returned_.wait(lock, [this] { return !idle_.empty(); });
      reader = std::move(idle_.back());
      idle_.pop_back();
    }
    auto result = fn(*reader);
    {
      std::lock_guard lock(mutex_);
      idle_.push_back(std::move(reader));
    }
    returned_.notify_one();
    return result;
  }

  static Result<std::optional<TransactionRecord>> latest_version(Reader& r, std::string_view txn_id) {
    sqlite::Cursor row(r.sql[Sql::kTransactionLatest].bind(txn_id));
    auto found = row.next();
    if (!found.ok()) return found.status();
    if (!*found) return std::optional<TransactionRecord>();
    return std::optional<TransactionRecord>(read_transaction(row.statement()));
  }

  static Result<SubscriberView> read_view(Reader& r, const std::string& meter_no) {
    SubscriberView view;
    {
      sqlite::Cursor row(r.sql[Sql::kMeterGet].bind(meter_no));
      auto found = row.next();
      if (!found.ok()) return found.status();
      if (!*found) return Status::not_found(fmt::format("meter {}", meter_no));
      view.meter = read_meter(row.statement());
    }
    {
      sqlite::Cursor row(r.sql[Sql::kCustomerGet].bind(view.meter.idpel));
      auto found = row.next();
      if (!found.ok()) return found.status();
      if (*found) view.customer = read_customer(row.statement());
    }
    {
      sqlite::Cursor row(r.sql[Sql::kModemGet].bind(view.meter.modem_msisdn));
      auto found = row.next();
      if (!found.ok()) return found.status();
      if (*found) view.modem = read_modem(row.statement());
    }
    sqlite::Cursor row(r.sql[Sql::kPhonesOfMeter].bind(meter_no));
    for (;;) {
      auto more = row.next();
      if (!more.ok()) return more.status();
      if (!*more) break;
      view.phones.push_back({.msisdn = row->text(0), .language = row->text(1)});
    }
    return view;
  }

  const std::string path_;
  const std::shared_ptr<const ChainKey> key_;
  std::unique_ptr<Writer> writer_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Reader>> idle_;
};

}  // namespace

Status migrate_and_key(sqlite::Connection& db, const LedgerOptions& options) {
  auto before = schema_revision(db);
  if (!before.ok()) return before.status().with_context(options.path);
  PINTAR_RETURN_IF_ERROR(migrate(db, options.path));
  // A file this process creates or brings to keyed chains is keyed at once; keying a file
  // that already had keyed-chain columns is the operator's call (seal_unkeyed_chains).
  const bool seal = *before < kFirstKeyedRevision || options.seal_unkeyed_chains;
  return prepare_chain_key(db, options.chain_key.get(), seal, options.path);
}

Result<std::unique_ptr<Ledger>> open_ledger(const LedgerOptions& options) {
  if (!options.create && !std::filesystem::exists(options.path)) {
    return Status::not_found(fmt::format("{}: no such ledger file", options.path));
  }
  const sqlite::ConnectionOptions connection_options{
      .synchronous = options.synchronous, .busy_timeout_ms = options.busy_timeout_ms, .read_only = false,
      .create = options.create};
  auto write = sqlite::Connection::open(options.path, connection_options);
  if (!write.ok()) return write.status();
  PINTAR_RETURN_IF_ERROR(migrate_and_key(*write, options));
  auto write_sql = Statements::prepare(*write);
  if (!write_sql.ok()) return write_sql.status().with_context(options.path);

  std::vector<std::unique_ptr<Reader>> readers;
  for (int i = 0; i < std::max(1, options.read_connections); ++i) {
    auto read = sqlite::Connection::open(options.path, connection_options);
    if (!read.ok()) return read.status();
    auto read_sql = Statements::prepare(*read);
    if (!read_sql.ok()) return read_sql.status().with_context(options.path);
    readers.push_back(std::make_unique<Reader>(Reader{std::move(read).value(), std::move(read_sql).value()}));
  }
  auto writer = std::make_unique<Writer>(
      std::move(write).value(), std::move(write_sql).value(),
      Writer::Options{.max_batch = std::max<size_t>(1, options.group_commit_max_batch),
                      .max_wait = options.group_commit_max_wait},
      options.chain_key);
  return std::unique_ptr<Ledger>(
      std::make_unique<SqliteLedger>(options.path, std::move(writer), std::move(readers), options.chain_key));
}

}  // namespace pintar::store
