// End to end (issue 10), the customer's purchase dialogue through the whole world of
// cli/world.h: the real `pintar gateway` and `pintar vending` between the SMSC simulator, the
// P2APST simulator, the meter fleet and the phones. Each case checks the four things a
// purchase leaves behind: what the customer received (the phone's inbox), what PLN sold (the
// P2APST simulator), what the meter credited (the fleet) and the purchase's state (the ledger,
// through `pintar purchases show`).
#include <chrono>
#include <fstream>
#include <sstream>
#include <regex>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "cli/world.h"
#include "tests/support/e2e.h"

namespace pintar::testing {
namespace {

using namespace std::chrono_literals;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Everything the customer could have been sent has arrived by then (replies take well under
// a second on loopback); waiting this long before counting catches a second SMS.
// A character a GSM 03.38 default-alphabet SMS carries as one septet without escape.
bool gsm_basic(char c) {
  return c == '\n' || c == '\r' || (c >= 0x20 && c <= 0x7E && std::string_view("`[\\]^{|}~").find(c) == std::string_view::npos);
}

TEST_CASE("own meter with the PIN: one SMS receipt, one sale, the meter credited, completed", "[e2e][purchase]") {
  cli::World world(world_options(cli::demo_customers()));
  const cli::WorldCustomer& dewi = world.options().customers[0];
  const int64_t deposit = world.p2apst("GET", "/deposit")["deposit"].get<int64_t>();
  buy(world, dewi, 50000);
  REQUIRE(reaches(world, dewi.phone, "completed"));
  const nlohmann::json inbox = settled_inbox(world, dewi.phone, 1);
  INFO(all_texts(inbox));
  REQUIRE(inbox.size() == 1);

  // PLN: one sale of Rp50,000 to this meter; the deposit debited by the amount less admin.
  CHECK(sales(world) == 1);
  const nlohmann::json sold = sales_of(world, dewi.meter);
  REQUIRE(sold.size() == 1);
  const nlohmann::json& sale = sold[0];
  CHECK(sale["amount"] == 50000);
  const nlohmann::json& charges = sale["charges"];
  CHECK(world.p2apst("GET", "/deposit")["deposit"].get<int64_t>() ==
        deposit - 50000 + sen_to_rupiah(charges["admin"].get<int64_t>()));

  // The receipt: token 4-4-4-4-4, kWh, amount, each charge PLN reported, the reference; one
  // SMS of GSM characters.
  const std::string receipt = inbox[0]["text"];
  CHECK(receipt.size() <= 160);
  CHECK(inbox[0]["parts"] == 1);
  CHECK(std::all_of(receipt.begin(), receipt.end(), gsm_basic));
  const int64_t kwh_tenths = charges["kwh"].get<int64_t>() / 10;
  REQUIRE(charges["stamp_duty"] == 0);  // Rp50,000 is under the duty threshold
  REQUIRE(charges["ppn"] == 0);         // R1 pays no PPN
  const std::string expected =
      fmt::format("Meter {} {}.{} kWh\nBayar Rp50.000: stroom {} admin {} PBJT {}\nRef {}", dewi.meter,
                  kwh_tenths / 10, kwh_tenths % 10, rupiah_text(sen_to_rupiah(charges["power_purchase"].get<int64_t>())),
                  rupiah_text(sen_to_rupiah(charges["admin"].get<int64_t>())),
                  rupiah_text(sen_to_rupiah(charges["ppj"].get<int64_t>())),
                  sale["pln_ref"].get<std::string>().substr(0, 16));
  std::smatch m;
  REQUIRE(std::regex_match(receipt, m, std::regex(R"(TOKEN (\d{4})-(\d{4})-(\d{4})-(\d{4})-(\d{4})\n([^]*))")));
  CHECK(m[6].str() == expected);
  const std::string token = m[1].str() + m[2].str() + m[3].str() + m[4].str() + m[5].str();

  // The meter: that token entered once, the credit PLN sold.
  const nlohmann::json meter = world.fleet("GET", "/meters/" + dewi.meter);
  CHECK(meter["tokens_accepted_count"] == 1);
  CHECK(meter["credit"] == kwh_tenths);
  CHECK(meter["rejections"].empty());

  // The ledger: completed, with the token, the energy and PLN's reference.
  const nlohmann::json purchase = last_purchase(world, dewi.phone);
  CHECK(purchase["token"] == token);
  CHECK(purchase["energy_deci_kwh"] == kwh_tenths);
  CHECK(purchase["reference"] == sale["pln_ref"]);
  CHECK(purchase["amount_rupiah"] == 50000);

  // The receipt as the ledger keeps it: an outgoing SMS of the purchase, which the gateway's
  // submit result and the SMSC's delivery receipt moved on to "delivered".
  nlohmann::json sent;
  CHECK(eventually([&] {
    sent = sent_to(world, dewi.phone);
    return sent.is_array() && sent.size() == 1 && sent[0]["delivery_state"] == "delivered";
  }, 10s));
  INFO(sent.dump());
  REQUIRE(sent.is_array());
  REQUIRE(sent.size() == 1);
  CHECK(sent[0]["txn_id"] == purchase["txn_id"]);
  CHECK(sent[0]["delivery_state"] == "delivered");

  // Issue 12's reports on the ledger this purchase left (docs/sms-charging.md,
  // docs/pln-daily.md). The SMS of this local month (WIB): the request and the receipt on
  // Dewi's phone, the token to her meter's modem and its answer on her IDPEL.
  using namespace std::chrono;
  const auto local_now = system_clock::now() + hours(7);
  const year_month_day today(floor<days>(local_now));
  const std::string month = fmt::format("{:04}-{:02}", static_cast<int>(today.year()), static_cast<unsigned>(today.month()));
  const std::string out = world.options().work_dir + "/sms-charging.csv";
  const CommandResult sms = world.pintar({"report", "sms", "--month", month, "--out", out});
  INFO(sms.err);
  REQUIRE(sms.exit_status == 0);
  const std::string records = read_text(out);
  INFO(records);
  CHECK(records.starts_with(fmt::format("header,sms,month,payer_type,payer,class,messages\n"
                                        "sms,{0},msisdn,{1},mo_customer,1\n"
                                        "sms,{0},msisdn,{1},mt_customer,1\n"
                                        "sms,{0},idpel,{2},mo_modem,1\n"
                                        "sms,{0},idpel,{2},mt_modem,1\n"
                                        "trailer,4,",
                                        month, dewi.phone, dewi.idpel)));
  // The daily file: `pintar vending` wrote yesterday's at its start once past 01:00 WIB (the
  // registry was imported today, so it holds no records); today's is refused until the day ends.
  const int local_minute = static_cast<int>(duration_cast<minutes>(local_now - floor<days>(local_now)).count());
  if (local_minute >= 60) {
    const year_month_day yesterday(floor<days>(local_now) - days(1));
    const std::string daily = fmt::format("{}/reports/pln-daily-{:04}-{:02}-{:02}.csv", world.options().work_dir,
                                          static_cast<int>(yesterday.year()), static_cast<unsigned>(yesterday.month()),
                                          static_cast<unsigned>(yesterday.day()));
    CHECK(eventually([&] { return read_text(daily).find("\ntrailer,0,") != std::string::npos; }, 10s));
  }
  const std::string today_text = fmt::format("{:04}-{:02}-{:02}", static_cast<int>(today.year()),
                                             static_cast<unsigned>(today.month()), static_cast<unsigned>(today.day()));
  CHECK(world.pintar({"report", "daily", "--date", today_text}).exit_status == 65);

  // Reconciliation (docs/reconciliation.md) against the P2APST simulator's sales file of
  // today's business day (the world runs without a cut-off: it starts at 00:00 WIB): one sale
  // on each side, the same reference and amount.
  const std::string sales_file = world.options().work_dir + "/p2apst-sales.csv";
  CHECK(world.p2apst("POST", "/sales-file", {{"date", today_text}, {"path", sales_file}})["rows"] == 1);
  const CommandResult reconciled = world.pintar(
      {"report", "reconcile", "--date", today_text, "--p2apst-file", sales_file, "--format", "json"});
  INFO(reconciled.out << reconciled.err);
  CHECK(reconciled.exit_status == 0);
  const nlohmann::json r = nlohmann::json::parse(reconciled.out);
  CHECK(r["ours"]["sales"] == 1);
  CHECK(r["ours"]["rupiah"] == 50000);
  CHECK(r["p2apst"]["sales"] == 1);
  CHECK(r["differences"].empty());
}

TEST_CASE("another meter asks for YA <PIN>, which buys it; YA after the window is not sold", "[e2e][purchase]") {
  // confirm_window_s at its minimum keeps the late case short.
  cli::World world(world_options(cli::demo_customers(), "confirm_window_s = 10\n"));
  const cli::WorldCustomer& dewi = world.options().customers[0];
  const cli::WorldCustomer& budi = world.options().customers[1];  // replies in English

  // Budi buys for Dewi's meter: the prompt names her, nothing is sold yet.
  world.send_sms(budi.phone, fmt::format("TOKEN {} 50000", dewi.meter));
  nlohmann::json inbox = inbox_of_at_least(world, budi.phone, 1, 15s);
  REQUIRE(inbox.size() == 1);
  const std::string prompt = inbox[0]["text"];
  INFO(prompt);
  CHECK(prompt.starts_with(fmt::format("{} DEWI LESTARI R1/1.300VA. Buy Rp50.000 fee Rp2.500 = about ", dewi.meter)));
  CHECK(prompt.find("Reply YA <PIN>") != std::string::npos);
  CHECK(prompt.size() <= 160);
  CHECK(state_of(world, budi.phone) == "awaiting_confirmation");
  CHECK(sales(world) == 0);

  world.send_sms(budi.phone, fmt::format("YA {}", budi.pin));
  REQUIRE(reaches(world, budi.phone, "completed"));
  inbox = settled_inbox(world, budi.phone, 2);
  INFO(all_texts(inbox));
  REQUIRE(inbox.size() == 2);
  CHECK(receipts_in(inbox) == 1);
  CHECK(inbox[1]["text"].get<std::string>().find("Paid Rp50.000") != std::string::npos);
  CHECK(world.inbox(dewi.phone).empty());  // the buyer gets the receipt
  CHECK(sales(world) == 1);
  CHECK(sales_of(world, dewi.meter).size() == 1);
  CHECK(world.fleet("GET", "/meters/" + dewi.meter)["tokens_accepted_count"] == 1);
  CHECK(last_purchase(world, budi.phone)["meter"] == dewi.meter);

  // Dewi without her PIN is asked too; her YA comes after the window.
  world.send_sms(dewi.phone, fmt::format("TOKEN {} 100000", dewi.meter));
  inbox = inbox_of_at_least(world, dewi.phone, 1, 15s);
  REQUIRE(inbox.size() == 1);
  CHECK(inbox[0]["text"].get<std::string>().find("Balas YA <PIN>") != std::string::npos);
  REQUIRE(reaches(world, dewi.phone, "expired", 20s));
  world.send_sms(dewi.phone, fmt::format("YA {}", dewi.pin));
  inbox = settled_inbox(world, dewi.phone, 2, 15s);
  INFO(all_texts(inbox));
  REQUIRE(inbox.size() == 2);
  CHECK(inbox[1]["text"].get<std::string>().starts_with("Tidak ada pembelian yang menunggu YA."));
  CHECK(receipts_in(inbox) == 0);
  CHECK(state_of(world, dewi.phone) == "expired");
  CHECK(sales(world) == 1);
  CHECK(world.fleet("GET", "/meters/" + dewi.meter)["tokens_accepted_count"] == 1);
}

TEST_CASE("wrong PINs are told, the fifth locks, and the right PIN is then refused", "[e2e][purchase]") {
  cli::World world(world_options(cli::demo_customers()));
  const cli::WorldCustomer& dewi = world.options().customers[0];
  for (int i = 1; i <= 5; ++i) {
    // A different wrong PIN each time: the same text again would be the first one's answer.
    world.send_sms(dewi.phone, fmt::format("TOKEN {} 50000 00000{}", dewi.meter, i));
    const nlohmann::json inbox = inbox_of_at_least(world, dewi.phone, static_cast<size_t>(i), 15s);
    INFO(all_texts(inbox));
    REQUIRE(inbox.size() == static_cast<size_t>(i));
    const std::string reply = inbox.back()["text"];
    if (i < 5) {
      CHECK(reply == fmt::format("PIN salah. Sisa {} kali lagi sebelum diblokir sementara.", 5 - i));
    } else {
      CHECK(reply.starts_with("PIN salah terlalu sering. Pembelian diblokir 30 menit."));
    }
    CHECK(reply.find(fmt::format("00000{}", i)) == std::string::npos);  // a PIN is never echoed
    CHECK(reaches(world, dewi.phone, "refused", 10s));
  }
  CHECK(audit_count(world, "pin.locked") == 1);

  buy(world, dewi, 50000);
  const nlohmann::json inbox = settled_inbox(world, dewi.phone, 6, 15s);
  INFO(all_texts(inbox));
  REQUIRE(inbox.size() == 6);
  CHECK(inbox[5]["text"].get<std::string>().starts_with("PIN salah terlalu sering."));
  CHECK(state_of(world, dewi.phone) == "refused");
  CHECK(sales(world) == 0);
  CHECK(world.p2apst("GET", "/stats")["requests"].value("2200", 0) == 0);
  CHECK(world.fleet("GET", "/meters/" + dewi.meter)["commands"] == 0);
}

TEST_CASE("a one-way meter's number after its migration is answered with the new meter's", "[e2e][purchase]") {
  cli::World world(world_options(cli::demo_customers()));
  const cli::WorldCustomer& dewi = world.options().customers[0];
  // The helpdesk migrates Dewi's old keypad meter 32100000001 to a new two-way meter.
  const CommandResult migrated = world.pintar(
      {"helpdesk", "registry", "migrate", "--idpel", "511288009999", "--name", "WATI", "--tariff", "R1", "--power-va",
       "1300", "--region", "JKT", "--meter-no", "01428809999", "--sgc", "600675", "--ti", "01", "--krn", "1", "--kt",
       "2", "--ea", "07", "--dkga", "02", "--base-date", "2014", "--kdpm", "ABC", "--modem-msisdn", "6281100009999",
       "--modem-key-id", "modem-9", "--msisdn", "6281399909999", "--language", "id", "--one-way-meter",
       "32100000001", "--reason", "two-way meter fitted"});
  INFO(migrated.err);
  REQUIRE(migrated.exit_status == 0);
  world.send_sms(dewi.phone, fmt::format("TOKEN 32100000001 50000 {}", dewi.pin));
  const nlohmann::json inbox = settled_inbox(world, dewi.phone, 1, 15s);
  INFO(all_texts(inbox));
  REQUIRE(inbox.size() == 1);
  CHECK(inbox[0]["text"] ==
        "Meter 32100000001 sudah diganti meter 01428809999. Beli untuk meter baru: TOKEN 01428809999 <nominal> <PIN>");
  CHECK(sales(world) == 0);
}

TEST_CASE("an unknown meter and an amount not sold are answered; nothing is sold", "[e2e][purchase]") {
  cli::World world(world_options(cli::demo_customers()));
  const cli::WorldCustomer& dewi = world.options().customers[0];
  world.send_sms(dewi.phone, fmt::format("TOKEN 99999999999 50000 {}", dewi.pin));
  nlohmann::json inbox = inbox_of_at_least(world, dewi.phone, 1, 15s);
  REQUIRE(inbox.size() == 1);
  CHECK(inbox[0]["text"] == "Nomor meter/IDPEL 99999999999 tidak dikenal PLN. Periksa nomornya lalu kirim lagi.");

  buy(world, dewi, 30000);
  inbox = settled_inbox(world, dewi.phone, 2, 15s);
  INFO(all_texts(inbox));
  REQUIRE(inbox.size() == 2);
  CHECK(inbox[1]["text"] ==
        "Nominal tidak tersedia. Pilih: Rp20.000, Rp50.000, Rp100.000, Rp200.000, Rp500.000, Rp1.000.000.");
  CHECK(receipts_in(inbox) == 0);
  CHECK(sales(world) == 0);
  CHECK(world.p2apst("GET", "/stats")["requests"].value("2200", 0) == 0);
  CHECK(world.fleet("GET", "/meters/" + dewi.meter)["commands"] == 0);
  const std::string state = state_of(world, dewi.phone);
  CHECK((state == "" || state == "refused"));
}

TEST_CASE("kWh over this month's limit (P2APST 0047): told, nothing charged", "[e2e][purchase]") {
  cli::World world(world_options(cli::demo_customers()));
  const cli::WorldCustomer& dewi = world.options().customers[0];
  // Dewi's account with only 10 kWh left this month; Rp50,000 buys about 29.9 kWh.
  nlohmann::json account = account_of(world, dewi.meter);
  REQUIRE(account.is_object());
  account["max_kwh"] = 10;
  world.p2apst("POST", "/accounts", account);
  const int64_t deposit = world.p2apst("GET", "/deposit")["deposit"].get<int64_t>();

  buy(world, dewi, 50000);
  REQUIRE(reaches(world, dewi.phone, "refused"));
  const nlohmann::json inbox = settled_inbox(world, dewi.phone, 1);
  INFO(all_texts(inbox));
  REQUIRE(inbox.size() == 1);
  CHECK(inbox[0]["text"] == "Sisa batas bulan ini 10 kWh; pilih nominal lebih kecil. Tidak ada biaya.");
  const nlohmann::json stats = world.p2apst("GET", "/stats");
  CHECK(stats["response_codes"].value("0047", 0) == 1);
  CHECK(stats["sales"] == 0);
  CHECK(world.p2apst("GET", "/deposit")["deposit"] == deposit);
  CHECK(world.fleet("GET", "/meters/" + dewi.meter)["commands"] == 0);
}

}  // namespace
}  // namespace pintar::testing
