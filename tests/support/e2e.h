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
#include "tests/support/process.h"

namespace pintar::testing {

// A world in a fresh temporary directory with these customers and [vending] lines.
cli::WorldOptions world_options(std::vector<cli::WorldCustomer> customers, std::string vending_extra = {});

// How long after the SMS a test waits for has arrived before it counts them: replies take
// well under a second on loopback, so a second SMS that should not exist would be here.
inline constexpr std::chrono::milliseconds kSettle{1500};

// The customer texts "TOKEN <their meter> <amount> <their PIN>" to the short code.
void buy(const cli::World& world, const cli::WorldCustomer& customer, int64_t amount);
// Whether the phone's last purchase reaches `state` within `timeout`.
bool reaches(const cli::World& world, const std::string& phone, const std::string& state,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Token receipts ("TOKEN dddd-...") among a phone's SMS.
size_t receipts_in(const nlohmann::json& inbox);
// The SMS texts of an inbox, oldest first (for INFO and counting).
std::vector<std::string> texts_of(const nlohmann::json& inbox);
// "a | b": an inbox's texts on one line, for INFO.
std::string all_texts(const nlohmann::json& inbox);
// The phone's inbox once it holds at least `count` SMS, or whatever it holds after `timeout`.
nlohmann::json inbox_of_at_least(const cli::World& world, const std::string& phone, size_t count,
                                 std::chrono::milliseconds timeout);
// The same, then kSettle later (so that the caller's count also catches an SMS too many).
nlohmann::json settled_inbox(const cli::World& world, const std::string& phone, size_t count,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10));
// "1234-5678-9012-3456-7890" from the 20 digits, as receipts write a token.
std::string dashed_token(const std::string& digits);

// `pintar purchases show --msisdn PHONE --last --format json`; null when there is none.
nlohmann::json last_purchase(const cli::World& world, const std::string& phone);
std::string state_of(const cli::World& world, const std::string& phone);  // "" when none

// The P2APST simulator's real charges so far (GET /stats "sales") and its sales of a meter.
size_t sales(const cli::World& world);
nlohmann::json sales_of(const cli::World& world, const std::string& meter);
// The P2APST simulator's account of a meter (GET /accounts), null when it has none.
nlohmann::json account_of(const cli::World& world, const std::string& meter);

// Rows of the ledger's audit log with this action and a detail starting with
// `detail_prefix` (read-only SQLite on <work>/ledger.db); -1 when it cannot be read.
int64_t audit_count(const cli::World& world, const std::string& action, const std::string& detail_prefix = "");

// The SMS the engine sent to `msisdn` as the ledger keeps them (messages "out", oldest
// first): each {"id", "txn_id" (null when none), "delivery_state"}; null when it cannot be read.
nlohmann::json sent_to(const cli::World& world, const std::string& msisdn);

// "Rp43.182": whole rupiah as the receipts write them (written here again, not taken from
// the engine, so that a receipt is checked against an independent rendering).
std::string rupiah_text(int64_t rupiah);
// Sen (P2APST's minor unit 2) to the nearest rupiah, halves up, as the receipt rounds.
inline int64_t sen_to_rupiah(int64_t sen) { return (sen + 50) / 100; }

}  // namespace pintar::testing

#endif  // PINTAR_TESTS_SUPPORT_E2E_H_
