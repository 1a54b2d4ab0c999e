// A helper for tests/ledger_cli_test.cpp: puts a ledger file into states the CLI alone
// cannot (transactions come from the vending engine; old revisions from old pintars).
//   ledger_tool transactions FILE N   append N transactions (two versions each)
//   ledger_tool at-revision FILE REV  create FILE at schema revision REV
#include <charconv>
#include <cstdio>
#include <string_view>

#include <fmt/format.h>

#include "store/ledger.h"
#include "store/schema.h"
#include "store/sqlite_ledger.h"

namespace {

int usage() {
  fmt::print(stderr, "usage: ledger_tool transactions FILE N | ledger_tool at-revision FILE REV\n");
  return 64;
}

int append_transactions(const std::string& path, int count) {
  using namespace pintar::store;
  auto ledger = open_ledger(LedgerOptions{.path = path});
  if (!ledger.ok()) return fmt::print(stderr, "{}\n", ledger.status()), 1;
  for (int n = 1; n <= count; ++n) {
    TransactionRecord record{.txn_id = fmt::format("txn-{}", n), .version = 1,
                             .idempotency_key = fmt::format("sms-{}", n), .meter_no = "01428800700",
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
  auto db = pintar::store::sqlite::Connection::open(path, {});
  if (!db.ok()) return fmt::print(stderr, "{}\n", db.status()), 1;
  if (auto status = pintar::store::migrate(*db, path, revision); !status.ok()) {
    return fmt::print(stderr, "{}\n", status), 1;
  }
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
  return usage();
}
