#include "store/sqlite_ledger.h"

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include <fmt/format.h>

#include "store/chain.h"
#include "store/chain_head.h"
#include "store/import.h"
#include "store/ledger_reads.h"
#include "store/registry_writes.h"
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

  Status change_registry(RegistryChange change, AuditEntry audit, WriteSet also) override {
    return writer_->run_in_transaction(make_registry_job(std::move(change), std::move(audit), std::move(also)));
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
        auto view = reads::subscriber_view(r.sql, meter_no);
        if (!view.ok()) return view.status();
        views.push_back(std::move(view).value());
      }
      return views;
    });
  }

  Result<std::optional<Subscription>> find_subscription(std::string_view msisdn, std::string_view meter_no) override {
    return with_reader([&](Reader& r) { return reads::find_subscription(r.sql, msisdn, meter_no); });
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
      return std::optional<MessageRecord>(read_message(row.statement()));
    });
  }

  Result<std::optional<std::string>> find_migrated_meter(std::string_view one_way_meter_no) override {
    return with_reader([&](Reader& r) { return reads::find_migrated_meter(r.sql, one_way_meter_no); });
  }
  Result<std::optional<SubscriberView>> find_subscriber_by_modem(std::string_view modem_msisdn) override {
    return with_reader([&](Reader& r) { return reads::find_subscriber_by_modem(r.sql, modem_msisdn); });
  }
  Result<std::vector<Subscription>> subscriptions_of(std::string_view msisdn) override {
    return with_reader([&](Reader& r) { return reads::subscriptions_of(r.sql, msisdn); });
  }
  Result<std::vector<TransactionRecord>> find_transactions(const TransactionQuery& query) override {
    return with_reader([&](Reader& r) { return reads::find_transactions(r.sql, query); });
  }
  Result<std::optional<VendDetail>> find_vend_detail(std::string_view txn_id) override {
    return with_reader([&](Reader& r) { return reads::find_vend_detail(r.sql, txn_id); });
  }
  Result<std::optional<int64_t>> last_tid(std::string_view meter_no) override {
    return with_reader([&](Reader& r) { return reads::last_tid(r.sql, meter_no); });
  }
  Result<std::optional<ModemCommand>> find_modem_command(std::string_view meter_no, int64_t seq) override {
    return with_reader([&](Reader& r) { return reads::find_modem_command(r.sql, meter_no, seq); });
  }
  Result<std::optional<ModemCommand>> find_modem_command_for(std::string_view txn_id) override {
    return with_reader([&](Reader& r) { return reads::find_modem_command_for(r.sql, txn_id); });
  }
  Result<int64_t> max_modem_seq(std::string_view meter_no) override {
    return with_reader([&](Reader& r) { return reads::max_modem_seq(r.sql, meter_no); });
  }
  Result<std::vector<ModemCommand>> modem_commands_in_state(std::string_view state) override {
    return with_reader([&](Reader& r) { return reads::modem_commands_in_state(r.sql, state); });
  }
  Result<std::vector<MessageRecord>> find_messages(std::string_view direction, std::string_view delivery_state,
                                                   size_t limit) override {
    return with_reader([&](Reader& r) { return reads::find_messages(r.sql, direction, delivery_state, limit); });
  }
  Result<std::vector<TransactionRecord>> transaction_versions(std::string_view txn_id) override {
    return with_reader([&](Reader& r) { return reads::transaction_versions(r.sql, txn_id); });
  }
  Result<std::vector<MessageRecord>> messages_of(std::string_view txn_id) override {
    return with_reader([&](Reader& r) { return reads::messages_of(r.sql, txn_id); });
  }
  Result<std::vector<MeterEvent>> recent_meter_events(std::string_view meter_no, size_t limit) override {
    return with_reader([&](Reader& r) { return reads::recent_meter_events(r.sql, meter_no, limit); });
  }
  Result<std::vector<AuditEntry>> audit_of(std::string_view subject) override {
    return with_reader([&](Reader& r) { return reads::audit_of(r.sql, subject); });
  }

  Status update_counter_window(
      std::string_view key_id, std::string_view direction,
      const std::function<std::optional<CounterWindow>(const CounterWindow&)>& decide) override {
    if (direction != "in" && direction != "out") {
      return Status::invalid_argument(fmt::format("counter window direction '{}' is neither in nor out", direction));
    }
    // A job on the writer's thread: inside its BEGIN IMMEDIATE, so the read, decide() and the
    // write hold the file's write lock together (other processes wait on busy_timeout).
    return writer_->run_in_transaction([&](sqlite::Connection&, Statements& sql) -> Result<WriteSet> {
      auto window = reads::counter_window(sql, key_id, direction);
      if (!window.ok()) return window.status();
      const std::optional<CounterWindow> next = decide(*window);
      if (next) {
        PINTAR_RETURN_IF_ERROR(sql[Sql::kCounterWindowPut]
                                   .bind(key_id, direction, static_cast<int64_t>(next->highest),
                                         static_cast<int64_t>(next->seen))
                                   .run()
                                   .with_context(fmt::format("counter window of {} {}", key_id, direction)));
      }
      return WriteSet();
    });
  }

  const Counters<LedgerCounter>& counters() const override { return writer_->counters(); }

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
