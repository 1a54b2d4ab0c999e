// Link: the one long-lived TCP connection to the P2APST host, and the session on it.
//
// A background thread connects, signs on (2800, bit 40 = 001), sends an echo test (301)
// after echo_interval of silence, and on any failure (connect error, refused sign-on, lost
// link, unanswered echo, framing error) closes and reconnects after an exponential
// backoff with jitter. stop() signs off (002) before closing.
//
// exchange() may be called from any number of threads at once: requests are matched to
// answers by STAN (bit 11), so many can be in flight on the link. Its result says what
// is known about the request:
//   ok                  the answer (any bit 39; the caller interprets it)
//   FailedPrecondition  not signed on: nothing was sent
//   Unavailable         the write failed before any byte left: nothing was sent
//   Timeout             the request was sent (or may have been) and no answer came within
//                       request_timeout, or the link went down first: outcome unknown
//   Cancelled           stop() was called
//   InvalidArgument     the request does not encode (a bug in the caller)
// Timers run on the steady clock; the Clock seam gives wall time (bit 12).
#ifndef PINTAR_VENDING_P2APST_LINK_H_
#define PINTAR_VENDING_P2APST_LINK_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/counters.h"
#include "common/status.h"
#include "vending/p2apst/iso8583.h"
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
static_assert(std::size(kLinkCounters) == kLinkCounterCount);

class Link {
 public:
  // `stans` and `clock` must outlive the Link.
  Link(LinkOptions options, Partner partner, StanSequence& stans, Clock& clock);
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;
  ~Link();  // stop()

  // Starts the link thread; returns at once. Call once.
  void start();
  // Signs off and closes; fails waiting exchanges with Cancelled. Idempotent.
  void stop();

  bool signed_on() const;
  // Waits until signed on (true) or the timeout passes or the link is stopped (false).
  bool wait_signed_on(Millis timeout);
  // Sleeps for `duration` unless stop() is called first (then returns false at once).
  bool sleep_unless_stopped(Millis duration);
  // The latest reason the link is not up ("sign-on refused with 0032", "connect: ..."),
  // for operators; empty once signed on.
  std::string last_problem() const;

  // A fresh STAN for a request the caller builds (it may persist it before exchange()).
  Result<std::string> next_stan() { return stans_.next(); }
  // Sends a request that carries bit 11 and waits for the answer with that STAN, up to
  // `timeout` (default: request_timeout).
  Result<Message> exchange(const Message& request, std::optional<Millis> timeout = std::nullopt);

  const Counters& counters() const { return counters_; }
  const Partner& partner() const { return partner_; }
  Clock& clock() { return clock_; }
  Millis request_timeout() const { return options_.request_timeout; }

 private:
  enum class Purpose { kCaller, kSignOn, kEcho, kSignOff };
  struct Pending {
    Purpose purpose;
    std::string response_mti;
    std::optional<Message> answer;
    Status failure;
    bool done = false;
  };

  void run();
  // One connected session; returns when the link must be closed.
  // Returns whether it got signed on.
  bool session(int fd);
  bool handle_frame(const std::string& body);  // false: the link must be closed
  Status send_network(Purpose purpose, std::string_view code);
  // Writes on the session `generation` only: a request admitted on a link that has since
  // gone down must not reach the next connection.
  Status write_frame(uint64_t generation, const Message& message);
  void backoff(int attempt);
  void end_session(std::string problem);
  void wake();

  const LinkOptions options_;
  const Partner partner_;
  StanSequence& stans_;
  Clock& clock_;
  Counters counters_{kLinkCounters};

  std::thread thread_;
  int wake_pipe_[2] = {-1, -1};

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool signed_on_ = false;
  uint64_t generation_ = 0;  // of the current session; 0 between sessions
  std::string last_problem_ = "not connected yet";
  std::map<std::string, std::shared_ptr<Pending>> pending_;  // by STAN
  std::atomic<int64_t> last_traffic_{0};  // steady ns of the last frame in or out

  std::mutex write_mutex_;  // serialises frames on the socket and its closing
  int write_fd_ = -1;            // guarded by write_mutex_
  uint64_t write_generation_ = 0;  // guarded by write_mutex_
  uint64_t sessions_ = 0;        // link thread only
  bool sign_on_again_ = false;   // link thread only: a 0011 answer asks for a new sign-on
};

}  // namespace pintar::p2apst

#endif  // PINTAR_VENDING_P2APST_LINK_H_
