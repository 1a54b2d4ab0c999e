// Catch2 helpers for store/'s ledger tests (test_support.h stays free of Catch2 for the crash
// test's child process).
#ifndef PINTAR_STORE_LEDGER_TEST_SUPPORT_H_
#define PINTAR_STORE_LEDGER_TEST_SUPPORT_H_

#include <memory>

#include <catch2/catch.hpp>

#include "store/ledger.h"
#include "store/sqlite_ledger.h"

namespace pintar::store::testing {

// Opens the ledger, failing the test case with the reason when it cannot.
inline std::unique_ptr<Ledger> open_or_die(const LedgerOptions& options) {
  auto ledger = open_ledger(options);
  INFO(ledger.status().to_string());
  REQUIRE(ledger.ok());
  return std::move(ledger).value();
}

}  // namespace pintar::store::testing

#endif  // PINTAR_STORE_LEDGER_TEST_SUPPORT_H_
