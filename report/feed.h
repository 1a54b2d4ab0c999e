// The real-time feed to PLN (issue 12, docs/pln-feed.md): every purchase that reaches an end
// state, numbered without gaps by the ledger (store/feed_store.h), delivered at least once to
// each sink in order, from the sink's durable cursor.
//
// FeedPump moves one sink's cursor: it reads up to `batch` records after the cursor, hands
// them to the sink, and advances the cursor only when the sink took all of them. A crash or
// kill between the two delivers that batch again after the restart (the receiver
// de-duplicates by seq); nothing is skipped. A sink that fails is retried after a backoff
// (common/backoff.h: exponential, jittered, capped), so a receiver that is down delays the
// feed and nothing else: the feed runs in its own process (`pintar feed`) and only reads the
// sales' tables.
//
// Threads: a pump is driven by one thread (run() or step() calls); its sink is called on
// that thread only. Counters are thread-safe. The store, sink and clock must outlive it.
#ifndef PINTAR_REPORT_FEED_H_
#define PINTAR_REPORT_FEED_H_

#include <chrono>
#include <cstdint>
#include <random>
#include <span>
#include <stop_token>
#include <string>

#include "common/backoff.h"
#include "common/clock.h"
#include "common/counters.h"
#include "common/status.h"
#include "store/feed_store.h"

namespace pintar::report {

// A destination of feed records.
class FeedSink {
 public:
  virtual ~FeedSink() = default;
  // The name of its cursor in the ledger (feed_cursors.consumer).
  virtual std::string consumer() const = 0;
  // OK only when the receiver has taken every record of `batch` (in order, seq ascending).
  virtual Status deliver(std::span<const store::FeedRecord> batch) = 0;
};

struct FeedOptions {
  size_t batch = 100;                               // records per delivery
  std::chrono::milliseconds poll{500};              // wait when there is nothing new
  std::chrono::milliseconds backoff_min{500};       // after a failed delivery...
  std::chrono::milliseconds backoff_max{60'000};    // ...doubling up to this
};

enum FeedCounter : size_t {
  kFeedDelivered,
  kFeedBatches,
  kFeedFailures,
  kFeedStoreErrors,
  kFeedCounterCount,
};
constexpr size_t counter_count(FeedCounter) { return kFeedCounterCount; }
inline constexpr CounterSpec kFeedCounters[] = {
    {"feed.delivered", "feed records a sink took (a batch delivered again after a restart counts again)"},
    {"feed.batches", "batches a sink took"},
    {"feed.failures", "deliveries a sink refused or that failed (retried after a backoff)"},
    {"feed.store_errors", "reads of the feed or cursor writes the ledger refused (retried after a backoff)"},
};
static_assert(valid_counter_names(kFeedCounters));

class FeedPump {
 public:
  FeedPump(store::FeedStore& store, FeedSink& sink, FeedOptions options, Clock& clock);

  // One round: the number of records delivered (0: nothing new), or why not (the sink's or
  // the store's error; the cursor did not move).
  Result<size_t> step();
  // Rounds until `stop`: waits `poll` after an empty round, the backoff after a failed one.
  void run(std::stop_token stop);

  const Counters<FeedCounter>& counters() const { return counters_; }

 private:
  // Sleeps `delay` or until `stop`, whichever comes first.
  void pause(std::chrono::milliseconds delay, const std::stop_token& stop);

  store::FeedStore& store_;
  FeedSink& sink_;
  FeedOptions options_;
  Clock& clock_;
  Counters<FeedCounter> counters_{kFeedCounters};
  std::minstd_rand random_{std::random_device{}()};
};

}  // namespace pintar::report

#endif  // PINTAR_REPORT_FEED_H_
