// The bind state machine in action: each bind's timers and state changes (drive), connect
// and name lookup, requests and their response timers, closing a link, the responses that
// move the machine (bind_resp, unbind, generic_nack), and transition(), the one place a
// bind changes state, checked against the table in smpp/bind_machine.h.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "smpp/session_internal.h"
#include "smpp/status_class.h"

namespace pintar::smpp {

// Timers and state changes that do not wait for the network (docs/smpp.md, "Timers").
void Session::Impl::drive(Bind& bind, Clock::SteadyTime now) {
  switch (bind.state) {
    case LinkState::kIdle:
      if (stopping_) return (void)transition(bind, BindEvent::kStop, "stopped");
      if (now >= bind.reconnect_at) connect(bind, now);
      return;
    case LinkState::kBindFailed:
      if (stopping_) return (void)transition(bind, BindEvent::kStop, "stopped");
      if (options_.bind_failure_retry.count() > 0 && now >= bind.reconnect_at) connect(bind, now);
      return;
    case LinkState::kConnecting: {
      if (stopping_) return close_now(bind, now, BindEvent::kClosedForStop, "stopped");
      if (!resolved(bind, now)) return;
      auto established = bind.connection.progress();
      if (!established.ok()) return close_now(bind, now, BindEvent::kLinkLost, established.status().message());
      if (*established) {
        const std::string password(reinterpret_cast<const char*>(options_.password.bytes().data()),
                                   options_.password.size());
        const uint32_t sequence = bind.take_sequence();
        write_bind(bind.out, sequence,
                   {.command_id = bind.bind_command, .system_id = options_.system_id, .password = password,
                    .system_type = options_.system_type, .address_range = options_.address_range});
        bind.outstanding[sequence] = {RequestKind::kBind, 0};
        transition(bind, BindEvent::kEstablished, "bind written");
      } else if (now >= bind.state_deadline) {
        close_now(bind, now, BindEvent::kLinkLost, "connect timeout");
      }
      return;
    }
    case LinkState::kBinding:
      if (stopping_) return close_now(bind, now, BindEvent::kClosedForStop, "stopped");
      if (now >= bind.state_deadline) close_now(bind, now, BindEvent::kLinkLost, "no bind_resp in time");
      return;
    case LinkState::kBound:
    case LinkState::kThrottled:
    case LinkState::kUnbinding:
      if (expired_request(bind, now)) {
        bind.counters.add(kCounterResponseTimeouts);
        return close_now(bind, now, BindEvent::kLinkLost, "response timeout");
      }
      if (bind.state == LinkState::kUnbinding) {
        if (now >= bind.state_deadline) close_now(bind, now, BindEvent::kClosedForStop, "no unbind_resp in time");
        return;
      }
      if (stopping_ && ((bind.submits_outstanding == 0 && bind.deliveries_pending == 0) || now >= stop_deadline_)) {
        return send_unbind(bind, now);
      }
      if (!bind.enquire_outstanding && now - bind.last_read >= options_.enquire_link_interval) {
        send_request(bind, command::kEnquireLink, RequestKind::kEnquireLink, now);
        bind.enquire_outstanding = true;
        bind.counters.add(kCounterEnquireLinkSent);
      }
      if (bind.state == LinkState::kThrottled && now >= bind.paused_until) {
        transition(bind, BindEvent::kPauseOver, "throttling pause over");
      }
      return;
    case LinkState::kStopped:
      return;
  }
}

// True when the oldest unanswered request is past its response timer.
bool Session::Impl::expired_request(Bind& bind, Clock::SteadyTime now) {
  while (!bind.timers.empty()) {
    const auto& [sequence, deadline] = bind.timers.front();
    if (!bind.outstanding.contains(sequence)) {
      bind.timers.pop_front();
      continue;
    }
    return deadline <= now;
  }
  return false;
}

uint32_t Session::Impl::send_request(Bind& bind, uint32_t command_id, RequestKind kind, Clock::SteadyTime now, uint64_t order) {
  const uint32_t sequence = bind.take_sequence();
  if (kind != RequestKind::kSubmit) write_header_only(bind.out, command_id, status::kOk, sequence);
  bind.outstanding[sequence] = {kind, order};
  bind.timers.emplace_back(sequence, now + options_.response_timeout);
  return sequence;
}

void Session::Impl::send_unbind(Bind& bind, Clock::SteadyTime now) {
  send_request(bind, command::kUnbind, RequestKind::kUnbind, now);
  transition(bind, BindEvent::kStop, "unbind written");
  bind.state_deadline = now + options_.response_timeout;
}

// The name lookup runs off this thread (smpp/resolver.h); resolved() starts the TCP
// connect once it has answered.
void Session::Impl::connect(Bind& bind, Clock::SteadyTime now) {
  transition(bind, BindEvent::kReconnectDue, fmt::format("{}:{}", options_.host, options_.port));
  bind.state_deadline = now + options_.connect_timeout;
  bind.resolving = resolver_->lookup();
}

// kConnecting: true once the address is known and the connect started; false while the
// lookup runs (past connect_timeout the bind gives up; the lookup goes on for the next
// attempt) or when it failed (the bind is closed).
bool Session::Impl::resolved(Bind& bind, Clock::SteadyTime now) {
  if (!bind.resolving) return true;
  const auto address = bind.resolving->result();
  if (!address) {
    if (now >= bind.state_deadline) {
      close_now(bind, now, BindEvent::kLinkLost,
                fmt::format("name lookup of {} unanswered after connect_timeout", options_.host));
    }
    return false;
  }
  bind.resolving.reset();
  const Status opened = address->ok() ? bind.connection.open(**address, options_.host, options_.port, tls_,
                                                             options_.tls_verify_hostname)
                                      : address->status();
  if (!opened.ok()) close_now(bind, now, BindEvent::kLinkLost, opened.message());
  return opened.ok();
}

void Session::Impl::request_close(Bind& bind, BindEvent event, std::string reason) {
  bind.close_requested = true;
  bind.close_event = close_event(event);
  bind.close_reason = std::move(reason);
}

// Closes the link; unanswered submits go back to the queue in their places (they may be
// duplicated at the SMSC: at most one window per bind).
void Session::Impl::close_now(Bind& bind, Clock::SteadyTime now, BindEvent event, const std::string& reason) {
  requeue_unanswered(bind, now);
  bind.outstanding.clear();
  bind.timers.clear();
  bind.submits_outstanding = 0;
  bind.enquire_outstanding = false;
  bind.deliveries_pending = 0;
  ++bind.link;
  bind.close_requested = false;
  bind.connection.close();
  bind.resolving.reset();
  bind.in_length = 0;
  bind.out.clear();
  bind.out_sent = 0;
  bind.receiver = Receiver(options_.max_command_length);
  event = close_event(event);
  if (event == BindEvent::kLinkLost) {
    bind.reconnect_at = now + bind.backoff.next_delay(now, random_);
    bind.counters.add(kCounterReconnects);
  } else if (event == BindEvent::kBindRefused) {
    bind.reconnect_at = now + options_.bind_failure_retry;
  }
  transition(bind, event, reason);
}

// The one place a bind changes state: checked against the table (smpp/bind_machine.h),
// logged, and reported to the listener when the reported BindState changes.
bool Session::Impl::transition(Bind& bind, BindEvent event, const std::string& detail) {
  const LinkState from = bind.state;
  const std::optional<LinkState> to = bind_transition(bind.name, from, event, detail);
  if (!to) return false;
  bind.state = *to;
  if (*to == from) return true;
  switch (*to) {
    case LinkState::kIdle: spdlog::warn("smpp {}: link down ({}); reconnecting", bind.name, detail); break;
    case LinkState::kBound:
      if (from == LinkState::kBinding) spdlog::info("smpp {}: bound ({})", bind.name, detail);
      break;
    case LinkState::kBindFailed: spdlog::error("smpp {}: bind refused: {}", bind.name, detail); break;
    default: break;
  }
  const std::optional<BindState> reported = link_states()[static_cast<size_t>(*to)].reported;
  if (reported && reported != link_states()[static_cast<size_t>(from)].reported) {
    listener_.on_bind_state(bind.name, *reported, detail);
  }
  return true;
}

void Session::Impl::begin_stop(Clock::SteadyTime now) {
  stopping_ = true;
  stop_deadline_ = now + options_.response_timeout;
}

void Session::Impl::on_bind_resp(const Header& header, std::string_view system_id) {
  Bind& bind = *current_;
  auto it = bind.outstanding.find(header.sequence_number);
  if (bind.state != LinkState::kBinding || it == bind.outstanding.end()) return;
  bind.outstanding.erase(it);
  if (header.command_status == status::kOk) {
    bind.backoff.bound(clock_.steady_now());
    bind.counters.add(kCounterConnects);
    transition(bind, BindEvent::kBindOk, fmt::format("SMSC system_id {}", system_id));
    return;
  }
  bind.counters.add(kCounterBindFailures);
  const bool refused = classify_status(header.command_status) == StatusClass::kBindFailure;
  request_close(bind, refused ? BindEvent::kBindRefused : BindEvent::kLinkLost, status_name(header.command_status));
}

void Session::Impl::on_response(const Header& header) {
  Bind& bind = *current_;
  if (header.command_id == command::kGenericNack) bind.counters.add(kCounterGenericNackReceived);
  auto it = bind.outstanding.find(header.sequence_number);
  if (it == bind.outstanding.end()) return;
  const Outstanding request = it->second;
  bind.outstanding.erase(it);
  switch (request.kind) {
    case RequestKind::kSubmit: {
      --bind.submits_outstanding;
      const uint32_t command_status = header.command_status != 0 ? header.command_status : status::kSystemError;
      return on_submit_outcome(bind, request.part_order, command_status, {});
    }
    case RequestKind::kEnquireLink:
      bind.enquire_outstanding = false;
      return;
    case RequestKind::kUnbind:
      return request_close(bind, BindEvent::kClosedForStop, "unbound");
    case RequestKind::kBind:
      bind.counters.add(kCounterBindFailures);
      return request_close(bind, BindEvent::kLinkLost, "bind answered with " + command_name(header.command_id));
  }
}

void Session::Impl::on_enquire_link(const Header& header) {
  current_->counters.add(kCounterEnquireLinkReceived);
  write_header_only(current_->out, command::kEnquireLink | command::kResponseBit, status::kOk, header.sequence_number);
}

void Session::Impl::on_unbind(const Header& header) {
  write_header_only(current_->out, command::kUnbind | command::kResponseBit, status::kOk, header.sequence_number);
  request_close(*current_, BindEvent::kLinkLost, "unbound by the SMSC");
}

}  // namespace pintar::smpp
