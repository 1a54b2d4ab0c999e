#include "vending/p2apst/buy.h"

#include <algorithm>
#include <future>
#include <memory>

namespace pintar::p2apst {

bool still_pending(const PurchaseOutcome& outcome) {
  return !outcome.receipt && (is_unresolved(outcome.state) || outcome.state == PurchaseState::kNeedsManual);
}

void buy_async(Prepaid& prepaid, BuyRequest request, std::function<void(BuyOutcome)> done) {
  struct State {
    Prepaid& prepaid;
    BuyRequest request;
    std::function<void(BuyOutcome)> done;
    BuyOutcome out;
  };
  auto state = std::make_shared<State>(State{prepaid, std::move(request), std::move(done), {}});

  auto purchase = [state] {
    BuyOutcome& out = state->out;
    out.ended_at = BuyStage::kPurchase;
    state->prepaid.purchase_async(*out.inquiry->inquiry, state->request.amount, out.option,
                                  [state](Result<PurchaseOutcome> bought) {
                                    if (bought.ok()) {
                                      state->out.purchase = std::move(*bought);
                                    } else {
                                      state->out.error = bought.status();
                                    }
                                    state->done(std::move(state->out));
                                  },
                                  state->request.txn_id);
  };
  auto inquire = [state, purchase] {
    state->out.ended_at = BuyStage::kInquiry;
    state->prepaid.inquiry_async(state->request.number, state->request.by, [state, purchase](Result<InquiryOutcome> found) {
      BuyOutcome& out = state->out;
      if (!found.ok()) {
        out.error = found.status();
        return state->done(std::move(out));
      }
      out.inquiry = std::move(*found);
      if (!out.inquiry->inquiry) return state->done(std::move(out));
      out.ended_at = BuyStage::kChoice;
      out.option = choose_buying_option(out.inquiry->data3, state->request.amount);
      const auto& data3 = out.inquiry->data3;
      if (out.option == BuyingOption::kNewToken && data3 && !data3->unsold_amounts.empty() && !state->request.new_token) {
        out.unsold_waiting = data3->unsold_amounts;
        return state->done(std::move(out));
      }
      purchase();
    });
  };
  if (!state->request.resume_first) return inquire();
  prepaid.resume_unresolved_async([state, inquire](Result<std::vector<PurchaseOutcome>> resumed) {
    BuyOutcome& out = state->out;
    if (!resumed.ok()) {
      out.error = resumed.status();
      return state->done(std::move(out));
    }
    out.resumed = std::move(*resumed);
    out.earlier_unresolved = std::any_of(out.resumed.begin(), out.resumed.end(), still_pending);
    if (out.earlier_unresolved) return state->done(std::move(out));
    inquire();
  });
}

BuyOutcome buy(Prepaid& prepaid, const BuyRequest& request) {
  std::promise<BuyOutcome> result;
  auto future = result.get_future();
  buy_async(prepaid, request, [&result](BuyOutcome out) { result.set_value(std::move(out)); });
  return future.get();
}

}  // namespace pintar::p2apst
