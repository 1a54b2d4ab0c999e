// Helpers of the helpdesk tests: a real ledger file with subscribers and purchases in it.
#ifndef PINTAR_HELPDESK_TEST_SUPPORT_H_
#define PINTAR_HELPDESK_TEST_SUPPORT_H_

#include <memory>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "store/ledger.h"
#include "vending/engine/tokens_test_support.h"

namespace pintar::helpdesk::testing {

inline constexpr int64_t kT0 = 1'800'000'000'000;  // 2027-01-15

// A purchase's first version: n picks the id, times grow with n.
inline store::TransactionRecord purchase(int n, const store::SubscriberRecord& s, std::string state = "received") {
  return store::TransactionRecord{.txn_id = fmt::format("t{:04}", n), .version = 1,
                                  .idempotency_key = fmt::format("mo-{}", n), .meter_no = s.meter.meter_no,
                                  .msisdn = s.subscription.msisdn, .amount_rupiah = 20000, .energy_deci_kwh = 0,
                                  .token = std::nullopt, .state = std::move(state), .reference = std::nullopt,
                                  .reason = std::nullopt, .created_ms = kT0 + n * 1000, .recorded_ms = kT0 + n * 1000};
}

// Appends the next version of `t` with `state` (and the token, reference when given).
inline store::TransactionRecord next_version(store::Ledger& ledger, store::TransactionRecord t, std::string state,
                                             std::optional<std::string> token = std::nullopt,
                                             std::optional<std::string> reference = std::nullopt) {
  t.version += 1;
  t.state = std::move(state);
  if (token) {
    t.token = token;
    t.energy_deci_kwh = 154;
  }
  if (reference) t.reference = reference;
  t.recorded_ms += 100;
  store::WriteSet w;
  w.append_transaction(t);
  const Status s = ledger.write(std::move(w));
  INFO(s.to_string());
  REQUIRE(s.ok());
  return t;
}

inline void write(store::Ledger& ledger, store::WriteSet w) {
  const Status s = ledger.write(std::move(w));
  INFO(s.to_string());
  REQUIRE(s.ok());
}

inline store::TransactionRecord add_purchase(store::Ledger& ledger, int n, const store::SubscriberRecord& s) {
  store::WriteSet w;
  w.append_transaction(purchase(n, s));
  write(ledger, std::move(w));
  return purchase(n, s);
}

}  // namespace pintar::helpdesk::testing

#endif  // PINTAR_HELPDESK_TEST_SUPPORT_H_
