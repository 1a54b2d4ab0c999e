// store::Ledger: the one door to pintar's persistent state.
//
// Callers see records (store/records.h) and this interface, never SQL or SQLite types, so a
// PostgreSQL backend for multi-node deployments can implement the same interface later.
// open_ledger() (store/sqlite_ledger.h) returns the SQLite implementation.
//
// Writes: a WriteSet is a group of writes that succeed or fail together. submit() queues it
// for the single writer, which folds every write set queued at that moment into one database
// transaction (group commit), so concurrent callers share one fsync. Each write set runs in
// its own savepoint: one that fails (a constraint, a duplicate idempotency key) is rolled
// back alone and the rest of the group commits. The future resolves only after the COMMIT
// that made this write set durable returned (with ledger.synchronous = FULL, after the
// fsync), or with the reason it was not stored.
//
// Reads run on their own connections (WAL lets them proceed while the writer commits) and
// see every write set whose future has resolved ok.
//
// Threads: every method may be called from any thread at once. Destroying the Ledger
// finishes every write set already submitted, then closes the files.
#ifndef PINTAR_STORE_LEDGER_H_
#define PINTAR_STORE_LEDGER_H_

#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/counters.h"
#include "common/status.h"
#include "store/records.h"
#include "store/registry_change.h"

namespace pintar::store {

class WriteSet {
 public:
  using Op = std::variant<TransactionRecord, AuditEntry, MessageRecord, MessageDelivery, MeterEvent,
                          SubscriptionUpdate, VendDetail, TidIssue, ModemCommand>;

  // Appends a version of a vending transaction to the hash chain. Version 1 must carry an
  // idempotency key not used before (AlreadyExists otherwise); version N > 1 must follow
  // version N-1 of the same transaction, with the same key and created_ms.
  WriteSet& append_transaction(TransactionRecord record) { return add(std::move(record)); }
  // Appends an entry to the hash-chained audit log.
  WriteSet& append_audit(AuditEntry entry) { return add(std::move(entry)); }
  // Stores a new SMS (AlreadyExists when message_id is taken).
  WriteSet& record_message(MessageRecord message) { return add(std::move(message)); }
  // Moves an outgoing SMS to a new delivery state (NotFound for an unknown message_id), only
  // forward: pending/requested, queued, submitted/failed, then any receipt state. A state
  // that would be a step back (a late repeat of mt_ack or mt_result) is ignored: ok, nothing
  // changed.
  WriteSet& update_delivery(MessageDelivery delivery) { return add(std::move(delivery)); }
  // Stores what a meter reported; an event whose dedup_key is stored already is skipped
  // (the write set still succeeds).
  WriteSet& record_meter_event(MeterEvent event) { return add(std::move(event)); }
  // Changes the set fields of a subscription (NotFound when there is none).
  WriteSet& update_subscription(SubscriptionUpdate update) { return add(std::move(update)); }
  // Stores the P2APST details of a sale (AlreadyExists on a second for the same txn_id).
  WriteSet& record_vend_detail(VendDetail detail) { return add(std::move(detail)); }
  // Records a TID as used: FailedPrecondition unless it is above every TID of the meter.
  WriteSet& issue_tid(TidIssue issue) { return add(std::move(issue)); }
  // Inserts or replaces the command (meter_no, seq).
  WriteSet& record_modem_command(ModemCommand command) { return add(std::move(command)); }

  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }

 private:
  WriteSet& add(Op op) {
    ops_.push_back(std::move(op));
    return *this;
  }
  std::vector<Op> ops_;
};

// The one-way meter a two-way meter replaced (store/registry_change.h, TwoWayMigration).
struct MeterMigration {
  std::string one_way_meter_no;
  int64_t migrated_ms = 0;
  friend bool operator==(const MeterMigration&, const MeterMigration&) = default;
};

// A meter with its customer, modem and the phones subscribed to it (without PIN hashes).
struct SubscriberView {
  struct Phone {
    std::string msisdn;
    std::string language;
  };
  Customer customer;
  Meter meter;
  Modem modem;
  std::vector<Phone> phones;
  std::optional<MeterMigration> migrated_from{};  // set when the meter replaced a one-way meter
};

// One line of an import file as the parser delivered it: a record, or why it is not one.
struct ImportLine {
  uint64_t line = 0;
  std::optional<SubscriberRecord> record;
  std::string error;  // set when record is empty
};

// Where import_subscribers() reads lines from (a CSV file, a test's vector).
class ImportSource {
 public:
  virtual ~ImportSource() = default;
  // Fills `line` with the next line; false at the end.
  virtual bool next(ImportLine& line) = 0;
};

struct ImportError {
  uint64_t line;
  std::string reason;
};

struct ImportReport {
  uint64_t records = 0;  // lines that held a record (valid or not)
  uint64_t customers_added = 0;
  uint64_t meters_added = 0;
  uint64_t modems_added = 0;
  uint64_t subscriptions_added = 0;
  std::vector<ImportError> errors;  // every bad line, in file order; non-empty = nothing kept
};

// What `ledger verify` found, and which guarantee the check gave (store/README.md, "Tamper
// evidence").
struct ChainReport {
  enum class Guarantee {
    kPlain,  // SHA-256 chains only (no chain key given): accidental corruption, not a rewrite
    kKeyed,  // row and head MACs too: a rewrite, insertion or cut by anyone without the key
  };
  int64_t transactions_rows = 0;
  int64_t audit_rows = 0;
  int64_t purchase_versions = 0;  // rows of the purchase journal chain
  int64_t purchases = 0;          // p2apst_purchases rows, each matched to its last version
  Guarantee guarantee = Guarantee::kPlain;
  bool ledger_keyed = false;  // chain_heads says the chains carry MACs
  // The first problem, "row 7 of transactions: hash mismatch"; empty when all chains hold.
  std::optional<std::string> problem;
};

enum LedgerCounter : size_t {
  kWriteSetsCommitted,
  kWriteSetsFailed,
  kCommits,
  kCommitFailures,
  kLedgerCounterCount,
};
constexpr size_t counter_count(LedgerCounter) { return kLedgerCounterCount; }
inline constexpr CounterSpec kLedgerCounters[] = {
    {"ledger.write_sets_committed", "write sets made durable"},
    {"ledger.write_sets_failed", "write sets not stored (refused by a constraint, or their commit failed)"},
    {"ledger.commits", "database transactions committed: one fsync each with synchronous=FULL"},
    {"ledger.commit_failures", "database transactions that could not be committed"},
};
static_assert(valid_counter_names(kLedgerCounters));

class Ledger {
 public:
  virtual ~Ledger() = default;

  virtual std::future<Status> submit(WriteSet writes) = 0;
  // submit() and wait.
  Status write(WriteSet writes) { return submit(std::move(writes)).get(); }

  // Adds every record of `source` in one database transaction, together with `audit`.
  // A record may repeat a customer, meter or modem that the file or the ledger already has,
  // if it is identical; one that contradicts it, and every line the source could not parse,
  // is an error. All or nothing: the report lists every error with its line, and when there
  // is any, nothing was kept. The Status is for failures of the ledger itself.
  virtual Result<ImportReport> import_subscribers(ImportSource& source, AuditEntry audit) = 0;

  // Applies `change` (store/registry_change.h, which lists its errors), appends `audit` with
  // what the change replaced added to its detail ("; before: tariff R1, 900 VA"), and writes
  // `also` (the SMS the change sends), in one database transaction: all or nothing.
  virtual Status change_registry(RegistryChange change, AuditEntry audit, WriteSet also) = 0;

  // Every meter that `key` names as an 11-digit meter number, a 12-digit IDPEL or a
  // subscribed MSISDN (a key can have more than one of those shapes), ordered by meter.
  virtual Result<std::vector<SubscriberView>> find_subscribers(std::string_view key) = 0;
  // The subscription of a phone to a meter, with its PIN hash (for store::PinHasher).
  virtual Result<std::optional<Subscription>> find_subscription(std::string_view msisdn,
                                                                std::string_view meter_no) = 0;
  // The newest version of a transaction, by id or by idempotency key.
  virtual Result<std::optional<TransactionRecord>> find_transaction(std::string_view txn_id) = 0;
  virtual Result<std::optional<TransactionRecord>> find_transaction_by_idempotency_key(std::string_view key) = 0;
  virtual Result<std::optional<MessageRecord>> find_message(std::string_view message_id) = 0;

  // The two-way meter that replaced this one-way meter (a TwoWayMigration), nullopt when
  // none did. find_subscribers() does not follow it: a one-way meter number is not a meter
  // of this system, and must not buy for the meter that replaced it.
  virtual Result<std::optional<std::string>> find_migrated_meter(std::string_view one_way_meter_no) = 0;
  // The meter whose modem has this MSISDN, as find_subscribers() shows it.
  virtual Result<std::optional<SubscriberView>> find_subscriber_by_modem(std::string_view modem_msisdn) = 0;
  // Every subscription of a phone, with PIN hashes and lockout, ordered by meter.
  virtual Result<std::vector<Subscription>> subscriptions_of(std::string_view msisdn) = 0;
  // The newest version of each matching transaction, newest first (created_ms, then txn_id
  // descending), at most query.limit.
  virtual Result<std::vector<TransactionRecord>> find_transactions(const TransactionQuery& query) = 0;
  virtual Result<std::optional<VendDetail>> find_vend_detail(std::string_view txn_id) = 0;
  // The highest TID issued for the meter; nullopt when none.
  virtual Result<std::optional<int64_t>> last_tid(std::string_view meter_no) = 0;
  virtual Result<std::optional<ModemCommand>> find_modem_command(std::string_view meter_no, int64_t seq) = 0;
  // The command serving a transaction with the highest seq.
  virtual Result<std::optional<ModemCommand>> find_modem_command_for(std::string_view txn_id) = 0;
  // The highest seq stored for the meter; 0 when none.
  virtual Result<int64_t> max_modem_seq(std::string_view meter_no) = 0;
  // Every command in `state`, by (meter_no, seq).
  virtual Result<std::vector<ModemCommand>> modem_commands_in_state(std::string_view state) = 0;
  // Messages of a direction ("in"/"out") in a delivery state, oldest first, at most `limit`.
  virtual Result<std::vector<MessageRecord>> find_messages(std::string_view direction,
                                                           std::string_view delivery_state, size_t limit) = 0;
  // Every version of a transaction, oldest first (empty for an unknown id): its timeline.
  virtual Result<std::vector<TransactionRecord>> transaction_versions(std::string_view txn_id) = 0;
  // The messages of a transaction, oldest first.
  virtual Result<std::vector<MessageRecord>> messages_of(std::string_view txn_id) = 0;
  // A meter's events, newest first, at most `limit`.
  virtual Result<std::vector<MeterEvent>> recent_meter_events(std::string_view meter_no, size_t limit) = 0;
  // The audit entries about `subject` (a transaction id, a meter, an MSISDN), oldest first.
  virtual Result<std::vector<AuditEntry>> audit_of(std::string_view subject) = 0;

  // Reads the window of (key_id, direction) — CounterWindow{} when none — calls decide(),
  // and when it returns a window stores it. Read and write are one BEGIN IMMEDIATE
  // transaction (on the writer's thread), atomic against other processes and threads: two
  // callers can never both accept one counter. direction is "in" (modem -> engine, the
  // replay window) or "out" (the engine's own counter: highest used). decide() runs on the
  // writer thread while the write lock is held: keep it short, and never call the Ledger
  // from it. Returns the storage error, if any; OK when decide() returned nullopt.
  virtual Status update_counter_window(
      std::string_view key_id, std::string_view direction,
      const std::function<std::optional<CounterWindow>(const CounterWindow&)>& decide) = 0;

  // kLedgerCounters, for this process. write_sets_committed / commits is the mean group size.
  virtual const Counters<LedgerCounter>& counters() const = 0;

  // Recomputes every chain (transactions, audit, purchase journal) from its first row, with
  // its MACs when the ledger was opened with the chain key, compares each with its chain head,
  // and each p2apst_purchases row with its last chained version.
  virtual Result<ChainReport> verify_chains() = 0;
};

}  // namespace pintar::store

#endif  // PINTAR_STORE_LEDGER_H_
