// deliver_sm/data_sm on a session: receipts and MOs handed to the listener (parts joined
// by the Reassembler unless the listener stores them), the DeliverReply that carries the
// listener's answer back from any thread, the deliver_sm_resp written for it, and the
// counting and answers for PDUs the receive path refused.
#include <spdlog/spdlog.h>

#include "common/log.h"
#include "smpp/receipt.h"
#include "smpp/session_internal.h"

namespace pintar::smpp {

void DeliverReply::operator()(const Status& status) const {
  if (!state_) return;  // a moved-from reply has nothing left to answer
  state_->answer(status.ok()                                         ? status::kOk
                 : status.code() == StatusCode::kResourceExhausted ? status::kMessageQueueFull
                                                                    : status::kTemporaryAppError);
}

// deliver_sm_resp for the deliveries the listener has answered since the last turn.
void Session::Impl::drain_answers() {
  for (const DeliverAnswer& answer : answers_->take()) {
    if (answer.bind == DeliverAnswer::kNoBind) {
      if (answer.command_status != status::kOk) {
        spdlog::warn("smpp {}: incomplete MO refused by the listener; lost", options_.name);
      }
      continue;
    }
    Bind& bind = *binds_[answer.bind];
    if (bind.link != answer.link) continue;  // that link is gone; the SMSC delivers it again
    --bind.deliveries_pending;
    if (answer.command_status != status::kOk) bind.counters.add(kCounterDeliverRefused);
    write_deliver_resp(bind.out, answer.command_id | command::kResponseBit, answer.command_status, answer.sequence);
  }
}

void Session::Impl::on_deliver(const DeliverSm& deliver) {
  Bind& bind = *current_;
  bind.counters.add(kCounterDeliverSm);
  if (!hand_over(bind, deliver)) {
    write_deliver_resp(bind.out, deliver.command_id | command::kResponseBit, status::kOk, deliver.sequence_number);
  }
}

// True when the listener got the delivery and answers it through its DeliverReply; false
// when there is nothing for it (yet) and the SMSC is answered ESME_ROK at once.
bool Session::Impl::hand_over(Bind& bind, const DeliverSm& deliver) {
  if (is_receipt(deliver)) {
    std::optional<DeliveryReceipt> receipt = parse_receipt(deliver, options_.id_format.receipt);
    if (!receipt) {
      // Nothing to match it to; refusing would only make the SMSC send it again.
      bind.counters.add(kCounterMalformed);
      spdlog::warn("smpp {}: receipt without a message id ignored", bind.name);
      return false;
    }
    receipt->bind = bind.name;
    bind.counters.add(kCounterReceipts);
    listener_.on_receipt(*receipt, reply_for(bind, deliver));
    return true;
  }
  if (listener_.stores_mo_parts()) {
    bind.counters.add(kCounterMo);
    listener_.on_mo(single_mo(deliver, bind.name), reply_for(bind, deliver));
    return true;
  }
  std::optional<MoMessage> mo = reassembler_.add(deliver, bind.name, now_);
  if (!mo) return false;  // a part, held until the others arrive
  bind.counters.add(kCounterMo);
  listener_.on_mo(*mo, reply_for(bind, deliver));
  return true;
}

DeliverReply Session::Impl::reply_for(Bind& bind, const DeliverSm& deliver) {
  ++bind.deliveries_pending;
  return DeliverReply(std::make_shared<DeliverReply::State>(
      answers_, DeliverAnswer{.bind = bind.index, .link = bind.link, .command_id = deliver.command_id,
                              .sequence = deliver.sequence_number}));
}

void Session::Impl::deliver_incomplete(const MoMessage& mo) {
  auto bind = std::find_if(binds_.begin(), binds_.end(), [&](const auto& b) { return b->name == mo.bind; });
  Counters<BindCounter>& counters = (bind != binds_.end() ? *bind : binds_.front())->counters;
  counters.add(kCounterMoIncomplete);
  spdlog::warn("smpp {}: long MO from {} incomplete after the reassembly timeout ({} parts)", mo.bind,
               log::mask_msisdn(mo.source_addr), mo.parts);
  counters.add(kCounterMo);
  listener_.on_mo(mo, DeliverReply(std::make_shared<DeliverReply::State>(answers_, DeliverAnswer{})));
}

void Session::Impl::on_malformed(const Header& header, uint32_t command_status, std::string_view reason) {
  Bind& bind = *current_;
  bind.counters.add(kCounterMalformed);
  if (!is_response(header.command_id) && header.command_id != command::kDeliverSm &&
      header.command_id != command::kDataSm) {
    bind.counters.add(kCounterGenericNackSent);
  }
  if (header.command_id == command::kDeliverSm || header.command_id == command::kDataSm) {
    bind.counters.add(kCounterDeliverSm);
    bind.counters.add(kCounterDeliverRefused);
  }
  spdlog::warn("smpp {}: {} seq {} refused (0x{:08X}): {}", bind.name, command_name(header.command_id),
               header.sequence_number, command_status, reason);
  if (is_response(header.command_id)) {
    auto it = bind.outstanding.find(header.sequence_number);
    if (it != bind.outstanding.end() && it->second.kind == RequestKind::kSubmit) {
      const uint64_t order = it->second.part_order;
      bind.outstanding.erase(it);
      --bind.submits_outstanding;
      on_submit_outcome(bind, order, status::kSystemError, {});
    }
  }
}

}  // namespace pintar::smpp
