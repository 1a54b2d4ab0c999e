#include "report/feed.h"

#include <condition_variable>
#include <mutex>

#include <spdlog/spdlog.h>

namespace pintar::report {

FeedPump::FeedPump(store::FeedStore& store, FeedSink& sink, FeedOptions options, Clock& clock)
    : store_(store), sink_(sink), options_(options), clock_(clock) {}

Result<size_t> FeedPump::step() {
  const std::string consumer = sink_.consumer();
  auto cursor = store_.cursor(consumer);
  if (!cursor.ok()) return counters_.add(kFeedStoreErrors), cursor.status();
  auto batch = store_.records_after(cursor->delivered_seq, options_.batch);
  if (!batch.ok()) return counters_.add(kFeedStoreErrors), batch.status();
  if (batch->empty()) return size_t{0};
  if (Status s = sink_.deliver(*batch); !s.ok()) {
    counters_.add(kFeedFailures);
    return s;
  }
  // Delivered: from here a crash before the cursor moves delivers this batch again.
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.wall_now().time_since_epoch()).count();
  if (Status s = store_.advance(consumer, batch->back().seq, now_ms); !s.ok()) {
    counters_.add(kFeedStoreErrors);
    return s;
  }
  counters_.add(kFeedDelivered, batch->size());
  counters_.add(kFeedBatches);
  return batch->size();
}

void FeedPump::pause(std::chrono::milliseconds delay, const std::stop_token& stop) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  wake.wait_for(lock, stop, delay, [] { return false; });
}

void FeedPump::run(std::stop_token stop) {
  int failures = 0;
  while (!stop.stop_requested()) {
    auto delivered = step();
    if (!delivered.ok()) {
      const auto delay = backoff_delay(++failures, options_.backoff_min, options_.backoff_max, random_);
      spdlog::warn("feed {}: {} (attempt {}, next in {} ms)", sink_.consumer(), delivered.status().to_string(),
                   failures, delay.count());
      pause(delay, stop);
      continue;
    }
    if (failures > 0) spdlog::info("feed {}: delivering again after {} failed attempts", sink_.consumer(), failures);
    failures = 0;
    // A full batch: more may be waiting, go on at once.
    if (*delivered < options_.batch) pause(options_.poll, stop);
  }
}

}  // namespace pintar::report
