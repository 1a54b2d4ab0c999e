#include "vending/p2apst/prepaid.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/log.h"

namespace pintar::p2apst {
namespace {

using enum PurchaseState;

constexpr std::string_view kApprovedCode = "0000";
constexpr std::string_view kCutOffCode = "0090";

PurchaseOutcome unresolved(const PurchaseRecord& record) {
  return {.journal_id = record.id, .state = record.state, .response_code = {}, .answered_locally = false,
          .receipt = {}, .data3 = {}};
}

std::string describe(const Result<Message>& answer) {
  return answer.ok() ? fmt::format("bit 39 {}", answer->get(bit::kResponseCode)) : answer.status().message();
}

Result<InquiryOutcome> inquiry_outcome(Result<Message> answer) {
  if (!answer.ok()) return answer.status();
  InquiryOutcome out;
  out.response_code = answer->get(bit::kResponseCode);
  if (out.response_code != kApprovedCode) return out;
  auto inquiry = parse_inquiry_response(answer->get(bit::kPrivateData));
  if (!inquiry.ok()) return inquiry.status().with_context("2110");
  out.inquiry = std::move(*inquiry);
  if (answer->has(bit::kPrivateData3)) {
    auto data3 = parse_prepaid_data3(answer->get(bit::kPrivateData3));
    if (!data3.ok()) return data3.status().with_context("2110");
    out.data3 = std::move(*data3);
  }
  return out;
}

// Waits for an async call; never from a Link callback.
template <typename T, typename Start>
Result<T> wait_for(Start start) {
  std::promise<Result<T>> result;
  auto future = result.get_future();
  start([&result](Result<T> r) { result.set_value(std::move(r)); });
  return future.get();
}

}  // namespace

// One purchase from its 2200 (or its resume) to an outcome: each answer, failure or timer
// becomes an event for purchase_step(), whose action this carries out. Kept alive by the
// callbacks it has handed to the Link.
class Prepaid::Run : public std::enable_shared_from_this<Prepaid::Run> {
 public:
  Run(Prepaid& prepaid, PurchaseRecord record, Done<PurchaseOutcome> done)
      : prepaid_(prepaid), link_(prepaid.link_), record_(std::move(record)), done_(std::move(done)) {}

  // The answer (or failure) to the 2200.
  void purchase_answered(Result<Message> answer) {
    if (!answer.ok() && nothing_sent(answer.status())) {
      if (Status s = prepaid_.journal_.record_outcome(record_.id, kSent, kNotSent, "", ""); !s.ok()) return done_(s);
      return done_(answer.status());
    }
    const PurchaseEvent event = classify(answer);
    if (event == PurchaseEvent::kUnknown) {
      spdlog::warn("p2apst: purchase {} unanswered ({}); resolving by advice", record_.id, describe(answer));
    }
    apply(event, answer);
  }

  void apply(PurchaseEvent event, const Result<Message>& answer) {
    const PurchaseStep step =
        purchase_step(record_, event, prepaid_.options_.advice, link_.clock().steady_now(), last_advice_at_);
    switch (step.action) {
      case PurchaseAction::kLeaveUnresolved:
        return done_(unresolved(record_));
      case PurchaseAction::kRecordOutcome:
        if (step.next == kNeedsManual) {
          spdlog::error("p2apst: purchase {} unresolved after {} advices: needs manual resolution", record_.id,
                        record_.advice_count);
        }
        return done_(prepaid_.settle(record_, step.next, answer.ok() && step.next != kNeedsManual ? &*answer : nullptr));
      case PurchaseAction::kSendAdvice:
        break;
    }
    auto self = shared_from_this();
    auto when_up = [self, step] {
      // No link: nothing can be learnt now. The purchase stays unresolved in the journal
      // and the next resume continues it; a link outage must not use up the advices.
      self->link_.when_signed_on(self->link_.request_timeout(), [self, step](bool up) {
        if (!up) return self->apply(PurchaseEvent::kNoLink, Status::unavailable("not signed on"));
        self->send_advice(step);
      });
    };
    if (step.send_at <= link_.clock().steady_now()) return when_up();
    link_.call_at(step.send_at, [self, when_up](bool in_time) {
      if (!in_time) return self->apply(PurchaseEvent::kCancelled, Status::cancelled("link stopped"));
      when_up();
    });
  }

 private:
  void send_advice(const PurchaseStep& step) {
    auto amount_text = format_amount(record_.amount);
    if (!amount_text.ok()) return done_(amount_text.status());
    auto stan = link_.next_stan();
    if (!stan.ok()) return done_(stan.status());
    const int n = step.advice_number;
    if (Status s = prepaid_.journal_.mark_sent(record_.id, record_.state, kAdviceSent, *stan, n); !s.ok()) {
      return done_(s);
    }
    record_.state = kAdviceSent;
    record_.advice_count = n;
    record_.stan = *stan;
    Message advice = prepaid_.financial(step.mti, record_.stan, record_.local_time, record_.bit48);
    advice.fields[bit::kAmount] = *amount_text;
    // Each advice waits for its answer at most the interval (never longer than the request
    // timeout): advices go out repeat_interval apart, send to send.
    const Millis interval = prepaid_.options_.advice.repeat_interval;
    const std::optional<Millis> wait =
        interval.count() > 0 ? std::optional(std::min(interval, link_.request_timeout())) : std::nullopt;
    last_advice_at_ = link_.clock().steady_now();
    auto self = shared_from_this();
    link_.exchange_async(advice, wait, [self, n](Result<Message> answer) {
      // An advice that provably never left says nothing about the purchase.
      PurchaseEvent event = !answer.ok() && nothing_sent(answer.status()) ? PurchaseEvent::kNoLink : classify(answer);
      if (event == PurchaseEvent::kUnknown || event == PurchaseEvent::kRefused) {
        spdlog::warn("p2apst: advice {} for purchase {} did not settle it ({})", n, self->record_.id, describe(answer));
      }
      self->apply(event, answer);
    });
  }

  Prepaid& prepaid_;
  Link& link_;
  PurchaseRecord record_;
  Done<PurchaseOutcome> done_;
  std::optional<Clock::SteadyTime> last_advice_at_;
};

BuyingOption choose_buying_option(const std::optional<PrepaidData3>& data3, int64_t amount) {
  if (data3 && std::find(data3->unsold_amounts.begin(), data3->unsold_amounts.end(), amount) != data3->unsold_amounts.end()) {
    return BuyingOption::kUnsoldToken;
  }
  return BuyingOption::kNewToken;
}

Prepaid::Prepaid(Link& link, PurchaseJournal& journal, Options options)
    : link_(link), journal_(journal), options_(std::move(options)) {}

Message Prepaid::financial(std::string_view mti, std::string stan, std::string local_time, std::string bit48) const {
  const Partner& p = options_.partner;
  return {std::string(mti),
          {{bit::kProductCode, std::string(kPrepaidProductCode)},
           {bit::kStan, std::move(stan)},
           {bit::kLocalDateTime, std::move(local_time)},
           {bit::kMerchantType, p.merchant_type},
           {bit::kBankCode, p.bank_code},
           {bit::kPartnerCentralId, p.partner_central_id},
           {bit::kTerminalId, fmt::format("{:<16}", p.terminal_id)},
           {bit::kPrivateData, std::move(bit48)}}};
}

void Prepaid::inquiry_async(std::string_view number, LookupBy by, Done<InquiryOutcome> done) {
  const size_t width = by == LookupBy::kMeter ? 11 : 12;
  if (number.size() != width || !in_charset(number, Charset::kN)) {
    return done(Status::invalid_argument(
        fmt::format("{} must be {} digits", by == LookupBy::kMeter ? "meter number" : "IDPEL", width)));
  }
  if (in_cut_off(options_.cut_off, link_.clock().wall_now())) {
    InquiryOutcome out;
    out.response_code = kCutOffCode;
    out.answered_locally = true;
    return done(std::move(out));
  }
  SubscriberKey key{options_.partner.switcher_id, std::string(11, '0'), std::string(12, '0'), by};
  (by == LookupBy::kMeter ? key.meter : key.idpel) = number;
  auto bit48 = format_inquiry_request(key);
  if (!bit48.ok()) return done(bit48.status());
  auto stan = link_.next_stan();
  if (!stan.ok()) return done(stan.status());
  link_.exchange_async(financial(mti::kInquiryRequest, *stan,
                                 local_date_time(link_.clock().wall_now(), options_.cut_off.utc_offset_minutes), *bit48),
                       std::nullopt,
                       [done = std::move(done)](Result<Message> answer) { done(inquiry_outcome(std::move(answer))); });
}

Result<InquiryOutcome> Prepaid::inquiry(std::string_view number, LookupBy by) {
  return wait_for<InquiryOutcome>([&](Done<InquiryOutcome> done) { inquiry_async(number, by, std::move(done)); });
}

void Prepaid::purchase_async(const InquiryResponse& inquiry, int64_t amount, BuyingOption option,
                             Done<PurchaseOutcome> done, std::string txn_id) {
  auto amount_text = format_amount(amount);
  if (!amount_text.ok() || amount <= 0) return done(Status::invalid_argument(fmt::format("amount {} rupiah", amount)));
  auto bit48 = format_purchase_request({inquiry, option});
  if (!bit48.ok()) return done(bit48.status());
  if (in_cut_off(options_.cut_off, link_.clock().wall_now())) {
    return done(PurchaseOutcome{.journal_id = 0, .state = kNotSent, .response_code = std::string(kCutOffCode),
                                .answered_locally = true, .receipt = {}, .data3 = {}});
  }
  if (!link_.signed_on()) {
    return done(Status::failed_precondition(fmt::format("not signed on to P2APST ({})", link_.last_problem())));
  }
  PurchaseRecord record;
  record.meter = inquiry.subscriber.meter;
  record.amount = amount;
  record.bit48 = std::move(*bit48);
  record.local_time = local_date_time(link_.clock().wall_now(), options_.cut_off.utc_offset_minutes);
  record.txn_id = std::move(txn_id);
  auto id = journal_.record_intent(record);
  if (!id.ok()) return done(id.status());
  record.id = *id;
  auto stan = link_.next_stan();
  if (!stan.ok()) return done(stan.status());
  // Durable before the 2200 can leave: from here on a crash resumes with advice.
  if (Status s = journal_.mark_sent(record.id, kIntent, kSent, *stan, 0); !s.ok()) return done(s);
  record.state = kSent;
  record.stan = *stan;
  spdlog::info("p2apst: purchase {} sent: meter {} Rp {} STAN {}", record.id, record.meter, amount, record.stan);

  Message request = financial(mti::kPurchaseRequest, record.stan, record.local_time, record.bit48);
  request.fields[bit::kAmount] = *amount_text;
  auto run = std::make_shared<Run>(*this, std::move(record), std::move(done));
  link_.exchange_async(request, std::nullopt, [run](Result<Message> answer) { run->purchase_answered(std::move(answer)); });
}

Result<PurchaseOutcome> Prepaid::purchase(const InquiryResponse& inquiry, int64_t amount, BuyingOption option) {
  return wait_for<PurchaseOutcome>(
      [&](Done<PurchaseOutcome> done) { purchase_async(inquiry, amount, option, std::move(done)); });
}

Result<PurchaseOutcome> Prepaid::settle(const PurchaseRecord& record, PurchaseState state, const Message* answer) {
  PurchaseOutcome out{.journal_id = record.id, .state = state, .response_code = {}, .answered_locally = false,
                      .receipt = {}, .data3 = {}};
  std::string_view bit48;
  if (answer != nullptr) {
    out.response_code = answer->get(bit::kResponseCode);
    if (state == kCompleted) {
      bit48 = answer->get(bit::kPrivateData);
      out.receipt = parse_purchase_response(bit48).value();  // classify() checked it
    }
    if (auto data3 = parse_prepaid_data3(answer->get(bit::kPrivateData3)); data3.ok()) out.data3 = std::move(*data3);
  }
  if (Status recorded = journal_.record_outcome(record.id, record.state, state, out.response_code, bit48);
      !recorded.ok()) {
    // Refused because another process settled it first (or the disk failed): this answer
    // is not in the journal, so say what it was for whoever reconciles with PLN.
    spdlog::error("p2apst: purchase {} answered {} (bit 39 {}) but not recorded: {}", record.id, state_name(state),
                  out.response_code, recorded.message());
    return recorded;
  }
  spdlog::info("p2apst: purchase {} {} (bit 39 {}{})", record.id, state_name(state), out.response_code,
               out.receipt ? fmt::format(", token {}", log::mask_token(out.receipt->token)) : "");
  return out;
}

void Prepaid::resume_unresolved_async(Done<std::vector<PurchaseOutcome>> done) {
  auto records = journal_.list_unresolved();
  if (!records.ok()) return done(records.status());
  if (records->empty()) return done(std::vector<PurchaseOutcome>{});
  // Every purchase settles on its own; the last one to finish reports them all.
  struct Gather {
    std::mutex mutex;
    std::vector<Result<PurchaseOutcome>> results;
    size_t left;
    Done<std::vector<PurchaseOutcome>> done;
  };
  auto gather = std::make_shared<Gather>();
  gather->results.assign(records->size(), Status::internal("not settled"));
  gather->left = records->size();
  gather->done = std::move(done);
  for (size_t i = 0; i < records->size(); ++i) {
    PurchaseRecord& record = (*records)[i];
    if (record.state != kIntent) {
      spdlog::info("p2apst: resuming purchase {} ({}, {} advices sent)", record.id, state_name(record.state),
                   record.advice_count);
    }
    auto run = std::make_shared<Run>(*this, std::move(record), [gather, i](Result<PurchaseOutcome> outcome) {
      std::unique_lock lock(gather->mutex);
      gather->results[i] = std::move(outcome);
      if (--gather->left > 0) return;
      lock.unlock();
      std::vector<PurchaseOutcome> outcomes;
      for (auto& r : gather->results) {
        if (!r.ok()) return gather->done(r.status());
        outcomes.push_back(std::move(*r));
      }
      gather->done(std::move(outcomes));
    });
    run->apply(PurchaseEvent::kResumed, Status::cancelled("resumed"));
  }
}

void Prepaid::resume_txn_async(std::string txn_id, Done<std::optional<PurchaseOutcome>> done) {
  auto found = journal_.find_by_txn(txn_id);
  if (!found.ok()) return done(found.status());
  if (!found->has_value()) return done(std::optional<PurchaseOutcome>{});
  PurchaseRecord record = std::move(**found);
  if (is_unresolved(record.state)) {
    spdlog::info("p2apst: resuming purchase {} of {} ({}, {} advices sent)", record.id, txn_id, state_name(record.state),
                 record.advice_count);
    auto run = std::make_shared<Run>(*this, std::move(record), [done = std::move(done)](Result<PurchaseOutcome> out) {
      if (!out.ok()) return done(out.status());
      done(std::optional<PurchaseOutcome>(std::move(*out)));
    });
    return run->apply(PurchaseEvent::kResumed, Status::cancelled("resumed"));
  }
  // Settled before the crash: the outcome as the journal recorded it.
  PurchaseOutcome out{.journal_id = record.id, .state = record.state, .response_code = record.response_code,
                      .answered_locally = false, .receipt = {}, .data3 = {}};
  if (record.state == kCompleted) {
    auto receipt = parse_purchase_response(record.response_bit48);
    if (!receipt.ok()) {
      return done(receipt.status().with_context(fmt::format("the journal's answer to purchase {}", record.id)));
    }
    out.receipt = std::move(*receipt);
  }
  done(std::optional<PurchaseOutcome>(std::move(out)));
}

Result<std::vector<PurchaseOutcome>> Prepaid::resume_unresolved() {
  return wait_for<std::vector<PurchaseOutcome>>(
      [&](Done<std::vector<PurchaseOutcome>> done) { resume_unresolved_async(std::move(done)); });
}

}  // namespace pintar::p2apst
