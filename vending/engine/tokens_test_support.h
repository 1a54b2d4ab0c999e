// Helpers of the token and modem-link tests: a real ledger file with subscribers, and the
// STS conformance keys the sts tests use.
#ifndef PINTAR_VENDING_ENGINE_TOKENS_TEST_SUPPORT_H_
#define PINTAR_VENDING_ENGINE_TOKENS_TEST_SUPPORT_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "common/hex.h"
#include "store/sqlite_ledger.h"
#include "store/test_support.h"
#include "vending/sts/decoder_key.h"

namespace pintar::engine::testing {

// STS 531-1-0-02 (DKGA02) and 531-1-0-04 (DKGA04) conformance vending keys, as transcribed in
// NectarAPI/tokens-service's tests (the values of vending/sts/decoder_key_test.cpp).
inline constexpr std::string_view kDkga02VendingKey = "ABABABABABABABAB";
inline constexpr std::string_view kDkga04VendingKey = "ABABABABABABABAB949494949494949401234567";

inline sts::VendingKey vending_key(sts::KeyDerivation dkga) {
  const auto hex = dkga == sts::KeyDerivation::kDkga02 ? kDkga02VendingKey : kDkga04VendingKey;
  return sts::VendingKey::import(dkga, hex_decode(hex).value()).value();
}

inline std::unique_ptr<store::Ledger> open_ledger_at(const std::string& path) {
  store::LedgerOptions options;
  options.path = path;
  auto ledger = store::open_ledger(options);
  INFO(ledger.status().to_string());
  REQUIRE(ledger.ok());
  return std::move(ledger).value();
}

using store::testing::RecordSource;

inline void import(store::Ledger& ledger, std::vector<store::SubscriberRecord> records) {
  RecordSource source(std::move(records));
  auto report = ledger.import_subscribers(
      source, store::AuditEntry{.at_ms = 1, .actor = "test", .action = "import", .subject = "", .detail = ""});
  INFO(report.status().to_string());
  REQUIRE(report.ok());
  INFO((report->errors.empty() ? std::string() : report->errors.front().reason));
  REQUIRE(report->errors.empty());
}

// sample_subscriber(n) with a protocol-valid modem key id "M140000n".
inline store::SubscriberRecord subscriber(int n) {
  store::SubscriberRecord record = store::testing::sample_subscriber(n);
  record.modem.key_id = fmt::format("M{:07}", 1400000 + n);
  return record;
}

inline store::SubscriberView view_of(store::Ledger& ledger, const store::SubscriberRecord& record) {
  auto found = ledger.find_subscribers(record.meter.meter_no);
  REQUIRE(found.ok());
  REQUIRE(found->size() == 1);
  return found->front();
}

}  // namespace pintar::engine::testing

#endif  // PINTAR_VENDING_ENGINE_TOKENS_TEST_SUPPORT_H_
