// The bind state machine of one SMPP bind as a table (docs/smpp.md, "Bind state machine"):
// its states with the timer that runs in each and the BindState reported on entry, the
// events, and the allowed (state, event) -> next state rows. Private to smpp/ (the session
// drives it; the public face is BindState in session.h).
//
// Pure data and pure functions, thread-safe. bind_transition() is the one place a state
// change is checked: an event the table has no row for is refused and logged, never acted on.
#ifndef PINTAR_SMPP_BIND_MACHINE_H_
#define PINTAR_SMPP_BIND_MACHINE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "smpp/session.h"

namespace pintar::smpp {

enum class LinkState : uint8_t {
  kIdle,        // no link; reconnect at the backoff time
  kConnecting,  // name lookup, TCP connect, TLS handshake
  kBinding,     // bind_* written, waiting for bind_resp
  kBound,       // submitting and receiving
  kThrottled,   // bound, submits paused after 0x58/0x14 until throttle_pause passes
  kUnbinding,   // stop(): unbind written, waiting for unbind_resp
  kBindFailed,  // the SMSC refused the bind: retried only after bind_failure_retry
  kStopped,
};
inline constexpr size_t kLinkStateCount = 8;

enum class BindEvent : uint8_t {
  kReconnectDue,    // the reconnect (or bind_failure_retry) time came: look up and connect
  kEstablished,     // TCP (+ TLS) up: bind_* written
  kBindOk,          // bind_resp ESME_ROK
  kBindRefused,     // bind_resp with a bind-failure status (0x04/0x05/0x0D/0x0E/0x0F/0x53)
  kLinkLost,        // error, timeout, peer closed, SMSC unbind, other bind_resp error: reconnect
  kThrottle,        // submit_sm_resp 0x58/0x14 (or a vendor "throttle")
  kPauseOver,       // throttle_pause passed
  kStop,            // stop(): nothing in the air any more (or the stop deadline passed)
  kClosedForStop,   // the link closed after stop(): unbind_resp, timeout, any close
};
inline constexpr size_t kBindEventCount = 9;

struct LinkStateSpec {
  LinkState state;
  const char* name;                  // as in docs/smpp.md
  const char* timer;                 // the timer that runs in this state (docs/smpp.md, "Timers")
  std::optional<BindState> reported; // told to the listener on entry (when it differs from before)
};

struct BindTransition {
  LinkState from;
  BindEvent event;
  LinkState to;
};

// Indexed by LinkState.
std::span<const LinkStateSpec> link_states();
std::span<const BindTransition> bind_transitions();

const char* link_state_name(LinkState state);
const char* bind_event_name(BindEvent event);

// The table's next state, or nullopt when it has no row for (from, event).
std::optional<LinkState> next_link_state(LinkState from, BindEvent event);

// next_link_state(), logging the change at debug level and a refused event at warn level
// ("smpp <bind>: <event> refused in state <state> (<detail>)").
std::optional<LinkState> bind_transition(std::string_view bind, LinkState from, BindEvent event,
                                         std::string_view detail);

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_BIND_MACHINE_H_
