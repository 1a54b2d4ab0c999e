// GatewayQueue: the SMS gateway's durable queue (its own SQLite file, not the ledger), kept
// through the SQLite layer (sqlite/: connection, migrations, group-commit writer).
//
// Its record types say the layer: Queue* is what the gateway hands the queue, Queued*Row what
// it reads back; the engine's wire forms of the same things are bridge/protocol.h's (MtResult,
// Receipt), the SMSC's smpp/message.h's (MoMessage, DeliveryReceipt).
//
// The code is split by responsibility: queue.cpp (opening, the writer plumbing, blocking
// forms), queue_schema.cpp (migrations and every statement), queue_mo.cpp (MOs: de-duplication,
// long MOs), queue_mt.cpp (MTs, their outcomes, receipts, housekeeping).
//
// It holds every message the gateway has taken responsibility for until the other side
// has taken it over:
//   - MO messages from the SMSC until the vending engine acknowledges them (mo_ack);
//   - MT messages from the engine until the SMSC answered their submit_sm (message ids or a
//     permanent failure), and the outcome until the engine acknowledges it;
//   - delivery receipts until the engine acknowledges them. A receipt whose message id is
//     not known yet (it can overtake the submit_sm_resp of a later part of a long MT) waits
//     unmatched until the id is recorded, or until release_unmatched_receipts() lets it go.
//     SMSCs may reuse message ids (a counter restarted per bind, or wrapped): every MT keeps
//     its own ids, and a receipt goes to the newest MT holding its id whose part has not had
//     a final receipt yet; when every such MT is final, the receipt waits unmatched like an
//     unknown one. Only MTs still stored (not pruned) are candidates.
// MOs are never doubled nor lost (docs/gateway.md, "MO de-duplication and long MOs"):
//   - every deliver_sm has a key, SHA-256 over (smsc, source, destination, esm_class, user
//     data with its UDH, concatenation numbers), kept UNIQUE in mo_seen for `mo_dedup_window_ms`:
//     the same deliver_sm again (an SMSC redelivering after a lost deliver_sm_resp) is reported
//     `duplicate` and makes no row. A stored MO carries the key (the joined parts' keys for a
//     long one) as the engine's idempotency key;
//   - each part of a long MO is stored in its own commit (before its deliver_sm_resp); the
//     part that completes the set joins them into one MO in the same transaction, so a crash
//     or a failed commit of any part loses nothing; a retried last part is a duplicate, never
//     a new fragment. Incomplete sets are capped per source and in total octets
//     (resource_exhausted: the SMSC is told 0x14 and retries) and joined incomplete by
//     expire_fragments() once their deadline passes (an index on the deadline: no scan).
// After a crash, unsubmitted_mts() lists every MT without a submit_sm_resp (to submit again)
// and the *_after() readers list everything not yet acknowledged by the engine.
//
// Writes are group-committed: one writer thread runs every queued operation of a batch in
// one transaction (each in its own savepoint, so one failing operation does not undo the
// others) and then calls each operation's completion. The "durable" operations report only
// after the commit (synchronous=FULL by default: after the fsync). The "record"/"ack"
// operations do not wait; they are ordered and committed with the next batch, so after a
// crash at most the last batch of them is lost (an MT submitted twice, an MO or receipt sent
// twice: the at-least-once contract allows both).
//
// Threads: every method may be called from any thread. Completions run on the writer
// thread; they must not block and must not call the *_sync methods (that would deadlock).
// Errors: SQLite failures come back mapped as sqlite/connection.h maps them (a constraint
// AlreadyExists/InvalidArgument, a lock held elsewhere past busy_timeout_ms Unavailable, a
// full disk ResourceExhausted, other I/O IoError, a damaged file Corruption); a transaction's
// own failure carries the file name.
#ifndef PINTAR_GATEWAY_QUEUE_H_
#define PINTAR_GATEWAY_QUEUE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sqlite/connection.h"

namespace pintar::gateway {

struct GatewayQueueOptions {
  std::string path{};                 // database file; created 0600 when absent (whatever the umask)
  // kFull (survives power loss) or kNormal (survives a process crash); others are refused.
  sqlite::Synchronous synchronous = sqlite::Synchronous::kFull;
  int busy_timeout_ms = 5000;
  size_t max_batch = 1024;            // operations per group commit
  int64_t mo_dedup_window_ms = 120 * 1000;  // a repeated deliver_sm within this is a duplicate
  size_t max_fragments_per_source = 4;       // incomplete long MOs per (smsc, source)
  size_t max_fragment_bytes = 1 << 20;       // user data of every incomplete long MO together
  // Text of a joined long MO from its data_coding and user data (smpp::decode_text in the
  // gateway; the queue knows no alphabets). Unset: the text stays empty.
  std::function<std::string(int data_coding, std::string_view user_data)> decode_text{};
};

struct QueueMo {
  std::string smsc{};          // [[smsc]] name it came from
  std::string source{};
  std::string destination{};
  std::string text{};          // UTF-8; empty for a binary data_coding (user_data holds it)
  int data_coding = 0;
  int64_t received_at_ms = 0;  // Unix time
  int esm_class = 0;         // §5.2.12, as received
  std::string udh{};           // TS 23.040 §9.2.3.24 user data header with its length octet; "" if none
  std::string user_data{};     // the octets after the UDH (a long MO: every part's, joined)
  // Concatenation of a part (UDH IE 0x00/0x08 or sar_* TLVs, §5.3.2.22-24); total 1: whole.
  int reference = 0, total = 1, sequence = 1;
  int64_t deadline_ms = 0;   // a part opening a set: join it incomplete after this (Unix ms)
  // Set by the queue on stored MOs:
  int parts = 1;             // deliver_sm joined into it
  bool incomplete = false;   // joined at its deadline with parts missing
  std::string idempotency_key{};  // hex SHA-256 (empty for rows stored before revision 3)
};
struct QueueMoAdded {
  int64_t id = 0;            // the new MO row; 0 when none was made (duplicate, or a part held)
  bool duplicate = false;    // the same deliver_sm was stored within the window: nothing changed
  bool held = false;         // a part stored until the rest of its long MO arrives
  std::optional<int64_t> deadline_ms{};  // a part that opened a new set: that set's deadline
  std::string idempotency_key{};  // duplicate: the key it matched (hex, as QueueMo's)
};
struct QueueFragmentsExpired {
  size_t joined = 0;                        // incomplete MOs made
  std::optional<int64_t> next_deadline_ms{};  // of the sets still waiting
};
struct QueuedMoRow {
  int64_t id = 0;
  QueueMo mo;
};

struct QueueMt {
  std::string engine_id;     // the engine's id for it; unique (a retried mt is stored once)
  std::string smsc;
  std::string source;
  std::string destination;
  std::string text;
  bool want_receipt = true;
  int64_t created_at_ms = 0;
};
struct QueuedMtRow {
  int64_t id = 0;            // the gateway's id (OutboundSms::id)
  QueueMt mt;
};
struct QueueMtAdded {
  int64_t id = 0;
  bool inserted = false;     // false: engine_id was already stored (nothing changed)
};

// The outcome of an MT, waiting for the engine's acknowledgement.
struct QueueMtResult {
  int64_t seq = 0;
  std::string engine_id;
  bool submitted = false;              // true: accepted by the SMSC; false: failed permanently
  std::vector<std::string> message_ids;  // one per part, in part order
  uint32_t command_status = 0;
  std::string reason;
};

struct QueueReceipt {
  std::string smsc;
  std::string message_id;    // normalised by the SMSC's id format
  std::string state;         // "DELIVERED", "UNDELIVERABLE", ...
  std::string error;
  int64_t received_at_ms = 0;
  bool is_final = true;      // false for ENROUTE/ACCEPTED: the MT part still awaits its outcome
};
struct QueuedReceiptRow {
  int64_t id = 0;
  QueueReceipt receipt;
  std::optional<std::string> engine_id;  // the MT it belongs to; none when it never matched
  int part = 0;                          // 1-based part of that MT, 0 when unmatched
};

class GatewayQueue {
 public:
  static Result<std::unique_ptr<GatewayQueue>> open(const GatewayQueueOptions& options);
  ~GatewayQueue();  // finishes every queued operation, then closes
  GatewayQueue(const GatewayQueue&) = delete;
  GatewayQueue& operator=(const GatewayQueue&) = delete;

  // Random id made when the file was created: makes the ids sent to the engine unique
  // across gateways and re-created queues.
  const std::string& instance_id() const;
  static constexpr int kSchemaVersion = 3;

  // --- durable: the completion runs after the commit ---
  // A whole MO (total 1) or a part. kResourceExhausted: a new part would pass a cap.
  void add_mo(QueueMo mo, std::function<void(Result<QueueMoAdded>)> done);
  // Joins every set whose deadline is at or before `now_ms` into an incomplete MO.
  void expire_fragments(int64_t now_ms, std::function<void(Result<QueueFragmentsExpired>)> done);
  void add_mt(QueueMt mt, std::function<void(Result<QueueMtAdded>)> done);
  void add_receipt(QueueReceipt receipt, std::function<void(Status)> done);

  // --- ordered, committed with the next batch; the caller does not wait ---
  // The SMSC accepted MT `mt_id` (one id per part). Matches waiting receipts. A second
  // outcome for the same MT (the answer to a duplicate submission) changes nothing.
  // `committed`, if given, runs after the commit (a gateway uses it to bound how many
  // outcomes a crash can lose).
  void record_submitted(int64_t mt_id, std::vector<std::string> message_ids,
                        std::function<void(Status)> committed = {});
  void record_failed(int64_t mt_id, uint32_t command_status, std::string reason,
                     std::function<void(Status)> committed = {});
  void ack_mo(int64_t id);
  void ack_result(int64_t seq);
  void ack_receipt(int64_t id);

  // --- reads; they see every operation queued before them, and `done` runs (on the writer
  // thread) once those are committed, so nothing read can be lost by a crash ---
  template <typename T>
  using Done = std::function<void(Result<T>)>;
  void mos_after(int64_t id, size_t limit, Done<std::vector<QueuedMoRow>> done);
  void results_after(int64_t seq, size_t limit, Done<std::vector<QueueMtResult>> done);
  void receipts_after(int64_t id, size_t limit, Done<std::vector<QueuedReceiptRow>> done);
  // Blocking forms.
  Result<std::vector<QueuedMoRow>> mos_after(int64_t id, size_t limit);
  Result<std::vector<QueueMtResult>> results_after(int64_t seq, size_t limit);
  Result<std::vector<QueuedReceiptRow>> receipts_after(int64_t id, size_t limit);
  Result<std::vector<QueuedMtRow>> unsubmitted_mts();
  // The MTs with these ids that still wait for their submit_sm_resp, in the order given (an
  // id already settled or pruned is left out). For a gateway that keeps only the ids of the
  // MTs waiting for a bind, so that an SMSC down for hours costs 8 octets per MT, not its text.
  void unsubmitted_mts(std::vector<int64_t> ids, Done<std::vector<QueuedMtRow>> done);

  // --- housekeeping (durable) ---
  // Unmatched receipts received before `before_ms` become deliverable without an MT.
  // Forgets finished MTs (outcome acknowledged) created before `before_ms`.
  // The asynchronous forms return at once and run on the writer thread like every other
  // write; `done` runs after the commit. A loop thread uses them: a large prune, or a file
  // another process holds locked (up to busy_timeout_ms per attempt), must not stall it.
  void release_unmatched_receipts(int64_t before_ms, std::function<void(Status)> done);
  void prune(int64_t before_ms, std::function<void(Status)> done);
  // Blocking forms (tests, tools).
  Status release_unmatched_receipts(int64_t before_ms);
  Status prune(int64_t before_ms);
  // Returns once everything queued so far is committed.
  Status flush();

  // Blocking forms of the durable operations (tests, simple callers).
  Result<QueueMoAdded> add_mo_sync(QueueMo mo);
  Result<QueueFragmentsExpired> expire_fragments_sync(int64_t now_ms);
  Result<QueueMtAdded> add_mt_sync(QueueMt mt);
  Status add_receipt_sync(QueueReceipt receipt);

 private:
  class Impl;
  explicit GatewayQueue(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pintar::gateway

#endif  // PINTAR_GATEWAY_QUEUE_H_
