#include "vending/p2apst/purchase_step.h"

#include <catch2/catch.hpp>

namespace pintar::p2apst {
namespace {

using namespace std::chrono_literals;
using enum PurchaseState;
using enum PurchaseEvent;

const AdviceOptions kAdvice{.repeat_count = 3, .repeat_interval = 35000ms};

PurchaseRecord at(PurchaseState state, int advices = 0) {
  PurchaseRecord r;
  r.id = 7;
  r.state = state;
  r.advice_count = advices;
  return r;
}

Message answer(std::string rc, std::string bit48 = {}) {
  Message m{std::string(mti::kPurchaseResponse), {{bit::kResponseCode, std::move(rc)}}};
  if (!bit48.empty()) m.fields[bit::kPrivateData] = std::move(bit48);
  return m;
}

TEST_CASE("purchase step: answers to the 2200 settle it or start the advices") {
  ManualClock clock(Clock::WallTime{});
  const auto now = clock.steady_now();
  CHECK(purchase_step(at(kSent), kApproved, kAdvice, now, {}).next == kCompleted);
  CHECK(purchase_step(at(kSent), kRefused, kAdvice, now, {}).next == kDeclined);
  CHECK(purchase_step(at(kSent), kNoSuchPurchase, kAdvice, now, {}).next == kDeclined);
  CHECK(purchase_step(at(kSent), kNothingSent, kAdvice, now, {}).next == kNotSent);
  for (PurchaseEvent settled : {kApproved, kRefused, kNoSuchPurchase, kNothingSent}) {
    CHECK(purchase_step(at(kSent), settled, kAdvice, now, {}).action == PurchaseAction::kRecordOutcome);
  }
  const PurchaseStep advice = purchase_step(at(kSent), kUnknown, kAdvice, now, {});
  CHECK(advice.action == PurchaseAction::kSendAdvice);
  CHECK(advice.next == kAdviceSent);
  CHECK(advice.advice_number == 1);
  CHECK(advice.mti == mti::kAdviceRequest);
  CHECK(advice.send_at == now);  // the first advice goes at once
}

TEST_CASE("purchase step: a stopped or absent link leaves the purchase as it is, with no advice used") {
  ManualClock clock(Clock::WallTime{});
  for (PurchaseState s : {kSent, kAdviceSent}) {
    for (PurchaseEvent e : {kCancelled, kNoLink}) {
      const PurchaseStep step = purchase_step(at(s, s == kSent ? 0 : 2), e, kAdvice, clock.steady_now(), {});
      CHECK(step.action == PurchaseAction::kLeaveUnresolved);
      CHECK(step.next == s);
    }
  }
}

TEST_CASE("purchase step: advices go out the interval apart on the manual clock, then needs_manual") {
  ManualClock clock(Clock::WallTime{});
  PurchaseRecord record = at(kSent);
  std::optional<Clock::SteadyTime> last_sent;
  std::vector<Clock::SteadyTime> sent_at;
  std::vector<std::string_view> mtis;
  PurchaseEvent event = kUnknown;  // the 2200 went unanswered
  for (int guard = 0; guard < 10; ++guard) {
    const PurchaseStep step = purchase_step(record, event, kAdvice, clock.steady_now(), last_sent);
    if (step.action != PurchaseAction::kSendAdvice) {
      CHECK(step.action == PurchaseAction::kRecordOutcome);
      CHECK(step.next == kNeedsManual);
      break;
    }
    CHECK(step.advice_number == record.advice_count + 1);
    clock.advance_to(step.send_at);
    sent_at.push_back(clock.steady_now());
    mtis.push_back(step.mti);
    last_sent = clock.steady_now();
    record.state = step.next;
    record.advice_count = step.advice_number;
    clock.advance(kAdvice.repeat_interval / 2);  // this advice is answered 0068 half-way through
    event = guard % 2 == 0 ? kUnknown : kRefused;
  }
  REQUIRE(sent_at.size() == 4);  // one 2220, three 2221
  CHECK(mtis == std::vector<std::string_view>{"2220", "2221", "2221", "2221"});
  for (size_t i = 1; i < sent_at.size(); ++i) CHECK(sent_at[i] - sent_at[i - 1] == kAdvice.repeat_interval);
}

TEST_CASE("purchase step: advice answers settle; nothing ever leads back to a 2200") {
  ManualClock clock(Clock::WallTime{});
  const auto now = clock.steady_now();
  CHECK(purchase_step(at(kAdviceSent, 1), kApproved, kAdvice, now, now).next == kCompleted);
  CHECK(purchase_step(at(kAdviceSent, 1), kNoSuchPurchase, kAdvice, now, now).next == kNoSale);
  // Every (state, event) pair: the only messages a step asks for are advices.
  for (int s = 0; s <= static_cast<int>(kNeedsManual); ++s) {
    for (int e = 0; e <= static_cast<int>(kResumed); ++e) {
      const PurchaseStep step = purchase_step(at(static_cast<PurchaseState>(s), 1), static_cast<PurchaseEvent>(e),
                                              kAdvice, now, now);
      if (s != static_cast<int>(kSent)) CHECK(step.next != kSent);  // staying in sent is not going back
      if (step.action == PurchaseAction::kSendAdvice) CHECK((step.mti == "2220" || step.mti == "2221"));
    }
  }
}

TEST_CASE("purchase step: a resumed run turns intent into not_sent and continues advices at once") {
  ManualClock clock(Clock::WallTime{});
  const auto now = clock.steady_now();
  CHECK(purchase_step(at(kIntent), kResumed, kAdvice, now, {}).next == kNotSent);
  const PurchaseStep sent = purchase_step(at(kSent), kResumed, kAdvice, now, {});
  CHECK(sent.action == PurchaseAction::kSendAdvice);
  CHECK(sent.advice_number == 1);
  const PurchaseStep third = purchase_step(at(kAdviceSent, 2), kResumed, kAdvice, now, now - 1s);
  CHECK(third.advice_number == 3);
  CHECK(third.mti == "2221");
  CHECK(third.send_at == now);
  CHECK(purchase_step(at(kAdviceSent, 4), kResumed, kAdvice, now, {}).next == kNeedsManual);
}

TEST_CASE("classify: what an answer says about a purchase") {
  CHECK(classify(answer("0000", std::string(241, 'x'))) == kUnknown);  // a token that does not parse settles nothing
  CHECK(classify(answer("0068")) == kUnknown);
  CHECK(classify(answer("0099")) == kUnknown);
  CHECK(classify(answer("")) == kUnknown);
  CHECK(classify(answer("0063")) == kNoSuchPurchase);
  CHECK(classify(answer("0096")) == kNoSuchPurchase);
  CHECK(classify(answer("0013")) == kRefused);
  CHECK(classify(Status::timeout("lost")) == kUnknown);
  CHECK(classify(Status::cancelled("stop")) == kCancelled);
  CHECK(nothing_sent(Status::failed_precondition("not signed on")));
  CHECK_FALSE(nothing_sent(Status::timeout("sent")));
}

}  // namespace
}  // namespace pintar::p2apst
