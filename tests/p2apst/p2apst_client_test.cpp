// The P2APST client (vending/p2apst: Link + Prepaid) against the independent simulator
// in tests/peers/p2apst-sim, over real sockets: every message type and every fault the
// simulator can inject. Timeouts are short (500 ms) so the file runs in seconds; waits are
// for events (wait_until), not sleeps.
// Past 500 lines on purpose: one case per message type and fault, sharing the simulator
// fixture at the top.
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/p2apst/p2apst_sim.h"
#include "vending/p2apst/buy.h"
#include "vending/p2apst/link.h"
#include "vending/p2apst/prepaid.h"

namespace pintar::p2apst {
namespace {

using namespace std::chrono_literals;
using testing::P2apstSim;

constexpr std::string_view kBudi = "11000000002";    // R1 900 VA
constexpr std::string_view kUnsold = "11000000010";  // starts with unsold tokens of Rp 52,500 and 22,500
constexpr int64_t kAmount = 52500;                   // Rp 50,000 token + Rp 2,500 admin

// Waits for something another thread (the link's) does; false if it did not happen in time.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

Options test_options(int port) {
  Options o;
  o.partner = {"SIM0001", "4510017", "4512017", "PINTAR01", "6021"};
  o.link.port = port;
  o.link.request_timeout = 500ms;
  o.link.connect_timeout = 1000ms;
  o.link.reconnect_min = 50ms;
  o.link.reconnect_max = 200ms;
  o.cut_off = {0, 0, 420};  // empty window: the local pre-check is off unless a test sets it
  o.advice = {.repeat_count = 3, .repeat_interval = 250ms};
  return o;
}

// A client process in miniature: link, journal (shared across "restarts"), prepaid.
struct Client {
  Client(const Options& options, PurchaseJournal& journal, StanSequence& stans, Clock& clock = Clock::real())
      : link(options.link, options.partner, stans, clock), prepaid(link, journal, options) {
    link.start();
  }
  Link link;
  Prepaid prepaid;
};

struct Fixture {
  explicit Fixture(std::vector<std::string> sim_args = {}, std::function<void(Options&)> tweak = {})
      : sim(std::move(sim_args)), options(test_options(sim.iso_port())) {
    if (tweak) tweak(options);
    client = std::make_unique<Client>(options, journal, stans);
    REQUIRE(client->link.wait_signed_on(5s));
  }
  InquiryResponse inquire(std::string_view meter) {
    auto out = client->prepaid.inquiry(meter, LookupBy::kMeter);
    REQUIRE(out.ok());
    REQUIRE(out->response_code == "0000");
    return *out->inquiry;
  }
  PurchaseOutcome buy(std::string_view meter, int64_t amount = kAmount) {
    auto out = client->prepaid.purchase(inquire(meter), amount, BuyingOption::kNewToken);
    REQUIRE(out.ok());
    return *out;
  }

  P2apstSim sim;
  Options options;
  MemoryPurchaseJournal journal;
  MemoryStanSequence stans;
  std::unique_ptr<Client> client;
};

void check_completed(const PurchaseOutcome& out, const P2apstSim& sim) {
  REQUIRE(out.state == PurchaseState::kCompleted);
  REQUIRE(out.receipt);
  const auto sales = sim.get("/sales")["sales"];
  REQUIRE(sales.size() >= 1);
  const auto& sale = sales.back();
  CHECK(out.receipt->token == sale["token"].get<std::string>());
  CHECK(kwh_hundredths(out.receipt->kwh) == sale["charges"]["kwh"].get<int64_t>());
}

TEST_CASE("signs on, answers inquiries by meter and by IDPEL, signs off on stop", "[p2apst]") {
  Fixture f;
  CHECK(f.sim.requests("2800") == 1);
  auto by_meter = f.client->prepaid.inquiry(kBudi, LookupBy::kMeter);
  REQUIRE(by_meter.ok());
  REQUIRE(by_meter->response_code == "0000");
  CHECK(trimmed(by_meter->inquiry->name) == "BUDI SANTOSO");
  CHECK(by_meter->inquiry->power_va == 900);
  CHECK(by_meter->inquiry->admin == MinorAmount{2, 250000});
  CHECK(by_meter->data3->max_kwh == 648);
  auto by_idpel = f.client->prepaid.inquiry("511000000002", LookupBy::kIdpel);
  REQUIRE(by_idpel.ok());
  CHECK(by_idpel->inquiry->subscriber.meter == kBudi);
  CHECK(by_idpel->inquiry->subscriber.flag == LookupBy::kIdpel);
  f.client->link.stop();
  CHECK(f.sim.requests("2800") == 2);  // the sign-off
  CHECK(f.client->link.counters().value(kSignOns) == 1);
}

TEST_CASE("refusals from an inquiry come back as response codes with customer text", "[p2apst]") {
  Fixture f;
  auto unknown = f.client->prepaid.inquiry("19999999999", LookupBy::kMeter);
  REQUIRE(unknown.ok());
  CHECK(unknown->response_code == "0014");
  CHECK(unknown->meaning().cause == Cause::kUnknownSubscriber);
  CHECK(f.client->prepaid.inquiry("11000000008", LookupBy::kMeter)->response_code == "0016");
  CHECK(f.client->prepaid.inquiry("11000000009", LookupBy::kMeter)->response_code == "0077");
  CHECK(f.client->prepaid.inquiry("1100", LookupBy::kMeter).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("a purchase returns the token; charges add up to the amount", "[p2apst]") {
  Fixture f;
  const PurchaseOutcome out = f.buy(kBudi);
  check_completed(out, f.sim);
  const PurchaseResponse& r = *out.receipt;
  CHECK(r.token.size() == 20);
  const int64_t sen = r.admin.value + r.stamp_duty.value + r.ppn.value + r.ppj.value + r.instalment.value +
                      r.power_purchase.value;
  CHECK(sen == kAmount * 100);
  CHECK(f.sim.sales() == 1);
  CHECK(f.journal.get(out.journal_id)->state == PurchaseState::kCompleted);
  CHECK(f.journal.get(out.journal_id)->response_bit48.size() == 241);
}

TEST_CASE("financial traffic is refused until signed on", "[p2apst]") {
  P2apstSim sim;
  MemoryStanSequence stans;
  MemoryPurchaseJournal journal;
  Options options = test_options(sim.iso_port());
  Link link(options.link, options.partner, stans, Clock::real());  // never started
  Prepaid prepaid(link, journal, options);
  CHECK(prepaid.inquiry(kBudi, LookupBy::kMeter).status().code() == StatusCode::kFailedPrecondition);
  InquiryResponse any;
  any.subscriber = {"SIM0001", std::string(kBudi), "000000000000", LookupBy::kMeter};
  any.pln_ref = any.switcher_ref = std::string(32, 'A');
  any.tariff = "R1";
  CHECK(prepaid.purchase(any, kAmount, BuyingOption::kNewToken).status().code() == StatusCode::kFailedPrecondition);
  CHECK(journal.list_unresolved()->empty());
  CHECK(sim.requests("2100") == 0);
}

TEST_CASE("a refused sign-on is retried with backoff until it succeeds", "[p2apst]") {
  P2apstSim sim;
  sim.fault({{"kind", "refuse_signon"}, {"code", "0005"}, {"count", 2}});
  MemoryStanSequence stans;
  MemoryPurchaseJournal journal;
  Client client(test_options(sim.iso_port()), journal, stans);
  REQUIRE(client.link.wait_signed_on(5s));
  CHECK(client.link.counters().value(kSignOnRefusals) == 2);
  CHECK(sim.requests("2800") == 3);
  CHECK(client.link.last_problem().empty());
}

TEST_CASE("a host that answers 0011 (sign on first) is signed on to again", "[p2apst]") {
  Fixture f;
  CHECK(f.sim.requests("2800") == 1);
  f.sim.fault({{"kind", "rc"}, {"code", "0011"}, {"mti", "2100"}});
  auto refused = f.client->prepaid.inquiry(kBudi, LookupBy::kMeter);
  REQUIRE(refused.ok());
  CHECK(refused->response_code == "0011");
  REQUIRE(f.client->link.wait_signed_on(5s));
  CHECK(wait_until([&] { return f.client->link.counters().value(kSignOns) == 2; }));
  CHECK(f.sim.requests("2800") == 2);
  CHECK(f.inquire(kBudi).subscriber.meter == kBudi);
}

// Over the real socket the echo is waited for as an event (the counter and the simulator's
// request count), not a fixed sleep; the session's echo timer itself is unit-tested on the
// manual clock in vending/p2apst/link_session_test.cpp.
TEST_CASE("an idle link sends echo tests", "[p2apst]") {
  Fixture f({}, [](Options& o) { o.link.echo_interval = 150ms; });
  CHECK(wait_until([&] { return f.client->link.counters().value(kEchoes) >= 2; }));
  CHECK(wait_until([&] { return f.sim.requests("2800") >= 3; }));
  CHECK(f.client->link.signed_on());
}

TEST_CASE("every refusal code of a purchase is a declined outcome with its text", "[p2apst]") {
  Fixture f;
  for (const char* code : {"0013", "0016", "0041", "0042", "0046", "0047", "0077", "0090", "0097", "0098"}) {
    f.sim.fault({{"kind", "rc"}, {"code", code}, {"mti", "2200"}});
    const PurchaseOutcome out = f.buy(kBudi);
    CHECK(out.state == PurchaseState::kDeclined);
    CHECK(out.response_code == code);
    CHECK(out.meaning().code == code);
  }
  CHECK(f.sim.sales() == 0);
  CHECK(f.sim.requests("2220") == 0);
}

TEST_CASE("a sale whose reply is dropped is completed by advice, with one charge", "[p2apst]") {
  Fixture f;
  f.sim.fault({{"kind", "drop_after_sale"}});
  const PurchaseOutcome out = f.buy(kBudi);
  check_completed(out, f.sim);
  CHECK(f.sim.requests("2200") == 1);
  CHECK(f.sim.requests("2220") == 1);
  CHECK(f.sim.requests("2221") == 0);
  CHECK(f.sim.sales() == 1);
  CHECK(f.journal.get(out.journal_id)->advice_count == 1);
}

TEST_CASE("a purchase dropped before any sale is settled as no sale by advice", "[p2apst]") {
  Fixture f;
  f.sim.fault({{"kind", "drop_no_sale"}, {"mti", "2200"}});
  const PurchaseOutcome out = f.buy(kBudi);
  CHECK(out.state == PurchaseState::kNoSale);
  CHECK(out.response_code == "0063");
  CHECK(out.meaning().cause == Cause::kNoSuchPurchase);
  CHECK(f.sim.sales() == 0);
  CHECK(f.sim.requests("2200") == 1);
}

TEST_CASE("0068 (timeout at PLN) does not settle a purchase: advice does", "[p2apst]") {
  Fixture f;
  f.sim.fault({{"kind", "rc"}, {"code", "0068"}, {"mti", "2200"}});
  const PurchaseOutcome out = f.buy(kBudi);
  CHECK(out.state == PurchaseState::kNoSale);
  CHECK(f.sim.requests("2220") == 1);
}

TEST_CASE("unanswered advices are repeated (2221) up to the limit, then left for manual resolution", "[p2apst]") {
  Fixture f;
  f.sim.fault({{"kind", "drop_after_sale"}});
  f.sim.fault({{"kind", "drop_no_sale"}, {"mti", "2220"}});
  f.sim.fault({{"kind", "drop_no_sale"}, {"mti", "2221"}, {"count", 3}});
  const auto start = std::chrono::steady_clock::now();
  const PurchaseOutcome out = f.buy(kBudi);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(out.state == PurchaseState::kNeedsManual);
  // The purchase waits its 500 ms timeout; then the four advices go out 250 ms apart, send to
  // send (each waits at most the interval): about 1.5 s in all. Waiting the full timeout and
  // then the interval after each advice would take 3.25 s.
  CHECK(elapsed < 3000ms);
  CHECK(f.sim.requests("2200") == 1);
  CHECK(f.sim.requests("2220") == 1);
  CHECK(f.sim.requests("2221") == 3);
  CHECK(f.journal.get(out.journal_id)->advice_count == 4);
  CHECK(f.sim.sales() == 1);  // PLN did sell: a person must deliver it
}

TEST_CASE("a repeat advice that is answered completes the sale", "[p2apst]") {
  Fixture f;
  f.sim.fault({{"kind", "drop_after_sale"}});
  f.sim.fault({{"kind", "drop_no_sale"}, {"mti", "2220"}});
  f.sim.fault({{"kind", "drop_no_sale"}, {"mti", "2221"}});
  const PurchaseOutcome out = f.buy(kBudi);
  check_completed(out, f.sim);
  CHECK(f.sim.requests("2221") == 2);
  CHECK(f.sim.sales() == 1);
}

TEST_CASE("a delayed answer within the timeout is used; a later one times out", "[p2apst]") {
  Fixture f;
  f.sim.fault({{"kind", "delay"}, {"ms", 200}, {"mti", "2200"}});
  check_completed(f.buy(kBudi), f.sim);
  // The round trip histogram has the delayed 2210 past 0.2 s (bucket le 0.5), the rest quicker.
  const Histogram::Snapshot answered = f.client->link.round_trip().snapshot();
  CHECK(answered.count >= 1);
  CHECK(answered.counts[8] == 1);  // (200 ms, 500 ms]
  f.sim.fault({{"kind", "delay"}, {"ms", 900}, {"mti", "2100"}});
  CHECK(f.client->prepaid.inquiry(kBudi, LookupBy::kMeter).status().code() == StatusCode::kTimeout);
  // The late 2110 arrives and is counted, not misrouted, and not a round trip.
  CHECK(wait_until([&] { return f.client->link.counters().value(kLateAnswers) == 1; }));
  CHECK(f.client->link.round_trip().snapshot().count == answered.count);
  CHECK(f.client->prepaid.inquiry(kBudi, LookupBy::kMeter)->response_code == "0000");
}

TEST_CASE("a connection closed on a purchase: reconnect, sign on again, settle by advice", "[p2apst]") {
  Fixture f;
  f.sim.fault({{"kind", "close"}, {"mti", "2200"}});
  const PurchaseOutcome out = f.buy(kBudi);
  CHECK(out.state == PurchaseState::kNoSale);
  CHECK(f.client->link.counters().value(kSignOns) == 2);
  CHECK(f.sim.requests("2200") == 1);
  CHECK(f.sim.sales() == 0);
}

TEST_CASE("while the link cannot sign on, no advice is used up: the purchase stays unresolved", "[p2apst]") {
  Fixture f;
  f.sim.fault({{"kind", "refuse_signon"}, {"count", 1000}});
  f.sim.fault({{"kind", "close"}, {"mti", "2200"}});
  const PurchaseOutcome out = f.buy(kBudi);
  CHECK(out.state == PurchaseState::kSent);
  CHECK(f.journal.get(out.journal_id)->advice_count == 0);
  CHECK(f.sim.requests("2220") == 0);
  f.sim.clear_faults();
  REQUIRE(f.client->link.wait_signed_on(5s));
  auto resumed = f.client->prepaid.resume_unresolved();
  REQUIRE(resumed.ok());
  REQUIRE(resumed->size() == 1);
  CHECK(resumed->front().state == PurchaseState::kNoSale);
  CHECK(f.sim.requests("2200") == 1);
}

TEST_CASE("a reply cut off mid-frame with the connection: the sale is found by advice", "[p2apst]") {
  Fixture f;
  f.sim.fault({{"kind", "truncate"}, {"mti", "2200"}});
  const PurchaseOutcome out = f.buy(kBudi);
  check_completed(out, f.sim);
  CHECK(f.sim.requests("2200") == 1);
  CHECK(f.sim.requests("2220") == 1);
  CHECK(f.sim.sales() == 1);
  CHECK(f.client->link.counters().value(kSignOns) == 2);
}

TEST_CASE("a duplicated reply is used once; the copy is counted as late", "[p2apst]") {
  Fixture f;
  f.sim.fault({{"kind", "duplicate"}, {"mti", "2200"}});
  check_completed(f.buy(kBudi), f.sim);
  CHECK(f.client->prepaid.inquiry(kBudi, LookupBy::kMeter)->response_code == "0000");  // the link still works
  CHECK(f.client->link.counters().value(kLateAnswers) == 1);
  CHECK(f.sim.sales() == 1);
}

TEST_CASE("an undecodable answer is dropped; the request times out and the link stays up", "[p2apst]") {
  Fixture f;
  f.sim.fault({{"kind", "garbage"}, {"mti", "2100"}});
  CHECK(f.client->prepaid.inquiry(kBudi, LookupBy::kMeter).status().code() == StatusCode::kTimeout);
  CHECK(f.client->link.counters().value(kUndecodable) == 1);
  CHECK(f.client->link.signed_on());
}

TEST_CASE("many requests in flight on one link are matched by STAN, answers out of order", "[p2apst]") {
  Fixture f;
  const std::vector<std::string> meters = {"11000000001", "11000000002", "11000000003", "11000000004",
                                           "11000000005", "11000000006", "11000000007", "11000000002"};
  for (size_t i = 0; i < meters.size(); ++i) {
    f.sim.fault({{"kind", "delay"}, {"ms", 300 - 30 * static_cast<int>(i)}, {"meter", meters[i]}});
  }
  std::vector<std::future<Result<InquiryOutcome>>> futures;
  for (const auto& meter : meters) {
    futures.push_back(std::async(std::launch::async, [&f, meter] {
      return f.client->prepaid.inquiry(meter, LookupBy::kMeter);
    }));
  }
  for (size_t i = 0; i < meters.size(); ++i) {
    auto out = futures[i].get();
    REQUIRE(out.ok());
    REQUIRE(out->inquiry);
    CHECK(out->inquiry->subscriber.meter == meters[i]);
  }
}

TEST_CASE("cut-off: PLN's 0090 and the local pre-check both give the cut-off message", "[p2apst]") {
  Fixture f;
  f.sim.post("/clock", {{"now", "2026-11-25T23:45:00+07:00"}});
  auto from_pln = f.client->prepaid.inquiry(kBudi, LookupBy::kMeter);
  REQUIRE(from_pln.ok());
  CHECK(from_pln->response_code == "0090");
  CHECK_FALSE(from_pln->answered_locally);
  CHECK(from_pln->meaning().cause == Cause::kCutOff);

  ManualClock clock(std::chrono::sys_days{std::chrono::November / 25 / 2026} + 16h + 45min);  // 23:45 WIB
  Options options = f.options;
  options.link.echo_interval = 24h;  // the manual clock jumps 50 min below: no echo falls due
  options.cut_off = {23 * 60 + 30, 30, 420};
  MemoryStanSequence stans;
  Client local(options, f.journal, stans, clock);
  REQUIRE(local.link.wait_signed_on(5s));
  const int inquiries = f.sim.requests("2100");
  auto pre = local.prepaid.inquiry(kBudi, LookupBy::kMeter);
  REQUIRE(pre.ok());
  CHECK(pre->response_code == "0090");
  CHECK(pre->answered_locally);
  InquiryResponse any;
  any.subscriber = {"SIM0001", std::string(kBudi), "000000000000", LookupBy::kMeter};
  any.pln_ref = any.switcher_ref = std::string(32, 'A');
  auto purchase = local.prepaid.purchase(any, kAmount, BuyingOption::kNewToken);
  REQUIRE(purchase.ok());
  CHECK(purchase->response_code == "0090");
  CHECK(purchase->journal_id == 0);
  CHECK(f.sim.requests("2100") == inquiries);
  CHECK(f.sim.requests("2200") == 0);
  clock.advance(50min);  // 00:35 WIB: open again
  CHECK(local.prepaid.inquiry(kBudi, LookupBy::kMeter)->response_code == "0090");  // PLN's clock still says 23:45
  f.sim.post("/clock", {{"now", nullptr}});
}

TEST_CASE("an unsold token reported by the inquiry is taken (buying option 1) without a new charge", "[p2apst]") {
  Fixture f;
  auto inquiry = f.client->prepaid.inquiry(kUnsold, LookupBy::kMeter);
  REQUIRE(inquiry.ok());
  REQUIRE(inquiry->data3);
  CHECK(inquiry->data3->unsold_amounts == std::vector<int64_t>{52500, 22500});
  const BuyingOption option = choose_buying_option(inquiry->data3, 52500);
  CHECK(option == BuyingOption::kUnsoldToken);
  CHECK(choose_buying_option(inquiry->data3, 102500) == BuyingOption::kNewToken);
  const int64_t deposit = f.sim.get("/deposit")["deposit"].get<int64_t>();
  auto out = f.client->prepaid.purchase(*inquiry->inquiry, 52500, option);
  REQUIRE(out.ok());
  REQUIRE(out->state == PurchaseState::kCompleted);
  CHECK(out->receipt->buying_option == BuyingOption::kUnsoldToken);
  CHECK(f.sim.get("/stats")["unsold_taken"].get<int>() == 1);
  CHECK(f.sim.sales() == 0);
  CHECK(f.sim.get("/deposit")["deposit"].get<int64_t>() == deposit);
  auto after = f.client->prepaid.inquiry(kUnsold, LookupBy::kMeter);
  CHECK(after->data3->unsold_amounts == std::vector<int64_t>{22500});
}

TEST_CASE("a purchase cut short by a stop is resumed with advice by the next run, never a second 2200", "[p2apst]") {
  Fixture f;
  f.sim.fault({{"kind", "drop_after_sale"}});
  const InquiryResponse inquiry = f.inquire(kBudi);
  auto pending = std::async(std::launch::async, [&] {
    return f.client->prepaid.purchase(inquiry, kAmount, BuyingOption::kNewToken);
  });
  REQUIRE(wait_until([&] { return f.sim.requests("2200") == 1; }));
  f.client->link.stop();
  auto cut = pending.get();
  REQUIRE(cut.ok());
  CHECK(cut->state == PurchaseState::kSent);
  REQUIRE(f.journal.list_unresolved()->size() == 1);

  Client restarted(f.options, f.journal, f.stans);
  REQUIRE(restarted.link.wait_signed_on(5s));
  auto resumed = restarted.prepaid.resume_unresolved();
  REQUIRE(resumed.ok());
  REQUIRE(resumed->size() == 1);
  check_completed(resumed->front(), f.sim);
  CHECK(f.sim.requests("2200") == 1);
  CHECK(f.sim.requests("2220") == 1);
  CHECK(f.sim.sales() == 1);
  CHECK(f.journal.list_unresolved()->empty());
}

TEST_CASE("ascii4 framing with ETX", "[p2apst]") {
  Fixture f({"--framing", "ascii4", "--etx"}, [](Options& o) {
    o.link.framing = {.header = LengthHeader::kAscii4, .etx = true};
  });
  check_completed(f.buy(kBudi), f.sim);
}

TEST_CASE("resume settles unresolved purchases concurrently: every advice is out before any answer", "[p2apst]") {
  Fixture f({}, [](Options& o) {
    o.link.request_timeout = 5000ms;
    o.advice.repeat_interval = 5000ms;
  });
  // Three purchases a crashed run left as sent; the host never saw them (their advice gets 0063).
  auto bit48 = format_purchase_request({f.inquire(kBudi), BuyingOption::kNewToken});
  REQUIRE(bit48.ok());
  for (int i = 0; i < 3; ++i) {
    PurchaseRecord r;
    r.meter = std::string(kBudi);
    r.amount = kAmount;
    r.bit48 = *bit48;
    r.local_time = "20261125100000";
    auto id = f.journal.record_intent(r);
    REQUIRE(id.ok());
    REQUIRE(f.journal.mark_sent(*id, PurchaseState::kIntent, PurchaseState::kSent, fmt::format("99990000000{}", i), 0).ok());
  }
  f.sim.fault({{"kind", "delay"}, {"ms", 1500}, {"mti", "2220"}, {"count", 3}});
  std::promise<Result<std::vector<PurchaseOutcome>>> settled;
  auto result = settled.get_future();
  f.client->prepaid.resume_unresolved_async([&](Result<std::vector<PurchaseOutcome>> r) { settled.set_value(std::move(r)); });
  // One at a time, the second 2220 would only leave after the first answer (1.5 s).
  REQUIRE(wait_until([&] { return f.sim.requests("2220") == 3; }, 1200ms));
  CHECK(f.sim.get("/stats")["responses"].value("2230", 0) == 0);
  auto outcomes = result.get();
  REQUIRE(outcomes.ok());
  REQUIRE(outcomes->size() == 3);
  for (const PurchaseOutcome& out : *outcomes) CHECK(out.state == PurchaseState::kNoSale);
  CHECK((*outcomes)[0].journal_id < (*outcomes)[2].journal_id);  // journal order
  CHECK(f.sim.requests("2200") == 0);
}

TEST_CASE("one thread starts many purchases at once; each gets its own token", "[p2apst]") {
  Fixture f;
  constexpr int kCount = 6;
  std::vector<InquiryResponse> inquiries;  // one each: PLN refuses a second sale on one inquiry (0094)
  for (int i = 0; i < kCount; ++i) inquiries.push_back(f.inquire(kBudi));
  std::mutex mutex;
  std::vector<Result<PurchaseOutcome>> outcomes;
  std::promise<void> all;
  for (int i = 0; i < kCount; ++i) {
    f.client->prepaid.purchase_async(inquiries[i], kAmount, BuyingOption::kNewToken, [&](Result<PurchaseOutcome> out) {
      std::lock_guard lock(mutex);  // no REQUIRE here: this runs on the link's thread
      outcomes.push_back(std::move(out));
      if (outcomes.size() == kCount) all.set_value();
    });
  }
  all.get_future().wait();
  std::set<std::string> tokens;
  for (const auto& result : outcomes) {
    REQUIRE(result.ok());
    const PurchaseOutcome& out = *result;
    REQUIRE(out.state == PurchaseState::kCompleted);
    tokens.insert(out.receipt->token);
  }
  CHECK(tokens.size() == kCount);
  CHECK(f.sim.sales() == kCount);
  CHECK(f.sim.requests("2200") == kCount);
}

TEST_CASE("the buying procedure: takes an unsold token, refuses a new one while others wait", "[p2apst]") {
  Fixture f;
  const BuyOutcome refused = buy(f.client->prepaid, {.number = std::string(kUnsold), .by = LookupBy::kMeter,
                                                     .amount = 102500, .new_token = false});
  CHECK(refused.ended_at == BuyStage::kChoice);
  CHECK(refused.error.ok());
  CHECK(refused.unsold_waiting == std::vector<int64_t>{52500, 22500});
  CHECK(f.sim.requests("2200") == 0);

  const BuyOutcome unsold = buy(f.client->prepaid, {.number = std::string(kUnsold), .by = LookupBy::kMeter,
                                                    .amount = 52500, .new_token = false});
  CHECK(unsold.ended_at == BuyStage::kPurchase);
  CHECK(unsold.option == BuyingOption::kUnsoldToken);
  REQUIRE(unsold.purchase);
  CHECK(unsold.purchase->state == PurchaseState::kCompleted);
  CHECK(f.sim.sales() == 0);

  const BuyOutcome forced = buy(f.client->prepaid, {.number = std::string(kUnsold), .by = LookupBy::kMeter,
                                                    .amount = 102500, .new_token = true});
  REQUIRE(forced.purchase);
  CHECK(forced.purchase->state == PurchaseState::kCompleted);
  CHECK(f.sim.sales() == 1);

  const BuyOutcome unknown = buy(f.client->prepaid, {.number = "19999999999", .by = LookupBy::kMeter,
                                                     .amount = kAmount, .new_token = false});
  CHECK(unknown.ended_at == BuyStage::kInquiry);
  CHECK(unknown.inquiry->response_code == "0014");
}

TEST_CASE("the buying procedure settles an earlier unresolved purchase first, and sells nothing while one stays", "[p2apst]") {
  Fixture f;
  f.sim.fault({{"kind", "refuse_signon"}, {"count", 1000}});
  f.sim.fault({{"kind", "close"}, {"mti", "2200"}});
  const PurchaseOutcome cut = f.buy(kBudi);
  REQUIRE(cut.state == PurchaseState::kSent);
  const BuyOutcome blocked = buy(f.client->prepaid, {.number = std::string(kBudi), .by = LookupBy::kMeter,
                                                     .amount = kAmount, .new_token = false});
  CHECK(blocked.ended_at == BuyStage::kResume);
  CHECK(blocked.earlier_unresolved);
  CHECK(f.sim.requests("2200") == 1);
  f.sim.clear_faults();
  REQUIRE(f.client->link.wait_signed_on(5s));
  const BuyOutcome bought = buy(f.client->prepaid, {.number = std::string(kBudi), .by = LookupBy::kMeter,
                                                    .amount = kAmount, .new_token = false});
  REQUIRE(bought.resumed.size() == 1);
  CHECK(bought.resumed[0].state == PurchaseState::kNoSale);
  REQUIRE(bought.purchase);
  check_completed(*bought.purchase, f.sim);
  CHECK(f.sim.requests("2200") == 2);
}

}  // namespace
}  // namespace pintar::p2apst
