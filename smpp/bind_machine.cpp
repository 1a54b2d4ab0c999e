// The bind state machine's table (docs/smpp.md, "Bind state machine") and its one checked
// transition function. The session (session_bind.cpp) performs the actions of each row.
#include "smpp/bind_machine.h"

#include <array>

#include <spdlog/spdlog.h>

namespace pintar::smpp {

namespace {

using enum LinkState;
using E = BindEvent;

constexpr auto kStates = std::to_array<LinkStateSpec>({
    {kIdle, "idle", "reconnect backoff", BindState::kDisconnected},
    {kConnecting, "connecting", "connect_timeout", BindState::kConnecting},
    {kBinding, "binding", "connect_timeout", BindState::kConnecting},
    {kBound, "bound", "enquire_link_interval, response_timeout", BindState::kBound},
    {kThrottled, "throttled", "throttle_pause, enquire_link_interval, response_timeout", BindState::kThrottled},
    {kUnbinding, "unbinding", "response_timeout", std::nullopt},
    {kBindFailed, "bind_failed", "bind_failure_retry", BindState::kBindFailed},
    {kStopped, "stopped", "", BindState::kStopped},
});
static_assert(kStates.size() == kLinkStateCount);

constexpr bool states_in_order() {
  for (size_t i = 0; i < kStates.size(); ++i) {
    if (static_cast<size_t>(kStates[i].state) != i) return false;
  }
  return true;
}
static_assert(states_in_order(), "kStates is indexed by LinkState");

constexpr auto kTransitions = std::to_array<BindTransition>({
    {kIdle, E::kReconnectDue, kConnecting},
    {kIdle, E::kStop, kStopped},
    {kConnecting, E::kEstablished, kBinding},
    {kConnecting, E::kLinkLost, kIdle},
    {kConnecting, E::kClosedForStop, kStopped},
    {kBinding, E::kBindOk, kBound},
    {kBinding, E::kBindRefused, kBindFailed},
    {kBinding, E::kLinkLost, kIdle},
    {kBinding, E::kClosedForStop, kStopped},
    {kBound, E::kThrottle, kThrottled},
    {kBound, E::kLinkLost, kIdle},
    {kBound, E::kStop, kUnbinding},
    {kBound, E::kClosedForStop, kStopped},
    {kThrottled, E::kThrottle, kThrottled},  // the pause starts again
    {kThrottled, E::kPauseOver, kBound},
    {kThrottled, E::kLinkLost, kIdle},
    {kThrottled, E::kStop, kUnbinding},
    {kThrottled, E::kClosedForStop, kStopped},
    {kUnbinding, E::kThrottle, kUnbinding},  // the part goes back to the queue; nothing more is sent
    {kUnbinding, E::kClosedForStop, kStopped},
    {kBindFailed, E::kReconnectDue, kConnecting},
    {kBindFailed, E::kStop, kStopped},
});

}  // namespace

std::span<const LinkStateSpec> link_states() { return kStates; }
std::span<const BindTransition> bind_transitions() { return kTransitions; }

const char* link_state_name(LinkState state) {
  const auto i = static_cast<size_t>(state);
  return i < kStates.size() ? kStates[i].name : "?";
}

const char* bind_event_name(BindEvent event) {
  switch (event) {
    case E::kReconnectDue: return "reconnect_due";
    case E::kEstablished: return "established";
    case E::kBindOk: return "bind_ok";
    case E::kBindRefused: return "bind_refused";
    case E::kLinkLost: return "link_lost";
    case E::kThrottle: return "throttle";
    case E::kPauseOver: return "pause_over";
    case E::kStop: return "stop";
    case E::kClosedForStop: return "closed_for_stop";
  }
  return "?";
}

std::optional<LinkState> next_link_state(LinkState from, BindEvent event) {
  for (const BindTransition& row : kTransitions) {
    if (row.from == from && row.event == event) return row.to;
  }
  return std::nullopt;
}

std::optional<LinkState> bind_transition(std::string_view bind, LinkState from, BindEvent event,
                                         std::string_view detail) {
  const std::optional<LinkState> to = next_link_state(from, event);
  if (!to) {
    spdlog::warn("smpp {}: {} refused in state {} ({})", bind, bind_event_name(event), link_state_name(from), detail);
    return std::nullopt;
  }
  spdlog::debug("smpp {}: {} -> {} on {} ({})", bind, link_state_name(from), link_state_name(*to),
                bind_event_name(event), detail);
  return to;
}

}  // namespace pintar::smpp
