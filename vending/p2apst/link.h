// Link: the one long-lived TCP connection to the P2APST host, and the session on it.
//
// The session (sign-on 2800/001, echo test 2800/301 after echo_interval of silence, sign-off
// 2800/002 on stop(), reconnect after a backoff with jitter on any failure) is the table
// machine in link_session.h; this class is its TCP part: one I/O thread connects, reads and
// feeds the machine, and every timer (the session's and each request's timeout) runs on the
// Clock seam, so a ManualClock drives the whole link in tests without waiting.
//
// exchange_async() may be called from any number of threads at once and returns at once:
// requests are matched to answers by STAN (bit 11), so any number can be in flight on the
// link. `done` is called exactly once, with what is known about the request:
//   ok                  the answer (any bit 39; the caller interprets it)
//   FailedPrecondition  not signed on: nothing was sent
//   Unavailable         the write failed before any byte left: nothing was sent
//   Timeout             the request was sent (or may have been) and no answer came within
//                       the timeout, or the link went down first: outcome unknown
//   Cancelled           stop() was called
//   InvalidArgument     the request does not encode (a bug in the caller)
// Callbacks (exchange_async, when_signed_on, call_at) run on the calling thread (when the
// result is known at once), the I/O thread, or the clock's timer thread; they must not
// block for long (a journal write is fine, waiting for another answer is not) and may call
// any member except stop(). Every callback still due is called (Cancelled / false) by stop().
// Wall time (bit 12) and all timers come from the Clock.
#ifndef PINTAR_VENDING_P2APST_LINK_H_
#define PINTAR_VENDING_P2APST_LINK_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/counters.h"
#include "common/histogram.h"
#include "common/status.h"
#include "common/tcp.h"
#include "vending/p2apst/framing.h"
#include "vending/p2apst/iso8583.h"
#include "vending/p2apst/link_session.h"
#include "vending/p2apst/p2apst_config.h"
#include "vending/p2apst/stan.h"

namespace pintar::p2apst {

enum LinkCounter : size_t {
  kConnects,
  kConnectFailures,
  kSignOns,
  kSignOnRefusals,
  kLinkLosses,
  kEchoes,
  kRequests,
  kTimeouts,
  kLateAnswers,
  kUndecodable,
  kLinkCounterCount,
};
constexpr size_t counter_count(LinkCounter) { return kLinkCounterCount; }

inline constexpr CounterSpec kLinkCounters[] = {
    {"p2apst.connects", "TCP connections established to the P2APST host"},
    {"p2apst.connect_failures", "TCP connects that failed or timed out"},
    {"p2apst.sign_ons", "sign-ons (2800/001) answered 0000"},
    {"p2apst.sign_on_refusals", "sign-ons answered with another code or not at all"},
    {"p2apst.link_losses", "established links that were closed or lost"},
    {"p2apst.echoes", "echo tests (2800/301) sent on an idle link"},
    {"p2apst.requests", "financial requests sent (2100, 2200, 2220, 2221)"},
    {"p2apst.timeouts", "financial requests without an answer in time (outcome unknown)"},
    {"p2apst.late_answers", "answers whose STAN no request is waiting for (arrived after a timeout)"},
    {"p2apst.undecodable", "framed messages from the host that do not decode; dropped"},
};
static_assert(valid_counter_names(kLinkCounters));
inline constexpr HistogramSpec kRoundTripHistogram{
    "p2apst.round_trip", "financial request written to the P2APST link -> its answer matched by STAN (timeouts not included)"};

class Link {
 public:
  using Done = std::function<void(Result<Message>)>;

  // `stans` and `clock` must outlive the Link.
  Link(LinkOptions options, Partner partner, StanSequence& stans, Clock& clock);
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;
  ~Link();  // stop()

  // Starts the I/O thread; returns at once. Call once.
  void start();
  // Fails waiting exchanges with Cancelled, signs off, closes, and calls every callback
  // still due. Idempotent. Not from a callback.
  void stop();

  bool signed_on() const;
  LinkState state() const;
  // Waits until signed on (true) or the timeout passes or the link is stopped (false).
  // Real time, for command-line use and tests; the engine uses when_signed_on().
  bool wait_signed_on(Millis timeout);
  // Calls done(true) once signed on (at once if it is), done(false) when `timeout` passes
  // on the clock first or the link stops.
  void when_signed_on(Millis timeout, std::function<void(bool)> done);
  // Calls done(true) at `at` on the clock, or done(false) at once if the link stops first.
  void call_at(Clock::SteadyTime at, std::function<void(bool)> done);
  // The latest reason the link is not up ("sign-on refused with 0032", "connect: ..."),
  // for operators; empty once signed on.
  std::string last_problem() const;

  // A fresh STAN for a request the caller builds (it may persist it before exchange()).
  Result<std::string> next_stan() { return stans_.next(); }
  // Sends a request that carries bit 11; `done` gets the answer with that STAN, or a
  // failure after `timeout` (default: request_timeout) on the clock.
  void exchange_async(const Message& request, std::optional<Millis> timeout, Done done);
  // exchange_async, waiting for the result (never from a callback).
  Result<Message> exchange(const Message& request, std::optional<Millis> timeout = std::nullopt);

  const Counters<LinkCounter>& counters() const { return counters_; }
  const Histogram& round_trip() const { return round_trip_; }  // kRoundTripHistogram
  const Partner& partner() const { return partner_; }
  Clock& clock() { return clock_; }
  Millis request_timeout() const { return options_.request_timeout; }

 private:
  struct Pending {
    std::string response_mti;
    Done done;
    Clock::TimerId timer = 0;
    Clock::SteadyTime sent_at{};
  };
  struct Waiter {
    std::function<void(bool)> done;
    Clock::TimerId timer = 0;
    bool on_sign_on = false;  // when_signed_on (else call_at)
  };
  struct Queued {
    LinkEvent event;
    uint64_t timer_serial;  // kTimerExpired: which arming fired
  };

  void run();
  void feed(LinkEvent event, std::string_view problem = {});
  void connect();
  void read_available();
  void handle_frame(const std::string& body);
  Status send_network(std::string_view code);
  // Writes on the connection `generation` only: a request admitted on a link that has since
  // gone down must not reach the next connection.
  Status write_frame(uint64_t generation, const Message& message);
  void close_connection();
  void fail_all(bool stopping);
  void finish(std::string stan, Result<Message> result);
  void fire_waiters(bool on_sign_on_only, bool value);
  void post(Queued q);
  void wake();

  const LinkOptions options_;
  const Partner partner_;
  StanSequence& stans_;
  Clock& clock_;
  Counters<LinkCounter> counters_{kLinkCounters};
  Histogram round_trip_{kRoundTripHistogram};

  std::thread thread_;
  int wake_pipe_[2] = {-1, -1};

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool signed_on_ = false;
  LinkState state_ = LinkState::kIdle;  // a copy of session_.state() for other threads
  uint64_t generation_ = 0;  // of the current connection while signed on; 0 otherwise
  std::string last_problem_ = "not connected yet";
  std::map<std::string, Pending> pending_;  // caller requests by STAN
  std::map<uint64_t, Waiter> waiters_;
  uint64_t last_waiter_ = 0;
  std::deque<Queued> events_;  // from timers and stop(), for the I/O thread
  std::atomic<int64_t> last_traffic_{0};  // clock steady ns of the last frame in or out

  std::mutex write_mutex_;  // serialises frames on the socket and its closing
  int write_fd_ = -1;            // guarded by write_mutex_
  uint64_t write_generation_ = 0;  // guarded by write_mutex_

  // I/O thread only:
  LinkSession session_;
  UniqueFd fd_;  // the connection, owned by the I/O thread
  std::unique_ptr<FrameReader> reader_;  // of the connection fd_
  uint64_t connections_ = 0;
  Clock::TimerId state_timer_ = 0;
  uint64_t timer_serial_ = 0;
  std::map<std::string, std::string_view> network_pending_;  // STAN -> bit 40 code sent
};

}  // namespace pintar::p2apst

#endif  // PINTAR_VENDING_P2APST_LINK_H_
