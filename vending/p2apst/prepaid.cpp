#include "vending/p2apst/prepaid.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/log.h"

namespace pintar::p2apst {
namespace {

using enum PurchaseState;

constexpr std::string_view kApprovedCode = "0000";
constexpr std::string_view kCutOffCode = "0090";

// What an answer (or its absence) says about a purchase.
enum class Event {
  kApproved,        // 0000 with a well-formed 241-character bit 48 (token inside)
  kRefused,         // any other code: PLN did not make the sale
  kNoSuchPurchase,  // 0063 / 0096: PLN has no such purchase
  kUnknown,         // no answer, a lost link, or an answer that does not settle it
};

// Codes that answer without settling: PLN itself did not finish (0068 timeout at PLN,
// 0099 still in process), so only an advice can tell.
constexpr std::string_view kUnsettledCodes[] = {"0068", "0099"};
constexpr std::string_view kNoSuchPurchaseCodes[] = {"0063", "0096"};

struct Transition {
  PurchaseState from;
  Event event;
  PurchaseState to;  // kAdviceSent: send the next advice, or needs_manual when none is left
};

// The purchase state machine (docs/p2apst.md, "Purchase safety"). There is no transition
// back to kSent: a 2200 is never repeated.
constexpr Transition kTransitions[] = {
    {kSent, Event::kApproved, kCompleted},
    {kSent, Event::kRefused, kDeclined},
    {kSent, Event::kNoSuchPurchase, kDeclined},
    {kSent, Event::kUnknown, kAdviceSent},
    {kAdviceSent, Event::kApproved, kCompleted},
    {kAdviceSent, Event::kNoSuchPurchase, kNoSale},
    {kAdviceSent, Event::kRefused, kAdviceSent},
    {kAdviceSent, Event::kUnknown, kAdviceSent},
};

PurchaseState next_state(PurchaseState from, Event event) {
  const auto* t = std::find_if(std::begin(kTransitions), std::end(kTransitions),
                               [&](const Transition& x) { return x.from == from && x.event == event; });
  return t == std::end(kTransitions) ? kNeedsManual : t->to;
}

template <size_t N>
bool one_of(std::string_view code, const std::string_view (&codes)[N]) {
  return std::find(std::begin(codes), std::end(codes), code) != std::end(codes);
}

Event classify(const Result<Message>& answer) {
  if (!answer.ok()) return Event::kUnknown;
  const std::string_view rc = answer->get(bit::kResponseCode);
  if (rc == kApprovedCode) {
    return parse_purchase_response(answer->get(bit::kPrivateData)).ok() ? Event::kApproved : Event::kUnknown;
  }
  if (one_of(rc, kNoSuchPurchaseCodes)) return Event::kNoSuchPurchase;
  if (one_of(rc, kUnsettledCodes) || rc.empty()) return Event::kUnknown;
  return Event::kRefused;
}

bool nothing_sent(const Status& status) {
  return status.code() == StatusCode::kFailedPrecondition || status.code() == StatusCode::kUnavailable ||
         status.code() == StatusCode::kInvalidArgument;
}

PurchaseOutcome unresolved(const PurchaseRecord& record) {
  return {.journal_id = record.id, .state = record.state, .response_code = {}, .answered_locally = false,
          .receipt = {}, .data3 = {}};
}

}  // namespace

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

Result<InquiryOutcome> Prepaid::inquiry(std::string_view number, LookupBy by) {
  const size_t width = by == LookupBy::kMeter ? 11 : 12;
  if (number.size() != width || !in_charset(number, Charset::kN)) {
    return Status::invalid_argument(
        fmt::format("{} must be {} digits", by == LookupBy::kMeter ? "meter number" : "IDPEL", width));
  }
  InquiryOutcome out;
  if (in_cut_off(options_.cut_off, link_.clock().wall_now())) {
    out.response_code = kCutOffCode;
    out.answered_locally = true;
    return out;
  }
  SubscriberKey key{options_.partner.switcher_id, std::string(11, '0'), std::string(12, '0'), by};
  (by == LookupBy::kMeter ? key.meter : key.idpel) = number;
  auto bit48 = format_inquiry_request(key);
  if (!bit48.ok()) return bit48.status();
  auto stan = link_.next_stan();
  if (!stan.ok()) return stan.status();
  auto answer = link_.exchange(financial(mti::kInquiryRequest, *stan,
                                         local_date_time(link_.clock().wall_now(), options_.cut_off.utc_offset_minutes),
                                         *bit48));
  if (!answer.ok()) return answer.status();
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

Result<PurchaseOutcome> Prepaid::purchase(const InquiryResponse& inquiry, int64_t amount, BuyingOption option) {
  auto amount_text = format_amount(amount);
  if (!amount_text.ok() || amount <= 0) return Status::invalid_argument(fmt::format("amount {} rupiah", amount));
  auto bit48 = format_purchase_request({inquiry, option});
  if (!bit48.ok()) return bit48.status();
  if (in_cut_off(options_.cut_off, link_.clock().wall_now())) {
    return PurchaseOutcome{.journal_id = 0, .state = kNotSent, .response_code = std::string(kCutOffCode),
                           .answered_locally = true, .receipt = {}, .data3 = {}};
  }
  if (!link_.signed_on()) return Status::failed_precondition(fmt::format("not signed on to P2APST ({})", link_.last_problem()));

  PurchaseRecord record;
  record.meter = inquiry.subscriber.meter;
  record.amount = amount;
  record.bit48 = std::move(*bit48);
  record.local_time = local_date_time(link_.clock().wall_now(), options_.cut_off.utc_offset_minutes);
  auto id = journal_.record_intent(record);
  if (!id.ok()) return id.status();
  record.id = *id;
  auto stan = link_.next_stan();
  if (!stan.ok()) return stan.status();
  // Durable before the 2200 can leave: from here on a crash resumes with advice.
  PINTAR_RETURN_IF_ERROR(journal_.mark_sent(record.id, kIntent, kSent, *stan, 0));
  record.state = kSent;
  record.stan = *stan;
  spdlog::info("p2apst: purchase {} sent: meter {} Rp {} STAN {}", record.id, record.meter, amount, record.stan);

  Message request = financial(mti::kPurchaseRequest, record.stan, record.local_time, record.bit48);
  request.fields[bit::kAmount] = *amount_text;
  auto answer = link_.exchange(request);
  if (!answer.ok() && nothing_sent(answer.status())) {
    PINTAR_RETURN_IF_ERROR(journal_.record_outcome(record.id, kSent, kNotSent, "", ""));
    return answer.status();
  }
  if (!answer.ok() && answer.status().code() == StatusCode::kCancelled) return unresolved(record);
  const PurchaseState to = next_state(kSent, classify(answer));
  if (to == kAdviceSent) {
    spdlog::warn("p2apst: purchase {} unanswered ({}); resolving by advice", record.id,
                 answer.ok() ? fmt::format("bit 39 {}", answer->get(bit::kResponseCode)) : answer.status().message());
    return advise(std::move(record));
  }
  return settle(record, to, &*answer);
}

Result<PurchaseOutcome> Prepaid::advise(PurchaseRecord record) {
  auto amount_text = format_amount(record.amount);
  if (!amount_text.ok()) return amount_text.status();
  const int max_advices = 1 + options_.advice.repeat_count;
  // Advices go out `repeat_interval` apart, send to send: each waits for its answer at most
  // that long (never longer than the request timeout), and one answered early without
  // settling the purchase (0068, say) is followed by a pause for the rest of the interval.
  const Millis interval = options_.advice.repeat_interval;
  const std::optional<Millis> advice_wait =
      interval.count() > 0 ? std::optional(std::min(interval, link_.request_timeout())) : std::nullopt;
  std::chrono::steady_clock::time_point last_sent{};
  for (bool first = true;; first = false) {
    if (record.advice_count >= max_advices) {
      spdlog::error("p2apst: purchase {} unresolved after {} advices: needs manual resolution", record.id,
                    record.advice_count);
      return settle(record, kNeedsManual, nullptr);
    }
    if (!first) {
      const auto since = std::chrono::steady_clock::now() - last_sent;
      const Millis rest = std::chrono::ceil<Millis>(std::max(interval - since, std::chrono::steady_clock::duration{}));
      if (rest.count() > 0 && !link_.sleep_unless_stopped(rest)) return unresolved(record);
    }
    // No link: nothing can be learnt now. The purchase stays unresolved in the journal
    // and the next resume continues it; a link outage must not use up the advices.
    if (!link_.wait_signed_on(link_.request_timeout())) return unresolved(record);
    auto stan = link_.next_stan();
    if (!stan.ok()) return stan.status();
    const int n = record.advice_count + 1;
    PINTAR_RETURN_IF_ERROR(journal_.mark_sent(record.id, record.state, kAdviceSent, *stan, n));
    record.state = kAdviceSent;
    record.advice_count = n;
    record.stan = *stan;
    Message advice = financial(n == 1 ? mti::kAdviceRequest : mti::kAdviceRepeatRequest, record.stan, record.local_time,
                               record.bit48);
    advice.fields[bit::kAmount] = *amount_text;
    last_sent = std::chrono::steady_clock::now();
    auto answer = link_.exchange(advice, advice_wait);
    if (!answer.ok() && answer.status().code() == StatusCode::kCancelled) return unresolved(record);
    const PurchaseState to = next_state(kAdviceSent, classify(answer));
    if (to != kAdviceSent) return settle(record, to, &*answer);
    spdlog::warn("p2apst: advice {} for purchase {} did not settle it ({})", n, record.id,
                 answer.ok() ? fmt::format("bit 39 {}", answer->get(bit::kResponseCode)) : answer.status().message());
  }
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

Result<std::vector<PurchaseOutcome>> Prepaid::resume_unresolved() {
  auto records = journal_.list_unresolved();
  if (!records.ok()) return records.status();
  std::vector<PurchaseOutcome> outcomes;
  for (PurchaseRecord& record : *records) {
    if (record.state == kIntent) {  // mark_sent never happened, so nothing left
      PINTAR_RETURN_IF_ERROR(journal_.record_outcome(record.id, kIntent, kNotSent, "", ""));
      outcomes.push_back({.journal_id = record.id, .state = kNotSent, .response_code = {}, .answered_locally = false,
                          .receipt = {}, .data3 = {}});
      continue;
    }
    spdlog::info("p2apst: resuming purchase {} ({}, {} advices sent)", record.id, state_name(record.state),
                 record.advice_count);
    auto outcome = advise(std::move(record));
    if (!outcome.ok()) return outcome.status();
    outcomes.push_back(std::move(*outcome));
  }
  return outcomes;
}

}  // namespace pintar::p2apst
