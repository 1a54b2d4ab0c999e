// Private to smpp/: what the session's files share — the per-bind record (Bind), the MT
// queue's parts, the deliver answer box, and Session::Impl itself, whose member functions
// are defined by responsibility:
//   session.cpp          public Session API, start/stop, the poll loop and the link's I/O
//   session_bind.cpp     the bind state machine in action (smpp/bind_machine.h), timers, requests
//   session_mt.cpp       the MT queue, the window per bind, throttling and retries, MT outcomes
//   session_deliver.cpp  deliver_sm/data_sm: hand-over to the listener and the deliver_sm_resp
//
// Threads: as in session.h. Every Bind, and everything below "Session thread only" in Impl,
// is touched by the session thread alone; AnswerBox and the inbox are the shared parts.
#ifndef PINTAR_SMPP_SESSION_INTERNAL_H_
#define PINTAR_SMPP_SESSION_INTERNAL_H_

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/backoff.h"
#include "common/clock.h"
#include "common/counters.h"
#include "smpp/bind_machine.h"
#include "smpp/connection.h"
#include "smpp/pdu.h"
#include "smpp/rate_limiter.h"
#include "smpp/reassembly.h"
#include "smpp/receive.h"
#include "smpp/resolver.h"
#include "smpp/session.h"

namespace pintar::smpp {

namespace session_internal {

enum class RequestKind : uint8_t { kBind, kSubmit, kEnquireLink, kUnbind };

struct Outstanding {
  RequestKind kind;
  uint64_t part_order;  // kSubmit: key in sent_
};

// One submit_sm to write: a part of an MT.
struct Part {
  uint64_t mt = 0;
  uint8_t index = 0;
  uint8_t data_coding = 0;
  bool udhi = false;
  int attempts = 0;  // temporary errors so far
  Clock::SteadyTime not_before{};
  std::string short_message;
};

struct Mt {
  OutboundSms sms;
  std::vector<std::string> message_ids;
  size_t remaining = 0;
};

struct Bind {
  Bind(size_t bind_index, std::string bind_name, uint32_t command_id, int tps, uint32_t max_command_length,
       ReconnectBackoff reconnect, Clock::SteadyTime now)
      : index(bind_index),
        name(std::move(bind_name)),
        bind_command(command_id),
        transmits(command_id != command::kBindReceiver),
        receives(command_id != command::kBindTransmitter),
        receiver(max_command_length),
        limiter(tps, std::max(1, tps / 10), now),  // bursts of 100 ms at most
        backoff(reconnect) {}

  size_t index;  // in Impl::binds_
  std::string name;
  uint32_t bind_command;
  bool transmits, receives;
  Counters<BindCounter> counters{kBindCounters};
  Connection connection;
  std::shared_ptr<const Resolver::Pending> resolving;  // kConnecting: the lookup before the TCP connect
  Receiver receiver;
  LinkState state = LinkState::kIdle;
  std::string in;
  size_t in_length = 0;
  std::string out;
  size_t out_sent = 0;
  uint32_t next_sequence = 1;
  std::unordered_map<uint32_t, Outstanding> outstanding;
  std::deque<std::pair<uint32_t, Clock::SteadyTime>> timers;  // response deadlines, send order
  size_t submits_outstanding = 0;
  bool enquire_outstanding = false;
  size_t deliveries_pending = 0;  // deliver_sm handed to the listener, not yet answered
  uint64_t link = 0;              // generation: one more at every close
  RateLimiter limiter;
  Clock::SteadyTime paused_until{}, reconnect_at{}, state_deadline{}, last_read{};
  ReconnectBackoff backoff;
  // A close decided inside the receive path, done once the answers are written.
  bool close_requested = false;
  BindEvent close_event = BindEvent::kLinkLost;
  std::string close_reason;

  uint32_t take_sequence() {
    const uint32_t sequence = next_sequence;
    next_sequence = next_sequence >= 0x7FFFFFFF ? 1 : next_sequence + 1;  // §3.2: 0x01..0x7FFFFFFF
    return sequence;
  }
};

}  // namespace session_internal

using session_internal::Bind;
using session_internal::Mt;
using session_internal::Outstanding;
using session_internal::Part;
using session_internal::RequestKind;

// A DeliverReply's answer, on its way from the listener's thread to the session thread.
struct DeliverAnswer {
  static constexpr size_t kNoBind = SIZE_MAX;  // an incomplete MO: its parts were answered already
  size_t bind = kNoBind;   // index in binds_
  uint64_t link = 0;       // the bind's link generation when the deliver_sm arrived
  uint32_t command_id = 0; // deliver_sm or data_sm
  uint32_t sequence = 0;
  uint32_t command_status = 0;  // of the deliver_sm_resp
};

// Answers posted from any thread; the session thread takes them after each wake-up.
class AnswerBox {
 public:
  void open(int wake_fd) {
    std::lock_guard lock(mutex_);
    wake_fd_ = wake_fd;
  }
  // After this, answers are dropped: the session is gone, the SMSC delivers them again.
  void close() {
    std::lock_guard lock(mutex_);
    wake_fd_ = -1;
    answers_.clear();
  }
  void post(const DeliverAnswer& answer) {
    std::lock_guard lock(mutex_);
    if (wake_fd_ < 0) return;
    answers_.push_back(answer);
    const uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  }
  std::vector<DeliverAnswer> take() {
    std::vector<DeliverAnswer> taken;
    std::lock_guard lock(mutex_);
    taken.swap(answers_);
    return taken;
  }

 private:
  std::mutex mutex_;
  int wake_fd_ = -1;
  std::vector<DeliverAnswer> answers_;
};

struct DeliverReply::State {
  State(std::shared_ptr<AnswerBox> answer_box, DeliverAnswer pending_answer)
      : box(std::move(answer_box)), pending(pending_answer) {}
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() { answer(status::kTemporaryAppError); }  // dropped unanswered: 0x64, the SMSC tries again

  void answer(uint32_t command_status) {
    if (answered.exchange(true)) return;
    pending.command_status = command_status;
    box->post(pending);
  }

  std::shared_ptr<AnswerBox> box;
  DeliverAnswer pending;
  std::atomic<bool> answered{false};
};

class Session::Impl final : public ReceiveHandler {
 public:
  Impl(BindOptions options, SessionListener& listener, Clock& clock, LookupFn lookup)
      : options_(std::move(options)),
        listener_(listener),
        clock_(clock),
        lookup_(std::move(lookup)),
        reassembler_(options_.mo_reassembly_timeout),
        random_(std::random_device{}()) {
    const auto now = clock_.steady_now();
    for (int slot = 0; slot < options_.binds; ++slot) {
      if (options_.mode == BindMode::kTransceiver) {
        add_bind(fmt::format("{}#{}", options_.name, slot), command::kBindTransceiver, now);
      } else {
        add_bind(fmt::format("{}#{}-tx", options_.name, slot), command::kBindTransmitter, now);
        add_bind(fmt::format("{}#{}-rx", options_.name, slot), command::kBindReceiver, now);
      }
    }
  }

  ~Impl() override { stop(); }

  Status start();
  void stop();
  bool submit(OutboundSms sms);
  size_t in_flight() const { return in_flight_.load(); }
  const std::vector<std::unique_ptr<Bind>>& binds() const { return binds_; }

 private:
  // session.cpp: the loop and the link's I/O.
  void add_bind(std::string name, uint32_t command_id, Clock::SteadyTime now);
  void wake();
  void run();
  std::chrono::milliseconds poll_wait(Clock::SteadyTime now);
  void flush(Bind& bind, Clock::SteadyTime now);
  void on_readable(Bind& bind, Clock::SteadyTime now);
  static std::span<const uint8_t> in_view(const Bind& bind);

  // session_bind.cpp: the bind state machine, its timers and requests.
  // After stop() every close ends in kStopped.
  BindEvent close_event(BindEvent event) const { return stopping_ ? BindEvent::kClosedForStop : event; }
  void drive(Bind& bind, Clock::SteadyTime now);
  bool expired_request(Bind& bind, Clock::SteadyTime now);
  uint32_t send_request(Bind& bind, uint32_t command_id, RequestKind kind, Clock::SteadyTime now, uint64_t order = 0);
  void send_unbind(Bind& bind, Clock::SteadyTime now);
  void connect(Bind& bind, Clock::SteadyTime now);
  bool resolved(Bind& bind, Clock::SteadyTime now);
  void request_close(Bind& bind, BindEvent event, std::string reason);
  void close_now(Bind& bind, Clock::SteadyTime now, BindEvent event, const std::string& reason);
  bool transition(Bind& bind, BindEvent event, const std::string& detail);
  void begin_stop(Clock::SteadyTime now);
  void on_bind_resp(const Header& header, std::string_view system_id) override;
  void on_response(const Header& header) override;
  void on_enquire_link(const Header& header) override;
  void on_unbind(const Header& header) override;

  // session_mt.cpp: the MT queue, windows, throttling, outcomes.
  void drain_inbox(Clock::SteadyTime now);
  void fill_windows(Clock::SteadyTime now);
  void send_submit(Bind& bind, std::map<uint64_t, Part>::node_type node, Clock::SteadyTime now);
  void report_failed(uint64_t id, uint32_t command_status, const std::string& reason);
  void fail_mt(Bind& bind, uint64_t key, uint32_t command_status);
  void on_submit_outcome(Bind& bind, uint64_t order, uint32_t command_status, std::string_view message_id);
  void on_submit_resp(const Header& header, std::string_view message_id) override;
  // Unanswered submits of a closing link go back to the queue in their places.
  void requeue_unanswered(Bind& bind, Clock::SteadyTime now);

  // session_deliver.cpp: deliver_sm/data_sm and their answers.
  void drain_answers();
  void on_deliver(const DeliverSm& deliver) override;
  bool hand_over(Bind& bind, const DeliverSm& deliver);
  DeliverReply reply_for(Bind& bind, const DeliverSm& deliver);
  void deliver_incomplete(const MoMessage& mo);
  void on_malformed(const Header& header, uint32_t command_status, std::string_view reason) override;

  BindOptions options_;
  SessionListener& listener_;
  Clock& clock_;
  std::vector<std::unique_ptr<Bind>> binds_;
  std::shared_ptr<TlsContext> tls_;
  LookupFn lookup_;
  std::unique_ptr<Resolver> resolver_;  // from start() to stop()
  std::thread thread_;
  int wake_fd_ = -1;
  std::mutex inbox_mutex_;
  std::deque<OutboundSms> inbox_;
  std::atomic<bool> running_{false};
  std::atomic<bool> stop_requested_{false};
  std::atomic<size_t> in_flight_{0};
  std::shared_ptr<AnswerBox> answers_ = std::make_shared<AnswerBox>();

  // Session thread only.
  bool stopping_ = false;
  Clock::SteadyTime stop_deadline_{};
  Clock::SteadyTime now_{};
  Bind* current_ = nullptr;
  Reassembler reassembler_;
  std::minstd_rand random_;
  std::map<uint64_t, Part> queue_;  // key: MT number << 8 | part index, i.e. submission order
  std::map<uint64_t, Part> sent_;   // parts awaiting their submit_sm_resp
  std::unordered_map<uint64_t, Mt> mts_;
  uint64_t next_mt_ = 1;
  uint8_t next_reference_ = 1;
};

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_SESSION_INTERNAL_H_
