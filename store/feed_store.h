// FeedStore: the real-time feed's side of the ledger file (schema revision 9,
// docs/pln-feed.md): the numbered end states of purchases (table feed_records, filled by a
// trigger in the transaction that writes the version) and each consumer's durable cursor.
//
// Sequence numbers start at 1 and have no gaps. A consumer reads the records after its
// cursor, delivers them, then advances the cursor to the last one delivered; a crash between
// the two delivers those records again (at least once, never lost). A cursor only moves
// forward: advancing to a number at or below it changes nothing and is not an error (a
// second feed process that lagged behind), past the last record is InvalidArgument.
//
// Errors: the ledger's (IoError, Unavailable when the file is busy past the busy timeout).
// Thread-safe: one connection behind a mutex. Opens the file as the ledger does (creating
// and migrating when the options allow).
#ifndef PINTAR_STORE_FEED_STORE_H_
#define PINTAR_STORE_FEED_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/records.h"
#include "store/sqlite_ledger.h"

namespace pintar::store {

struct FeedRecord {
  int64_t seq = 0;                 // the feed's own number: 1, 2, 3... no gaps
  TransactionRecord purchase{};    // the version that reached the end state
  std::string idpel{};             // the meter's customer (empty when the meter is gone)
  bool resolved = false;           // completed/refused after a needs_manual: a person decided
};

struct FeedCursor {
  std::string consumer{};
  int64_t delivered_seq = 0;  // 0: nothing delivered yet
  int64_t updated_ms = 0;
};

class FeedStore {
 public:
  static Result<std::unique_ptr<FeedStore>> open(const LedgerOptions& options);
  ~FeedStore();

  // Up to `limit` records after `after_seq`, in order.
  Result<std::vector<FeedRecord>> records_after(int64_t after_seq, size_t limit);
  // The number of the last record (0 when there is none).
  Result<int64_t> last_seq();
  // The consumer's cursor; delivered_seq 0 when it has never advanced.
  Result<FeedCursor> cursor(std::string_view consumer);
  Result<std::vector<FeedCursor>> cursors();
  // Durably: the consumer has delivered every record up to `seq`.
  Status advance(std::string_view consumer, int64_t seq, int64_t now_ms);

 private:
  struct Impl;
  explicit FeedStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pintar::store

#endif  // PINTAR_STORE_FEED_STORE_H_
