// Helpers of the end-to-end tests (tests/e2e*_test.cpp) over cli::World: the world's options
// for a test, polling, and what a customer, PLN and the ledger see, read through the world's
// own interfaces (the phones' inboxes, the simulators' control APIs, `pintar purchases`).
//
// Every function blocks the calling test thread; none of them asserts (the tests do).
#ifndef PINTAR_TESTS_SUPPORT_E2E_H_
#define PINTAR_TESTS_SUPPORT_E2E_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/world.h"

namespace pintar::testing {

// A world in a fresh temporary directory with these customers and [vending] lines.
cli::WorldOptions world_options(std::vector<cli::WorldCustomer> customers, std::string vending_extra = {});

// Polls `done` every 100 ms until it holds or `timeout` passes; the last answer.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// Token receipts ("TOKEN dddd-...") among a phone's SMS.
size_t receipts_in(const nlohmann::json& inbox);
// The SMS texts of an inbox, oldest first (for INFO and counting).
std::vector<std::string> texts_of(const nlohmann::json& inbox);
// The phone's inbox once it holds at least `count` SMS, or whatever it holds after `timeout`.
nlohmann::json inbox_of_at_least(const cli::World& world, const std::string& phone, size_t count,
                                 std::chrono::milliseconds timeout);

// `pintar purchases show --msisdn PHONE --last --format json`; null when there is none.
nlohmann::json last_purchase(const cli::World& world, const std::string& phone);
std::string state_of(const cli::World& world, const std::string& phone);  // "" when none

// The P2APST simulator's real charges so far (GET /stats "sales") and its sales of a meter.
size_t sales(const cli::World& world);
nlohmann::json sales_of(const cli::World& world, const std::string& meter);

// Rows of the ledger's audit log with this action and a detail starting with
// `detail_prefix` (read-only SQLite on <work>/ledger.db); -1 when it cannot be read.
int64_t audit_count(const cli::World& world, const std::string& action, const std::string& detail_prefix = "");

// "Rp43.182": whole rupiah as the receipts write them (written here again, not taken from
// the engine, so that a receipt is checked against an independent rendering).
std::string rupiah_text(int64_t rupiah);
// Sen (P2APST's minor unit 2) to the nearest rupiah, halves up, as the receipt rounds.
inline int64_t sen_to_rupiah(int64_t sen) { return (sen + 50) / 100; }

}  // namespace pintar::testing

#endif  // PINTAR_TESTS_SUPPORT_E2E_H_
