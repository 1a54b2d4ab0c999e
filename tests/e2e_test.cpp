// End to end (issue 10): customers' SMS through the real world of cli/world.h — the SMSC and
// P2APST simulators, the meter fleet, the phones, and the real `pintar gateway` and
// `pintar vending` processes. What each case counts is what a customer or PLN would: sales at
// the P2APST simulator, tokens the simulated meters accepted, receipts in the phones' inboxes.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "cli/world.h"
#include "tests/support/e2e.h"
#include "tests/support/process.h"

namespace pintar::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// kill -9 of pintar vending, then of pintar gateway, during 200 concurrent purchases, at a
// random moment: every paid request is finished once (one sale at P2APST, one token credited,
// one receipt), whatever step each purchase was at when its daemon died.
TEST_CASE("kill -9 mid-purchase: one sale, one token, one receipt each", "[e2e][kill]") {
  constexpr size_t kCustomers = 200;
  cli::World world(world_options(cli::numbered_customers(kCustomers)));
  std::mt19937 random(std::random_device{}());
  for (const char* victim : {"vending", "gateway"}) {
    INFO(victim);
    const size_t before = world.p2apst("GET", "/stats")["sales"].get<size_t>();
    for (const cli::WorldCustomer& c : cli::numbered_customers(kCustomers)) {
      // Another amount each round: the same text within 2 minutes would be answered, not sold.
      world.send_sms(c.phone, fmt::format("TOKEN {} {} {}", c.meter, std::string(victim) == "vending" ? 50000 : 100000,
                                          c.pin));
    }
    // Somewhere in the middle of the purchases.
    std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(20, 400)(random)));
    if (std::string(victim) == "vending") {
      world.stop_vending(SIGKILL);
      world.start_vending();
    } else {
      world.stop_gateway(SIGKILL);
      world.start_gateway();
    }
    const auto all_received = [&] {
      for (const cli::WorldCustomer& c : cli::numbered_customers(kCustomers)) {
        if (receipts_in(world.inbox(c.phone)) < (std::string(victim) == "vending" ? 1u : 2u)) return false;
      }
      return true;
    };
    const bool received = eventually(all_received, seconds(90));
    if (!received) {
      for (const cli::WorldCustomer& c : cli::numbered_customers(kCustomers)) {
        UNSCOPED_INFO(c.phone << ": " << world.inbox(c.phone).dump() << " state " << state_of(world, c.phone));
      }
    }
    REQUIRE(received);
    std::this_thread::sleep_for(seconds(2));  // anything doubled would arrive by now
    const size_t sales = world.p2apst("GET", "/stats")["sales"].get<size_t>() - before;
    CHECK(sales == kCustomers);
    for (const cli::WorldCustomer& c : cli::numbered_customers(kCustomers)) {
      INFO(c.meter);
      const nlohmann::json meter = world.fleet("GET", "/meters/" + c.meter);
      CHECK(meter["tokens_accepted_count"].get<size_t>() == (std::string(victim) == "vending" ? 1u : 2u));
      CHECK(receipts_in(world.inbox(c.phone)) == (std::string(victim) == "vending" ? 1u : 2u));
      CHECK(eventually([&] { return state_of(world, c.phone) == "completed"; }, seconds(30)));
    }
  }
  const CommandResult verified = world.pintar({"ledger", "verify"});
  CHECK(verified.exit_status == 0);
}

// The token is sent again, then the purchase needs a person and the customer is told.
TEST_CASE("a silent modem: resends, then needs_manual", "[e2e]") {
  cli::World world(world_options(cli::demo_customers(), "modem_ack_timeout_s = 1\nmodem_resends = 2\n"));
  const cli::WorldCustomer& dewi = world.options().customers[0];
  world.fleet("POST", "/meters/" + dewi.meter + "/behaviour", {{"silent", true}});
  world.send_sms(dewi.phone, fmt::format("TOKEN {} 50000 {}", dewi.meter, dewi.pin));
  REQUIRE(eventually([&] { return state_of(world, dewi.phone) == "needs_manual"; }, seconds(30)));
  const nlohmann::json meter = world.fleet("GET", "/meters/" + dewi.meter);
  const CommandResult shown =
      world.pintar({"purchases", "show", "--msisdn", dewi.phone, "--last", "--format", "json"});
  REQUIRE(shown.exit_status == 0);
  CHECK(nlohmann::json::parse(shown.out)["modem_command"]["attempts"].get<int>() == 3);  // first + 2 resends
  CHECK(meter["tokens_accepted_count"].get<size_t>() == 1);  // the same token: credited once
  const nlohmann::json inbox = world.inbox(dewi.phone);
  CHECK(receipts_in(inbox) == 1);
  CHECK(inbox.size() == 2);  // the receipt, then "key the token in yourself"
  CHECK(world.p2apst("GET", "/stats")["sales"].get<size_t>() == 1);
}

// Within vending.same_text_window_s the first result is the answer.
TEST_CASE("the same purchase text twice: one sale, the receipt again", "[e2e]") {
  cli::World world(world_options(cli::demo_customers()));
  const cli::WorldCustomer& dewi = world.options().customers[0];
  const std::string text = fmt::format("TOKEN {} 50000 {}", dewi.meter, dewi.pin);
  world.send_sms(dewi.phone, text);
  REQUIRE(eventually([&] { return state_of(world, dewi.phone) == "completed"; }, seconds(30)));
  const size_t before = world.inbox(dewi.phone).size();
  world.send_sms(dewi.phone, text);
  // The gateway sees the same deliver_sm within gateway.mo_dedup_window_s (it cannot tell
  // the customer from an SMSC redelivery), stores nothing and passes an mo_repeat on; the
  // engine answers it with the purchase's last SMS, the receipt.
  const nlohmann::json inbox = world.wait_inbox(dewi.phone, before, seconds(20));
  REQUIRE(inbox.size() == before + 1);
  CHECK(inbox.back()["text"] == inbox.at(before - 1)["text"]);
  CHECK(receipts_in(inbox) == 2);  // the same receipt twice
  std::this_thread::sleep_for(seconds(2));
  CHECK(world.inbox(dewi.phone).size() == before + 1);
  CHECK(world.p2apst("GET", "/stats")["sales"].get<size_t>() == 1);
  CHECK(world.fleet("GET", "/meters/" + dewi.meter)["tokens_accepted_count"].get<size_t>() == 1);
}

}  // namespace
}  // namespace pintar::testing
