// LinkSession: the P2APST session machine (sign-on, echo test, sign-off, reconnect) as
// one Osmocom-style table, without any I/O or thread. The Link (link.h) feeds it events
// from its socket and from its one state timer and carries out the actions it returns;
// tests drive it directly with the times of a ManualClock.
//
// Each state has at most one timer, armed on entry (kStateTimers): signing_on and echoing
// wait request_timeout for the answer, signed_on fires after echo_interval without traffic,
// signing_off waits min(2 s, request_timeout), backoff waits the reconnect delay
// (common/backoff.h). handle() looks the (state, event) pair up in kLinkTransitions; a pair
// that is not there is logged and ignored, so no code path sets the state directly.
// Not synchronised: one thread (the link's) owns it.
#ifndef PINTAR_VENDING_P2APST_LINK_SESSION_H_
#define PINTAR_VENDING_P2APST_LINK_SESSION_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "common/backoff.h"
#include "common/clock.h"
#include "vending/p2apst/p2apst_config.h"

namespace pintar::p2apst {

enum class LinkState : uint8_t {
  kIdle,        // not started
  kConnecting,  // TCP connect in progress (connect_timeout)
  kSigningOn,   // 2800/001 sent, waiting for its 2810
  kSignedOn,    // financial traffic allowed
  kEchoing,     // signed on; a 2800/301 echo is waiting for its answer
  kSigningOff,  // stop: 2800/002 sent, waiting briefly for its answer
  kBackoff,     // closed; reconnect when the timer fires
  kStopped,     // final
};
std::string_view link_state_name(LinkState state);
constexpr bool is_signed_on(LinkState s) { return s == LinkState::kSignedOn || s == LinkState::kEchoing; }

enum class LinkEvent : uint8_t {
  kStart,
  kConnected,
  kConnectFailed,
  kSignOnApproved,   // 2810 with 0000 to our 2800/001
  kSignOnRefused,    // 2810 with another code
  kSignOnFirst,      // a financial answer with 0011: the host lost our sign-on
  kEchoAnswered,     // 2810 to our echo
  kSignOffAnswered,  // 2810 to our sign-off
  kLinkLost,         // peer closed, recv/send error, framing error
  kTimerExpired,     // the state timer
  kStop,
};
std::string_view link_event_name(LinkEvent event);

// What the Link must do after an event, in this order: close, connect, send.
struct LinkActions {
  bool close = false;
  bool connect = false;
  std::optional<std::string_view> send_network;  // bit 40 code of a 2800: 001, 002 or 301
  bool rearm = false;                             // replace the state timer by `timer`
  std::optional<Clock::SteadyTime> timer;         // when rearm: the new timer; nullopt: none
  bool signed_on = false;     // the state went from not signed on to signed on
  bool signed_off = false;    // the state went from signed on to not signed on
  bool link_lost = false;     // a connection that had been signed on was closed
  bool sign_on_refused = false;  // refused or unanswered sign-on (counter)
  bool echo_sent = false;        // (counter)
};

struct LinkTransition {
  LinkState from;
  LinkEvent event;
  LinkState to;
};

class LinkSession {
 public:
  // Network management codes, bit 40 of 2800.
  static constexpr std::string_view kSignOnCode = "001";
  static constexpr std::string_view kSignOffCode = "002";
  static constexpr std::string_view kEchoCode = "301";
  // How long stop() waits for the answer to the sign-off before closing anyway.
  static constexpr Millis kSignOffGrace{2000};

  explicit LinkSession(const LinkOptions& options, uint32_t seed = std::random_device{}());

  // `problem` says why (for kConnectFailed, kSignOnRefused, kLinkLost); it becomes
  // last_problem() when the event takes the link down.
  LinkActions handle(LinkEvent event, Clock::SteadyTime now, std::string_view problem = {});
  // A frame went in or out at `at`: the echo timer counts from the latest.
  void traffic(Clock::SteadyTime at) { last_traffic_ = std::max(last_traffic_, at); }

  LinkState state() const { return state_; }
  const std::string& last_problem() const { return last_problem_; }

 private:
  std::optional<Clock::SteadyTime> timer_for(LinkState state, Clock::SteadyTime now);

  const LinkOptions options_;
  LinkState state_ = LinkState::kIdle;
  std::string last_problem_ = "not connected yet";
  Clock::SteadyTime last_traffic_{};
  bool connection_signed_on_ = false;  // this connection was signed on at some point
  ReconnectBackoff backoff_;
  std::minstd_rand random_;
};

}  // namespace pintar::p2apst

#endif  // PINTAR_VENDING_P2APST_LINK_SESSION_H_
