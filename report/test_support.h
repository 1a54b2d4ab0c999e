// The small ledger report/'s tests read (a real SQLite ledger file, written through
// store::Ledger as the engine writes it), the times it uses, and the SHA-256 the tests
// recompute with OpenSSL to check a trailer.
#ifndef PINTAR_REPORT_TEST_SUPPORT_H_
#define PINTAR_REPORT_TEST_SUPPORT_H_

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/sha.h>

#include <fmt/format.h>
#include "store/ledger_test_support.h"
#include "store/test_support.h"

namespace pintar::report::testing {

// Local date 2026-12-06 at UTC+7: [2026-12-05T17:00Z, 2026-12-06T17:00Z).
inline constexpr int64_t kDayBegin = 1796490000000;
inline constexpr int64_t kDayEnd = 1796576400000;
inline constexpr int64_t kImported = kDayBegin - 90'000'000;  // 2026-12-04T16:00:00Z
inline constexpr int64_t kNoon = 1796526000000;               // 2026-12-06T03:00:00Z
inline constexpr int64_t kAfter = kDayEnd + 3'600'000;        // the next local date
// Local month 2026-12 at UTC+7.
inline constexpr int64_t kMonthBegin = 1796058000000;
inline constexpr int64_t kMonthEnd = 1798736400000;

inline store::MessageRecord message(std::string id, std::string direction, std::string msisdn, int64_t at_ms,
                                    std::optional<std::string> txn_id = std::nullopt) {
  return store::MessageRecord{.message_id = std::move(id), .direction = std::move(direction),
                              .msisdn = std::move(msisdn), .body = "x", .txn_id = std::move(txn_id),
                              .smpp_message_id = std::nullopt, .delivery_state = "received",
                              .created_ms = at_ms, .updated_ms = at_ms};
}

inline void import_at(store::Ledger& ledger, std::vector<store::SubscriberRecord> records, int64_t at_ms) {
  store::testing::RecordSource source(std::move(records));
  auto report = ledger.import_subscribers(
      source, store::AuditEntry{.at_ms = at_ms, .actor = "test", .action = "import", .subject = "", .detail = ""});
  REQUIRE(report.ok());
  REQUIRE(report->errors.empty());
}

// Two subscribers before the date (the second's name needs quoting), a third after it;
// events, a PIN lock, one purchase and the SMS that docs/sms-charging.md's classes count.
inline store::LedgerOptions build_ledger(const std::string& dir) {
  const store::LedgerOptions options = store::testing::options_in(dir);
  auto ledger = store::testing::open_or_die(options);
  store::SubscriberRecord one = store::testing::sample_subscriber(1);
  store::SubscriberRecord two = store::testing::sample_subscriber(2);
  two.customer.name = "SITI, \"IBU\"";
  import_at(*ledger, {one, two}, kImported);
  import_at(*ledger, {store::testing::sample_subscriber(3)}, kAfter);

  store::WriteSet w;
  w.record_meter_event({.meter_no = "14000000001", .at_ms = kNoon, .kind = "token_accepted", .detail = "",
                        .credit_deci_kwh = 154, .energy_deci_kwh = std::nullopt, .dedup_key = std::nullopt});
  w.record_meter_event({.meter_no = "14000000001", .at_ms = kAfter, .kind = "token_accepted", .detail = "",
                        .credit_deci_kwh = 99, .energy_deci_kwh = std::nullopt, .dedup_key = std::nullopt});
  w.update_subscription({.msisdn = "6281200000001", .meter_no = "14000000001", .language = std::nullopt,
                         .pin_hash = std::nullopt, .failed_pin_attempts = 5, .locked_until_ms = 1796600000000});
  store::TransactionRecord t = store::testing::sample_transaction(1);
  t.txn_id = "T1";
  t.meter_no = "14000000001";
  t.msisdn = "6281200000001";
  t.created_ms = t.recorded_ms = kNoon;
  w.append_transaction(t);
  w.record_message(message("c-in", "in", "6281200000001", kNoon, "T1"));
  w.record_message(message("c-out-1", "out", "6281200000001", kNoon + 1, "T1"));
  w.record_message(message("c-out-2", "out", "6281200000001", kNoon + 2, "T1"));
  // Sent to another phone about T1: paid by the phone that bought.
  w.record_message(message("c-out-3", "out", "6281200000002", kNoon + 3, "T1"));
  w.record_message(message("m-out", "out", "6281100000001", kNoon + 4, "T1"));
  w.record_message(message("m-in", "in", "6281100000001", kNoon + 5, "T1"));
  w.record_message(message("m2-in", "in", "6281100000002", kNoon + 4'000'000));  // 2026-12-06T04:06:40Z
  w.record_message(message("stranger", "in", "6289999999999", kNoon + 6));
  w.record_message(message("before", "in", "6281200000001", kMonthBegin - 1));
  w.record_message(message("at-end", "in", "6281200000001", kMonthEnd));
  REQUIRE(ledger->write(std::move(w)).ok());
  return options;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// "trailer,<rows>,<SHA-256 of everything before the trailer line>", recomputed here.
inline std::string expected_trailer(const std::string& text, int64_t rows) {
  const size_t body_end = text.rfind("trailer,");
  REQUIRE(body_end != std::string::npos);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), body_end, digest);
  std::string hex;  // lower case, as docs/pln-daily.md says and sha256sum(1) prints
  for (unsigned char b : digest) hex += fmt::format("{:02x}", b);
  return "trailer," + std::to_string(rows) + "," + hex;
}

// The file is exactly `body` (line by line), then the trailer of `rows` records.
inline void check_report(const std::string& text, const std::vector<std::string>& body, int64_t rows) {
  const std::vector<std::string> lines = lines_of(text);
  REQUIRE(lines.size() == body.size() + 1);
  for (size_t i = 0; i < body.size(); ++i) CHECK(lines[i] == body[i]);
  CHECK(lines.back() == expected_trailer(text, rows));
  CHECK(text.back() == '\n');
}

}  // namespace pintar::report::testing

#endif  // PINTAR_REPORT_TEST_SUPPORT_H_
