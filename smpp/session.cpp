#include "smpp/session.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/log.h"
#include "common/backoff.h"
#include "smpp/bind_machine.h"
#include "smpp/connection.h"
#include "smpp/pdu.h"
#include "smpp/rate_limiter.h"
#include "smpp/reassembly.h"
#include "smpp/receipt.h"
#include "smpp/receive.h"
#include "smpp/resolver.h"
#include "smpp/split.h"

namespace pintar::smpp {

namespace {

constexpr auto kBindCounters = std::to_array<CounterSpec>({
    {"smpp.submit_sm", "submit_sm PDUs written (every part, every attempt)"},
    {"smpp.submit_sm_resp_ok", "submit_sm_resp with ESME_ROK"},
    {"smpp.submit_sm_resp_error", "submit_sm_resp or generic_nack with an error status"},
    {"smpp.throttled", "submit_sm answered 0x58 ESME_RTHROTTLED or 0x14 ESME_RMSGQFUL (bind paused)"},
    {"smpp.retried", "submit_sm parts queued again after a temporary error"},
    {"smpp.failed", "MT reported failed to the listener"},
    {"smpp.deliver_sm", "deliver_sm and data_sm received"},
    {"smpp.mo", "MO (complete, or incomplete after the timeout) handed to the listener"},
    {"smpp.receipts", "delivery receipts handed to the listener"},
    {"smpp.deliver_refused", "deliver_sm answered with an error (listener refused, undecodable)"},
    {"smpp.mo_incomplete", "long MO handed over incomplete after the reassembly timeout"},
    {"smpp.generic_nack_sent", "generic_nack written (unknown command_id, bad framing)"},
    {"smpp.generic_nack_received", "generic_nack received"},
    {"smpp.malformed", "PDUs refused by framing, TLV pre-scan or decoding"},
    {"smpp.enquire_link_sent", "enquire_link written"},
    {"smpp.enquire_link_received", "enquire_link answered"},
    {"smpp.connects", "successful binds"},
    {"smpp.reconnects", "reconnect attempts after a lost link"},
    {"smpp.bind_failures", "binds refused by the SMSC"},
    {"smpp.response_timeouts", "requests unanswered within response_timeout (link dropped)"},
});
static_assert(kBindCounters.size() == kBindCounterCount);

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

constexpr size_t kReadChunk = 64 * 1024;
constexpr auto kMaxPollWait = std::chrono::milliseconds(100);
constexpr uint8_t kEsmClassUdhi = 0x40;
constexpr uint8_t kRegisteredDeliveryFinal = 0x01;
constexpr uint8_t kTonAlphanumeric = 5;
constexpr uint8_t kNpiUnknown = 0;
constexpr size_t kMaxAddressLength = 20;  // §4.4.1 source_addr / destination_addr

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
  Counters counters{kBindCounters};
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

}  // namespace

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

void DeliverReply::operator()(const Status& status) const {
  if (!state_) return;  // a moved-from reply has nothing left to answer
  state_->answer(status.ok()                                         ? status::kOk
                 : status.code() == StatusCode::kResourceExhausted ? status::kMessageQueueFull
                                                                    : status::kTemporaryAppError);
}

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

  Status start() {
    PINTAR_RETURN_IF_ERROR(validate(options_));
    if (thread_.joinable()) return Status::failed_precondition("smpp session already started");
    if (options_.tls) {
      auto tls = TlsContext::create(options_.tls_ca_file);
      if (!tls.ok()) return tls.status().with_context(fmt::format("smsc {}", options_.name));
      tls_ = std::move(*tls);
    }
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) return Status::io_error(fmt::format("eventfd: {}", std::strerror(errno)));
    resolver_ = std::make_unique<Resolver>(options_.host, options_.port, lookup_, [this] { wake(); });
    answers_->open(wake_fd_);
    running_ = true;
    thread_ = std::thread([this] { run(); });
    return Status();
  }

  void stop() {
    running_ = false;
    if (!thread_.joinable()) return;
    stop_requested_ = true;
    wake();
    thread_.join();
    resolver_.reset();  // no lookup thread writes to wake_fd_ after this
    answers_->close();
    ::close(wake_fd_);
    wake_fd_ = -1;
  }

  bool submit(OutboundSms sms) {
    {
      std::lock_guard lock(inbox_mutex_);
      if (!running_) return false;
      inbox_.push_back(std::move(sms));
    }
    ++in_flight_;
    wake();
    return true;
  }

  size_t in_flight() const { return in_flight_.load(); }
  const std::vector<std::unique_ptr<Bind>>& binds() const { return binds_; }

 private:
  void add_bind(std::string name, uint32_t command_id, Clock::SteadyTime now) {
    binds_.push_back(
        std::make_unique<Bind>(binds_.size(), std::move(name), command_id, options_.tps, options_.max_command_length,
                               ReconnectBackoff(options_.reconnect_min, options_.reconnect_max), now));
  }

  void wake() {
    const uint64_t one = 1;
    if (wake_fd_ >= 0) [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  }

  // --- the loop ------------------------------------------------------------------------------

  void run() {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);  // TLS writes go through write(2)
    std::vector<pollfd> fds;
    std::vector<Bind*> polled;
    for (;;) {
      const auto now = clock_.steady_now();
      drain_inbox(now);
      drain_answers();
      if (stop_requested_ && !stopping_) begin_stop(now);
      for (auto& bind : binds_) drive(*bind, now);
      fill_windows(now);
      for (const MoMessage& mo : reassembler_.expire(now)) deliver_incomplete(mo);
      bool all_stopped = true;
      for (auto& bind : binds_) {
        flush(*bind, now);
        all_stopped &= bind->state == LinkState::kStopped;
      }
      if (stopping_ && all_stopped) break;

      fds.assign(1, pollfd{wake_fd_, POLLIN, 0});
      polled.assign(1, nullptr);
      for (auto& bind : binds_) {
        if (bind->connection.fd() < 0) continue;
        fds.push_back(pollfd{bind->connection.fd(), bind->connection.events(bind->out.size() > bind->out_sent), 0});
        polled.push_back(bind.get());
      }
      ::poll(fds.data(), fds.size(), static_cast<int>(poll_wait(clock_.steady_now()).count()));
      if (fds[0].revents & POLLIN) {
        uint64_t count = 0;
        [[maybe_unused]] auto n = ::read(wake_fd_, &count, sizeof count);
      }
      const auto after = clock_.steady_now();
      for (size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents != 0 && polled[i]->connection.fd() == fds[i].fd) on_readable(*polled[i], after);
      }
    }
    for (auto& bind : binds_) bind->connection.close();
  }

  std::chrono::milliseconds poll_wait(Clock::SteadyTime now) {
    auto wake_at = now + kMaxPollWait;
    for (auto& bind : binds_) {
      if (bind->state == LinkState::kThrottled) wake_at = std::min(wake_at, bind->paused_until);
      if (bind->state == LinkState::kBound && !queue_.empty() && options_.tps > 0) {
        wake_at = std::min(wake_at, bind->limiter.next_token(now));
      }
    }
    return std::chrono::ceil<std::chrono::milliseconds>(std::max(wake_at - now, Clock::SteadyTime::duration{}));
  }

  void drain_inbox(Clock::SteadyTime now) {
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

  // deliver_sm_resp for the deliveries the listener has answered since the last turn.
  void drain_answers() {
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

  // Timers and state changes that do not wait for the network (docs/smpp.md, "Timers").
  void drive(Bind& bind, Clock::SteadyTime now) {
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
  bool expired_request(Bind& bind, Clock::SteadyTime now) {
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

  uint32_t send_request(Bind& bind, uint32_t command_id, RequestKind kind, Clock::SteadyTime now, uint64_t order = 0) {
    const uint32_t sequence = bind.take_sequence();
    if (kind != RequestKind::kSubmit) write_header_only(bind.out, command_id, status::kOk, sequence);
    bind.outstanding[sequence] = {kind, order};
    bind.timers.emplace_back(sequence, now + options_.response_timeout);
    return sequence;
  }

  void send_unbind(Bind& bind, Clock::SteadyTime now) {
    send_request(bind, command::kUnbind, RequestKind::kUnbind, now);
    transition(bind, BindEvent::kStop, "unbind written");
    bind.state_deadline = now + options_.response_timeout;
  }

  // The name lookup runs off this thread (smpp/resolver.h); resolved() starts the TCP
  // connect once it has answered.
  void connect(Bind& bind, Clock::SteadyTime now) {
    transition(bind, BindEvent::kReconnectDue, fmt::format("{}:{}", options_.host, options_.port));
    bind.state_deadline = now + options_.connect_timeout;
    bind.resolving = resolver_->lookup();
  }

  // kConnecting: true once the address is known and the connect started; false while the
  // lookup runs (past connect_timeout the bind gives up; the lookup goes on for the next
  // attempt) or when it failed (the bind is closed).
  bool resolved(Bind& bind, Clock::SteadyTime now) {
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

  // Sends queued parts on every bind with room, round robin, oldest part first.
  void fill_windows(Clock::SteadyTime now) {
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

  void send_submit(Bind& bind, std::map<uint64_t, Part>::node_type node, Clock::SteadyTime now) {
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

  // --- I/O ---------------------------------------------------------------------------------

  void flush(Bind& bind, Clock::SteadyTime now) {
    while (bind.connection.established() && bind.out_sent < bind.out.size()) {
      auto written = bind.connection.write(bind.out.data() + bind.out_sent, bind.out.size() - bind.out_sent);
      if (!written.ok()) return close_now(bind, now, BindEvent::kLinkLost, written.status().message());
      if (*written == 0) break;
      bind.out_sent += *written;
    }
    if (bind.out_sent == bind.out.size()) {
      bind.out.clear();
      bind.out_sent = 0;
      if (bind.close_requested) close_now(bind, now, bind.close_event, bind.close_reason);
    }
  }

  void on_readable(Bind& bind, Clock::SteadyTime now) {
    if (!bind.connection.established()) return;  // drive() advances connect/handshake
    for (int reads = 0; reads < 16 && !bind.close_requested; ++reads) {
      const size_t wanted = std::max(kReadChunk, bind.receiver.wanted(in_view(bind)) + kReadChunk / 4);
      if (bind.in.size() < wanted) bind.in.resize(wanted);
      auto got = bind.connection.read(bind.in.data() + bind.in_length, bind.in.size() - bind.in_length);
      if (!got.ok()) {
        return close_now(bind, now, BindEvent::kLinkLost, got.status().message());
      }
      if (*got == 0) break;
      bind.in_length += *got;
      bind.last_read = now;
      now_ = now;
      current_ = &bind;
      const size_t used = bind.receiver.consume(in_view(bind), bind.out, *this);
      current_ = nullptr;
      std::memmove(bind.in.data(), bind.in.data() + used, bind.in_length - used);
      bind.in_length -= used;
      if (bind.receiver.broken()) request_close(bind, BindEvent::kLinkLost, "unrecoverable framing error");
    }
    flush(bind, now);
  }

  static std::span<const uint8_t> in_view(const Bind& bind) {
    return {reinterpret_cast<const uint8_t*>(bind.in.data()), bind.in_length};
  }

  // After stop() every close ends in kStopped.
  BindEvent close_event(BindEvent event) const { return stopping_ ? BindEvent::kClosedForStop : event; }

  void request_close(Bind& bind, BindEvent event, std::string reason) {
    bind.close_requested = true;
    bind.close_event = close_event(event);
    bind.close_reason = std::move(reason);
  }

  // Closes the link; unanswered submits go back to the queue in their places (they may be
  // duplicated at the SMSC: at most one window per bind).
  void close_now(Bind& bind, Clock::SteadyTime now, BindEvent event, const std::string& reason) {
    for (const auto& [sequence, request] : bind.outstanding) {
      if (request.kind != RequestKind::kSubmit) continue;
      auto node = sent_.extract(request.part_order);
      if (node.empty() || !mts_.contains(node.mapped().mt)) continue;
      node.mapped().not_before = now;
      queue_.insert(std::move(node));
    }
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
  bool transition(Bind& bind, BindEvent event, const std::string& detail) {
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

  void begin_stop(Clock::SteadyTime now) {
    stopping_ = true;
    stop_deadline_ = now + options_.response_timeout;
  }

  // --- outcomes of MTs ------------------------------------------------------------------------

  void report_failed(uint64_t id, uint32_t command_status, const std::string& reason) {
    --in_flight_;
    listener_.on_failed(id, command_status, reason);
  }

  void fail_mt(Bind& bind, uint64_t key, uint32_t command_status) {
    auto it = mts_.find(key);
    if (it == mts_.end()) return;
    queue_.erase(queue_.lower_bound(key << 8), queue_.upper_bound(key << 8 | 0xFF));
    const uint64_t id = it->second.sms.id;
    mts_.erase(it);
    bind.counters.add(kCounterFailed);
    report_failed(id, command_status, status_name(command_status));
  }

  void on_submit_outcome(Bind& bind, uint64_t order, uint32_t command_status, std::string_view message_id) {
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

  // --- ReceiveHandler (called inside consume, on the session thread) --------------------------

  void on_bind_resp(const Header& header, std::string_view system_id) override {
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

  void on_submit_resp(const Header& header, std::string_view message_id) override {
    Bind& bind = *current_;
    auto it = bind.outstanding.find(header.sequence_number);
    if (it == bind.outstanding.end() || it->second.kind != RequestKind::kSubmit) return;  // late answer
    const uint64_t order = it->second.part_order;
    bind.outstanding.erase(it);
    --bind.submits_outstanding;
    on_submit_outcome(bind, order, header.command_status, message_id);
  }

  void on_response(const Header& header) override {
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

  void on_enquire_link(const Header& header) override {
    current_->counters.add(kCounterEnquireLinkReceived);
    write_header_only(current_->out, command::kEnquireLink | command::kResponseBit, status::kOk, header.sequence_number);
  }

  void on_unbind(const Header& header) override {
    write_header_only(current_->out, command::kUnbind | command::kResponseBit, status::kOk, header.sequence_number);
    request_close(*current_, BindEvent::kLinkLost, "unbound by the SMSC");
  }

  void on_deliver(const DeliverSm& deliver) override {
    Bind& bind = *current_;
    bind.counters.add(kCounterDeliverSm);
    if (!hand_over(bind, deliver)) {
      write_deliver_resp(bind.out, deliver.command_id | command::kResponseBit, status::kOk, deliver.sequence_number);
    }
  }

  // True when the listener got the delivery and answers it through its DeliverReply; false
  // when there is nothing for it (yet) and the SMSC is answered ESME_ROK at once.
  bool hand_over(Bind& bind, const DeliverSm& deliver) {
    if (is_receipt(deliver)) {
      std::optional<Receipt> receipt = parse_receipt(deliver, options_.id_format.receipt);
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

  DeliverReply reply_for(Bind& bind, const DeliverSm& deliver) {
    ++bind.deliveries_pending;
    return DeliverReply(std::make_shared<DeliverReply::State>(
        answers_, DeliverAnswer{.bind = bind.index, .link = bind.link, .command_id = deliver.command_id,
                                .sequence = deliver.sequence_number}));
  }

  void deliver_incomplete(const MoMessage& mo) {
    auto bind = std::find_if(binds_.begin(), binds_.end(), [&](const auto& b) { return b->name == mo.bind; });
    Counters& counters = (bind != binds_.end() ? *bind : binds_.front())->counters;
    counters.add(kCounterMoIncomplete);
    spdlog::warn("smpp {}: long MO from {} incomplete after the reassembly timeout ({} parts)", mo.bind,
                 log::mask_msisdn(mo.source_addr), mo.parts);
    counters.add(kCounterMo);
    listener_.on_mo(mo, DeliverReply(std::make_shared<DeliverReply::State>(answers_, DeliverAnswer{})));
  }

  void on_malformed(const Header& header, uint32_t command_status, std::string_view reason) override {
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

Session::Session(BindOptions options, SessionListener& listener, Clock& clock, LookupFn lookup)
    : impl_(std::make_unique<Impl>(std::move(options), listener, clock, std::move(lookup))) {}

Session::~Session() { stop(); }

Status Session::start() { return impl_->start(); }

void Session::stop() { impl_->stop(); }

bool Session::submit(OutboundSms sms) { return impl_->submit(std::move(sms)); }

size_t Session::in_flight() const { return impl_->in_flight(); }

size_t Session::bind_count() const { return impl_->binds().size(); }

std::string Session::bind_name(size_t bind) const { return impl_->binds().at(bind)->name; }

const Counters& Session::counters(size_t bind) const { return impl_->binds().at(bind)->counters; }

}  // namespace pintar::smpp
