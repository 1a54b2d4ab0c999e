// Internals of GatewayQueue (gateway/queue.h), shared by its .cpp files; nothing else
// includes this.
//
// Impl owns the queue's connection through a sqlite::GroupWriter: every operation is a
// function run on the writer thread inside a batch's transaction (in its own savepoint), and
// its completion runs on that thread once the batch's outcome is known. The prepared
// statements are used on the writer thread only.
#ifndef PINTAR_GATEWAY_QUEUE_IMPL_H_
#define PINTAR_GATEWAY_QUEUE_IMPL_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gateway/queue.h"
#include "sqlite/connection.h"
#include "sqlite/migrations.h"
#include "sqlite/writer.h"

namespace pintar::gateway {
namespace queue_internal {

// Every statement the queue runs, prepared once (texts in queue_schema.cpp).
enum Sql : size_t {
  kInsertMo, kDeleteMo, kSelectMos,
  kInsertMt, kSelectMtByEngineId, kSelectUnsubmitted, kSelectUnsubmittedById, kSetMtState, kInsertResult, kDeleteResult,
  kSelectResults, kInsertMessageId,
  kFindMessageId, kInsertReceipt, kInsertUnmatched, kMatchUnmatched, kDeleteMatched,
  kReleaseUnmatched, kDeleteReleased, kDeleteReceipt, kSelectReceipts, kPrune,
  kMarkFinal, kMarkMatchedFinal,
  kSelectSeen, kUpsertSeen, kPruneSeen, kFindFragment, kCountSourceFragments, kFragmentBytes, kInsertFragment,
  kInsertPart, kCountParts, kSelectFragment, kSelectParts, kDeleteFragment, kExpiredFragments, kNextDeadline,
  kSelectInstance, kInsertInstance,
  kSqlCount
};
std::string_view sql_text(Sql id);
// The queue's schema: revisions in PRAGMA user_version, as every released queue file has it.
const sqlite::Schema& schema();

enum MtState : int { kWaiting = 0, kSubmitted = 1, kFailed = 2 };

// Starts an asynchronous operation and blocks until its completion runs.
template <typename T>
Result<T> wait_for(const std::function<void(std::function<void(Result<T>)>)>& start) {
  std::promise<Result<T>> promise;
  auto future = promise.get_future();
  start([&promise](Result<T> result) { promise.set_value(std::move(result)); });
  return future.get();
}

// The same for an operation whose completion takes a bare Status.
Status wait_for_status(const std::function<void(std::function<void(Status)>)>& start);

// Steps a query to its end, turning each row into a T.
template <typename T, typename RowFn>
Result<std::vector<T>> collect(sqlite::Cursor& select, RowFn to_value) {
  std::vector<T> out;
  for (;;) {
    auto more = select.step();
    if (!more.ok()) return more.status();
    if (!*more) return out;
    out.push_back(to_value(select));
  }
}

}  // namespace queue_internal

class GatewayQueue::Impl {
 public:
  using Sql = queue_internal::Sql;

  explicit Impl(GatewayQueueOptions options) : options_(std::move(options)) {}
  ~Impl();  // drains the writer, then closes

  Status open();
  const std::string& instance_id() const { return instance_id_; }
  const GatewayQueueOptions& options() const { return options_; }

  // Writer thread only (inside an operation):
  sqlite::Cursor use(Sql sql) { return sqlite::Cursor(statements_[sql]); }
  int64_t last_insert_id() const { return db_->last_insert_id(); }
  int64_t changes() const { return db_->changes(); }

  // Queues an operation; `after_commit` (may be empty) gets its outcome.
  void post(std::function<Status()> run, std::function<void(Status)> after_commit);
  // An operation whose body yields a Result that its completion receives after the commit.
  template <typename T>
  void post_durable(std::function<Result<T>()> body, std::function<void(Result<T>)> done) {
    auto result = std::make_shared<std::optional<Result<T>>>();
    post(
        [body = std::move(body), result] {
          *result = body();
          return (*result)->status();
        },
        [result, done = std::move(done)](Status status) {
          if (!status.ok()) return done(std::move(status));
          done(std::move(**result));
        });
  }
  // Runs `body` on the writer thread inside a batch and waits for the commit.
  template <typename T>
  Result<T> call(std::function<Result<T>()> body) {
    return queue_internal::wait_for<T>(
        [&](std::function<void(Result<T>)> done) { post_durable<T>(std::move(body), std::move(done)); });
  }

  // --- MOs (queue_mo.cpp; writer thread, inside a batch) ---
  Result<QueueMoAdded> store_mo(const QueueMo& mo);
  Result<QueueFragmentsExpired> expire(int64_t now_ms);

 private:
  static std::string deliver_key(const QueueMo& mo);
  Status remember(const std::string& key, int64_t at_ms);
  Status insert_mo(const QueueMo& mo, std::string_view user_data, const std::string& key_hex, int parts = 1,
                   bool incomplete = false);
  Result<int64_t> join(int64_t fragment, bool incomplete);
  Status load_instance_id();

  GatewayQueueOptions options_;
  sqlite::Connection* db_ = nullptr;  // owned by writer_; set in open()
  std::vector<sqlite::Statement> statements_;
  std::string instance_id_;
  std::optional<sqlite::GroupWriter> writer_;  // last: destroyed (drained, joined) first
};

}  // namespace pintar::gateway

#endif  // PINTAR_GATEWAY_QUEUE_IMPL_H_
