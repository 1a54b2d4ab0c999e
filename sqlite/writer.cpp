#include "sqlite/writer.h"

#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace pintar::sqlite {

GroupWriter::GroupWriter(Connection db, Options options, Hooks hooks)
    : db_(std::move(db)), options_(std::move(options)), hooks_(std::move(hooks)) {
  const auto prepare = [this](Statement& into, std::string_view sql) {
    auto prepared = db_.prepare(sql);
    if (prepared.ok()) {
      into = std::move(*prepared);
    } else if (broken_.ok()) {
      broken_ = prepared.status();
    }
  };
  prepare(begin_, "BEGIN IMMEDIATE");
  prepare(commit_, "COMMIT");
  prepare(rollback_, "ROLLBACK");
  prepare(savepoint_, "SAVEPOINT operation");
  prepare(release_, "RELEASE operation");
  prepare(rollback_to_, "ROLLBACK TO operation");
  thread_ = std::thread([this] { run(); });
}

GroupWriter::GroupWriter(Connection db, Options options) : GroupWriter(std::move(db), std::move(options), Hooks{}) {}

GroupWriter::~GroupWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void GroupWriter::submit(Apply apply, Done done) {
  enqueue({.apply = std::move(apply), .done = std::move(done), .alone = false});
}

void GroupWriter::submit_alone(Apply apply, Done done) {
  enqueue({.apply = std::move(apply), .done = std::move(done), .alone = true});
}

void GroupWriter::enqueue(Pending pending) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(std::move(pending));
      pending.done = nullptr;
    }
  }
  if (pending.done) return pending.done(Status::cancelled(fmt::format("the {} is closing", options_.name)));
  wake_.notify_one();
}

void GroupWriter::run() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything submitted has been answered
      if (options_.max_wait.count() > 0 && !stopping_ && queue_.size() < options_.max_batch) {
        wake_.wait_for(lock, options_.max_wait, [this] { return stopping_ || queue_.size() >= options_.max_batch; });
      }
      // An operation run alone is a batch of one; a batch ends before the next of them.
      const bool alone = queue_.front().alone;
      while (!queue_.empty() && batch.size() < (alone ? 1 : options_.max_batch) && queue_.front().alone == alone) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (batch.front().alone) {
      run_alone(batch.front());
    } else {
      commit_batch(batch);
    }
    batch.clear();
  }
}

void GroupWriter::commit_batch(std::vector<Pending>& batch) {
  std::vector<Status> results(batch.size());
  Status status = begin();
  if (status.ok()) {
    for (size_t i = 0; i < batch.size() && status.ok(); ++i) {
      results[i] = apply_in_savepoint(batch[i]);
      // The automatic-rollback guard (writer.h): the batch ends here, all of it.
      if (!db_.in_transaction()) {
        status = results[i].ok() ? Status::io_error(fmt::format("the {} transaction was rolled back", options_.name))
                                 : results[i];
      }
    }
    if (status.ok()) {
      status = commit();
    } else {
      rollback_if_open();
    }
  }
  status = transaction_failure(std::move(status));
  if (hooks_.after_transaction) hooks_.after_transaction(status);
  for (size_t i = 0; i < batch.size(); ++i) {
    // An operation that failed on its own keeps its own reason; the others share the
    // transaction's fate.
    if (batch[i].done) batch[i].done(results[i].ok() ? status : std::move(results[i]));
  }
}

void GroupWriter::run_alone(Pending& pending) {
  Status status = begin();
  if (status.ok()) {
    status = pending.apply(db_);
    if (status.ok()) {
      status = commit();
    } else {
      rollback_if_open();
    }
  }
  status = transaction_failure(std::move(status));
  if (pending.done) pending.done(std::move(status));
}

Status GroupWriter::begin() {
  PINTAR_RETURN_IF_ERROR(broken_);
  PINTAR_RETURN_IF_ERROR(begin_.run());
  if (!hooks_.after_begin) return Status::ok_status();
  Status status = hooks_.after_begin(db_);
  if (!status.ok()) rollback_if_open();
  return status;
}

Status GroupWriter::commit() {
  Status status = hooks_.before_commit ? hooks_.before_commit(db_) : Status::ok_status();
  if (status.ok()) status = commit_.run();
  if (!status.ok()) {
    spdlog::error("{} commit failed: {}", options_.name, status);
    rollback_if_open();
  }
  return status;
}

void GroupWriter::rollback_if_open() {
  if (db_.in_transaction()) (void)rollback_.run();
}

Status GroupWriter::apply_in_savepoint(Pending& pending) {
  PINTAR_RETURN_IF_ERROR(savepoint_.run());
  Status status = pending.apply(db_);
  if (status.ok()) return release_.run();
  // ROLLBACK TO keeps the savepoint open; RELEASE closes it. Neither fails on a healthy file
  // (and after an automatic rollback there is nothing left to undo).
  (void)rollback_to_.run();
  (void)release_.run();
  return status;
}

Status GroupWriter::transaction_failure(Status status) const {
  if (status.ok() || options_.file.empty()) return status;
  return status.with_context(options_.file);
}

}  // namespace pintar::sqlite
