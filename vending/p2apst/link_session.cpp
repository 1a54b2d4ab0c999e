#include "vending/p2apst/link_session.h"

#include <algorithm>
#include <array>
#include <iterator>

#include <spdlog/spdlog.h>

namespace pintar::p2apst {
namespace {

using enum LinkState;
using enum LinkEvent;

constexpr std::array<std::string_view, 8> kStateNames = {
    "idle", "connecting", "signing_on", "signed_on", "echoing", "signing_off", "backoff", "stopped",
};
constexpr std::array<std::string_view, 11> kEventNames = {
    "start", "connected", "connect_failed", "sign_on_approved", "sign_on_refused", "sign_on_first",
    "echo_answered", "sign_off_answered", "link_lost", "timer_expired", "stop",
};

// The session machine (docs/p2apst.md, "Session"). Entering a state arms its timer
// (timer_for); the actions below are what the edge itself does.
constexpr LinkTransition kLinkTransitions[] = {
    {kIdle, kStart, kConnecting},
    {kIdle, kStop, kStopped},
    {kConnecting, kConnected, kSigningOn},         // send 2800/001
    {kConnecting, kConnectFailed, kBackoff},
    {kConnecting, kStop, kStopped},
    {kSigningOn, kSignOnApproved, kSignedOn},
    {kSigningOn, kSignOnRefused, kBackoff},        // close
    {kSigningOn, kTimerExpired, kBackoff},         // close: "sign-on not answered in time"
    {kSigningOn, kLinkLost, kBackoff},
    {kSigningOn, kStop, kStopped},                 // close; nothing to sign off
    {kSignedOn, kTimerExpired, kEchoing},          // idle for echo_interval: send 2800/301
    {kSignedOn, kSignOnFirst, kSigningOn},         // send 2800/001 on the same connection
    {kSignedOn, kLinkLost, kBackoff},
    {kSignedOn, kStop, kSigningOff},               // send 2800/002
    {kEchoing, kEchoAnswered, kSignedOn},
    {kEchoing, kTimerExpired, kBackoff},           // close: "echo test not answered in time"
    {kEchoing, kSignOnFirst, kSigningOn},          // send 2800/001
    {kEchoing, kLinkLost, kBackoff},
    {kEchoing, kStop, kSigningOff},                // send 2800/002
    {kSigningOff, kSignOffAnswered, kStopped},     // close
    {kSigningOff, kTimerExpired, kStopped},        // close
    {kSigningOff, kLinkLost, kStopped},
    {kBackoff, kTimerExpired, kConnecting},
    {kBackoff, kStop, kStopped},
};

bool connection_open(LinkState s) { return s == kSigningOn || s == kSignedOn || s == kEchoing || s == kSigningOff; }

}  // namespace

std::string_view link_state_name(LinkState state) { return kStateNames[static_cast<size_t>(state)]; }
std::string_view link_event_name(LinkEvent event) { return kEventNames[static_cast<size_t>(event)]; }

LinkSession::LinkSession(const LinkOptions& options, uint32_t seed)
    : options_(options), backoff_(options.reconnect_min, options.reconnect_max), random_(seed) {}

std::optional<Clock::SteadyTime> LinkSession::timer_for(LinkState state, Clock::SteadyTime now) {
  switch (state) {
    case kSigningOn:
    case kEchoing:
      return now + options_.request_timeout;
    case kSignedOn:
      return std::max(now, last_traffic_ + options_.echo_interval);
    case kSigningOff:
      return now + std::min(kSignOffGrace, options_.request_timeout);
    case kBackoff:
      return now + backoff_.next_delay(now, random_);
    default:
      return std::nullopt;
  }
}

LinkActions LinkSession::handle(LinkEvent event, Clock::SteadyTime now, std::string_view problem) {
  LinkActions out;
  // The echo timer was armed at the last traffic it knew of; traffic since moves it on.
  if (state_ == kSignedOn && event == kTimerExpired && now < last_traffic_ + options_.echo_interval) {
    out.rearm = true;
    out.timer = timer_for(kSignedOn, now);
    return out;
  }
  const auto* t = std::find_if(std::begin(kLinkTransitions), std::end(kLinkTransitions),
                               [&](const LinkTransition& x) { return x.from == state_ && x.event == event; });
  if (t == std::end(kLinkTransitions)) {
    spdlog::debug("p2apst: session ignores {} in state {}", link_event_name(event), link_state_name(state_));
    return out;  // no rearm: the armed timer stays
  }
  const LinkState from = state_;
  const LinkState to = t->to;
  spdlog::debug("p2apst: session {} --{}--> {}", link_state_name(from), link_event_name(event), link_state_name(to));

  if (!problem.empty()) last_problem_ = std::string(problem);
  if (from == kSigningOn && event == kTimerExpired) last_problem_ = "sign-on not answered in time";
  if (from == kEchoing && event == kTimerExpired) last_problem_ = "echo test not answered in time";
  if (event == kSignOnFirst) last_problem_ = "the host answered 0011 (sign on first)";
  if (to == kStopped) last_problem_ = "stopped";
  out.sign_on_refused = from == kSigningOn && (event == kSignOnRefused || event == kTimerExpired);

  if (to == kConnecting) out.connect = true;
  if (to == kSigningOn) {
    if (from == kConnecting) {
      connection_signed_on_ = false;
      last_traffic_ = now;
    }
    out.send_network = kSignOnCode;
  }
  if (to == kSignedOn && from == kSigningOn) {
    last_problem_.clear();
    connection_signed_on_ = true;
    backoff_.bound(now);
  }
  if (to == kEchoing) {
    out.send_network = kEchoCode;
    out.echo_sent = true;
  }
  if (to == kSigningOff) out.send_network = kSignOffCode;
  if (connection_open(from) && !connection_open(to)) {
    out.close = true;
    out.link_lost = connection_signed_on_;
    connection_signed_on_ = false;
  }
  out.signed_on = !is_signed_on(from) && is_signed_on(to);
  out.signed_off = is_signed_on(from) && !is_signed_on(to);
  state_ = to;
  out.rearm = true;
  out.timer = timer_for(to, now);
  return out;
}

}  // namespace pintar::p2apst
