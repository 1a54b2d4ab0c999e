// The MT side of a session: the queue of parts in submission order, the window of each
// transmitting bind (round robin, rate limited), submit_sm encoding, and the outcome of
// each part — accepted, throttled (the bind enters kThrottled and the part goes back in
// its place), retried after a temporary error, or failed.
#include <cctype>

#include "smpp/session_internal.h"
#include "smpp/split.h"
#include "smpp/status_class.h"

namespace pintar::smpp {

namespace {

constexpr uint8_t kEsmClassUdhi = 0x40;
constexpr uint8_t kRegisteredDeliveryFinal = 0x01;
constexpr uint8_t kTonAlphanumeric = 5;
constexpr uint8_t kNpiUnknown = 0;
constexpr size_t kMaxAddressLength = 20;  // §4.4.1 source_addr / destination_addr

}  // namespace

void Session::Impl::drain_inbox(Clock::SteadyTime now) {
  std::deque<OutboundSms> taken;
  {
    std::lock_guard lock(inbox_mutex_);
    taken.swap(inbox_);
  }
  for (OutboundSms& sms : taken) {
    if (sms.source_addr.size() > kMaxAddressLength || sms.destination_addr.size() > kMaxAddressLength ||
        sms.destination_addr.empty()) {
      report_failed(sms.id, 0, "source_addr or destination_addr empty or longer than 20 characters");
      continue;
    }
    auto parts = encode_mt(sms.text_utf8, next_reference_++);
    if (!parts.ok()) {
      report_failed(sms.id, 0, parts.status().message());
      continue;
    }
    const uint64_t key = next_mt_++;
    for (size_t i = 0; i < parts->short_messages.size(); ++i) {
      Part part{.mt = key, .index = static_cast<uint8_t>(i), .data_coding = parts->data_coding,
                .udhi = parts->udhi, .not_before = now, .short_message = std::move(parts->short_messages[i])};
      queue_.emplace(key << 8 | i, std::move(part));
    }
    Mt& mt = mts_[key];
    mt.remaining = parts->short_messages.size();
    mt.message_ids.resize(mt.remaining);
    mt.sms = std::move(sms);
  }
}

// Sends queued parts on every bind with room, round robin, oldest part first.
void Session::Impl::fill_windows(Clock::SteadyTime now) {
  if (stopping_) return;
  for (bool progress = true; progress && !queue_.empty();) {
    progress = false;
    for (auto& bind : binds_) {
      if (bind->state != LinkState::kBound || !bind->transmits ||
          bind->submits_outstanding >= static_cast<size_t>(options_.window)) {
        continue;
      }
      auto it = std::find_if(queue_.begin(), queue_.end(), [&](const auto& e) { return e.second.not_before <= now; });
      if (it == queue_.end()) return;
      if (!bind->limiter.try_take(now)) continue;
      send_submit(*bind, queue_.extract(it), now);
      progress = true;
    }
  }
}

void Session::Impl::send_submit(Bind& bind, std::map<uint64_t, Part>::node_type node, Clock::SteadyTime now) {
  const Part& part = node.mapped();
  const OutboundSms& sms = mts_.at(part.mt).sms;
  const bool alphanumeric = !std::all_of(sms.source_addr.begin(), sms.source_addr.end(),
                                         [](unsigned char c) { return std::isdigit(c); });
  const uint32_t sequence = send_request(bind, command::kSubmitSm, RequestKind::kSubmit, now, node.key());
  write_submit_sm(bind.out, sequence,
                  {.service_type = options_.service_type,
                   .source_addr_ton = alphanumeric ? kTonAlphanumeric : options_.source_addr_ton,
                   .source_addr_npi = alphanumeric ? kNpiUnknown : options_.source_addr_npi,
                   .source_addr = sms.source_addr,
                   .dest_addr_ton = options_.dest_addr_ton,
                   .dest_addr_npi = options_.dest_addr_npi,
                   .destination_addr = sms.destination_addr,
                   .esm_class = part.udhi ? kEsmClassUdhi : uint8_t{0},
                   .registered_delivery = sms.want_receipt ? kRegisteredDeliveryFinal : uint8_t{0},
                   .data_coding = part.data_coding,
                   .short_message = part.short_message});
  ++bind.submits_outstanding;
  bind.counters.add(kCounterSubmitSm);
  sent_.insert(std::move(node));
}

void Session::Impl::report_failed(uint64_t id, uint32_t command_status, const std::string& reason) {
  --in_flight_;
  listener_.on_failed(id, command_status, reason);
}

void Session::Impl::fail_mt(Bind& bind, uint64_t key, uint32_t command_status) {
  auto it = mts_.find(key);
  if (it == mts_.end()) return;
  queue_.erase(queue_.lower_bound(key << 8), queue_.upper_bound(key << 8 | 0xFF));
  const uint64_t id = it->second.sms.id;
  mts_.erase(it);
  bind.counters.add(kCounterFailed);
  report_failed(id, command_status, status_name(command_status));
}

void Session::Impl::on_submit_outcome(Bind& bind, uint64_t order, uint32_t command_status, std::string_view message_id) {
  auto node = sent_.extract(order);
  if (node.empty()) return;
  Part& part = node.mapped();
  auto mt = mts_.find(part.mt);
  if (mt == mts_.end()) return;  // another part already failed the MT
  const StatusClass status_class = classify_status(command_status, options_.vendor_status);
  bind.counters.add(status_class == StatusClass::kOk ? kCounterSubmitRespOk : kCounterSubmitRespError);
  switch (status_class) {
    case StatusClass::kOk:
      mt->second.message_ids[part.index] = normalise_message_id(message_id, options_.id_format.submit_resp);
      if (--mt->second.remaining == 0) {
        const uint64_t id = mt->second.sms.id;
        const std::vector<std::string> ids = std::move(mt->second.message_ids);
        mts_.erase(mt);
        --in_flight_;
        listener_.on_submitted(id, ids);
      }
      return;
    case StatusClass::kThrottle:
      bind.counters.add(kCounterThrottled);
      bind.paused_until = now_ + options_.throttle_pause;
      transition(bind, BindEvent::kThrottle, status_name(command_status));
      part.not_before = now_;
      queue_.insert(std::move(node));
      return;
    case StatusClass::kTemporary:
    case StatusClass::kBindFailure:  // e.g. 0x04 on a submit: the SMSC lost our bind state
      if (++part.attempts > options_.max_retries) return fail_mt(bind, part.mt, command_status);
      bind.counters.add(kCounterRetried);
      part.not_before = now_ + options_.retry_delay * (1 << std::min(part.attempts - 1, 10));
      queue_.insert(std::move(node));
      return;
    case StatusClass::kPermanent:
      return fail_mt(bind, part.mt, command_status);
  }
}

void Session::Impl::on_submit_resp(const Header& header, std::string_view message_id) {
  Bind& bind = *current_;
  auto it = bind.outstanding.find(header.sequence_number);
  if (it == bind.outstanding.end() || it->second.kind != RequestKind::kSubmit) return;  // late answer
  const uint64_t order = it->second.part_order;
  bind.outstanding.erase(it);
  --bind.submits_outstanding;
  on_submit_outcome(bind, order, header.command_status, message_id);
}

void Session::Impl::requeue_unanswered(Bind& bind, Clock::SteadyTime now) {
  for (const auto& [sequence, request] : bind.outstanding) {
    if (request.kind != RequestKind::kSubmit) continue;
    auto node = sent_.extract(request.part_order);
    if (node.empty() || !mts_.contains(node.mapped().mt)) continue;
    node.mapped().not_before = now;
    queue_.insert(std::move(node));
  }
}

}  // namespace pintar::smpp
