// A helper for tests/ledger_cli_test.cpp: puts a ledger file into states the CLI alone
// cannot (transactions come from the vending engine; old revisions from old pintars).
//   ledger_tool transactions FILE N   append N transactions (two versions each; with the chain
//                                     key of $LEDGER_TOOL_CHAIN_KEY, a secret spec, when set)
//   ledger_tool at-revision FILE REV  create FILE at schema revision REV
//   ledger_tool rechain FILE SEQ      recompute the plain transactions chain from row SEQ on
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include "common/secret.h"
#include "store/chain_key.h"

#include "store/chain.h"
#include "store/ledger.h"
#include "store/rows.h"
#include "store/schema.h"
#include "store/sqlite_ledger.h"

namespace {

int usage() {
  fmt::print(stderr,
             "usage: ledger_tool transactions FILE N | ledger_tool at-revision FILE REV | "
             "ledger_tool rechain FILE SEQ\n");
  return 64;
}

int append_transactions(const std::string& path, int count) {
  using namespace pintar::store;
  LedgerOptions options{.path = path};
  // A keyed ledger takes appends only from a process holding its key (a secret spec).
  if (const char* spec = std::getenv("LEDGER_TOOL_CHAIN_KEY")) {
    auto secret = pintar::Secret::load(spec);
    if (!secret.ok()) return fmt::print(stderr, "{}\n", secret.status()), 1;
    auto key = ChainKey::create(std::move(secret).value());
    if (!key.ok()) return fmt::print(stderr, "{}\n", key.status()), 1;
    options.chain_key = std::make_shared<const ChainKey>(std::move(key).value());
  }
  auto ledger = open_ledger(options);
  if (!ledger.ok()) return fmt::print(stderr, "{}\n", ledger.status()), 1;
  // Ids unique across runs, so a second run appends to the same file.
  const int64_t first = static_cast<int64_t>(getpid()) * 1000;
  for (int n = 1; n <= count; ++n) {
    TransactionRecord record{.txn_id = fmt::format("txn-{}", first + n), .version = 1,
                             .idempotency_key = fmt::format("sms-{}", first + n), .meter_no = "01428800700",
                             .msisdn = "6281234567890", .amount_rupiah = 20000, .energy_deci_kwh = 0,
                             .token = std::nullopt, .state = "received", .reference = std::nullopt,
                             .reason = std::nullopt, .created_ms = 1'700'000'000'000 + n,
                             .recorded_ms = 1'700'000'000'000 + n};
    WriteSet writes;
    writes.append_transaction(record);
    record.version = 2;
    record.energy_deci_kwh = 154;
    record.token = "51043465443420856213";
    record.state = "token_issued";
    writes.append_transaction(record);
    if (auto status = (*ledger)->write(std::move(writes)); !status.ok()) return fmt::print(stderr, "{}\n", status), 1;
  }
  return 0;
}

int create_at_revision(const std::string& path, int revision) {
  auto db = pintar::sqlite::Connection::open(path, {});
  if (!db.ok()) return fmt::print(stderr, "{}\n", db.status()), 1;
  if (auto status = pintar::store::migrate(*db, path, revision); !status.ok()) {
    return fmt::print(stderr, "{}\n", status), 1;
  }
  return 0;
}

// Plays the tamperer who can write the file but has no chain key: after a row was edited
// behind pintar's back, recomputes the plain SHA-256 chain of `transactions` from row `from`
// on (chain.h describes the encoding, so anyone can) and moves chain_heads to match. The
// row_mac and head_mac columns are left alone: without the key they cannot be recomputed.
int rechain_transactions(const std::string& path, int from) {
  using namespace pintar::store;
  auto db = pintar::sqlite::Connection::open(path, {});
  if (!db.ok()) return fmt::print(stderr, "{}\n", db.status()), 1;
  const auto fail = [](const pintar::Status& status) { return fmt::print(stderr, "{}\n", status), 1; };
  for (const char* sql : {"BEGIN IMMEDIATE", "DROP TRIGGER IF EXISTS transactions_append_only_update"}) {
    if (auto status = db->exec(sql); !status.ok()) return fail(status);
  }
  auto scan = db->prepare(
      "SELECT txn_id, version, idempotency_key, meter_no, msisdn, amount_rupiah, energy_deci_kwh, token, state, "
      "reference, reason, created_ms, recorded_ms, seq, row_hash FROM transactions ORDER BY seq");
  auto update = db->prepare("UPDATE transactions SET row_hash = ? WHERE seq = ?");
  auto head = db->prepare("UPDATE chain_heads SET seq = ?, row_hash = ? WHERE chain = 'transactions'");
  if (!scan.ok() || !update.ok() || !head.ok()) return fmt::print(stderr, "prepare failed\n"), 1;
  std::vector<std::pair<int64_t, pintar::crypto::Sha256Digest>> hashes;
  pintar::crypto::Sha256Digest previous = kGenesisHash;
  {
    pintar::sqlite::Cursor row(scan->bind());
    for (;;) {
      auto more = row.next();
      if (!more.ok()) return fail(more.status());
      if (!*more) break;
      const int64_t seq = row->integer(13);
      if (seq < from) {
        const std::vector<uint8_t> stored = row->blob(14);
        std::copy(stored.begin(), stored.end(), previous.begin());
        continue;
      }
      previous = chain_hash(previous, canonical_row(seq, read_transaction(row.statement())));
      hashes.emplace_back(seq, previous);
    }
  }
  for (const auto& [seq, hash] : hashes) {
    if (auto status = update->bind(std::span<const uint8_t>(hash), seq).run(); !status.ok()) return fail(status);
  }
  const int64_t last = hashes.empty() ? from - 1 : hashes.back().first;
  if (auto status = head->bind(last, std::span<const uint8_t>(previous)).run(); !status.ok()) return fail(status);
  if (auto status = db->exec("COMMIT"); !status.ok()) return fail(status);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return usage();
  const std::string_view command = argv[1];
  const std::string_view number_text = argv[3];
  int number = 0;
  if (std::from_chars(number_text.data(), number_text.data() + number_text.size(), number).ec != std::errc()) {
    return usage();
  }
  if (command == "transactions") return append_transactions(argv[2], number);
  if (command == "at-revision") return create_at_revision(argv[2], number);
  if (command == "rechain") return rechain_transactions(argv[2], number);
  return usage();
}
