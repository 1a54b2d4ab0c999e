#include "gateway/gateway.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <charconv>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "common/log.h"
#include "gateway/engine_link.h"
#include "gateway/queue.h"
#include "gateway/receipt_latency.h"
#include "smpp/session.h"
#include "smpp/text.h"

namespace pintar::gateway {
namespace {

constexpr std::chrono::seconds kHousekeepingInterval{10};
// Submitted message ids remembered per SMSC for gateway.submit_to_receipt (about 100 bytes each).
constexpr size_t kReceiptsRemembered = 100000;

// The "id" of what the gateway sends: "<instance>-<tag>-<n>".
constexpr std::string_view kKindTag[] = {"mo", "res", "dlr"};

int64_t unix_ms(Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.wall_now().time_since_epoch()).count();
}

// message_state names of SMPP 3.4 §5.3.2.35, as the protocol spells them.
std::string state_name(smpp::MessageState state) {
  switch (state) {
    case smpp::MessageState::kEnroute: return "ENROUTE";
    case smpp::MessageState::kDelivered: return "DELIVERED";
    case smpp::MessageState::kExpired: return "EXPIRED";
    case smpp::MessageState::kDeleted: return "DELETED";
    case smpp::MessageState::kUndeliverable: return "UNDELIVERABLE";
    case smpp::MessageState::kAccepted: return "ACCEPTED";
    case smpp::MessageState::kRejected: return "REJECTED";
    case smpp::MessageState::kUnknown:
    case smpp::MessageState::kUnknownState: return "UNKNOWN";
  }
  return "UNKNOWN";
}

// The queue key of each kind of row sent to the engines.
int64_t row_key(const QueuedMoRow& row) { return row.id; }
int64_t row_key(const QueueMtResult& row) { return row.seq; }
int64_t row_key(const QueuedReceiptRow& row) { return row.id; }

// Work handed to the gateway loop from other threads; an eventfd wakes the loop's poll.
class Inbox {
 public:
  Inbox() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~Inbox() { ::close(fd_); }
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  int fd() const { return fd_; }
  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    const uint64_t one = 1;
    (void)!::write(fd_, &one, sizeof one);
  }
  void run_all() {
    uint64_t count;
    (void)!::read(fd_, &count, sizeof count);
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard lock(mutex_);
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) task();
  }

 private:
  int fd_;
  std::mutex mutex_;
  std::vector<std::function<void()>> tasks_;
};

}  // namespace

class Gateway::Impl {
 public:
  Impl(GatewayOptions options, Clock& clock)
      : options_(std::move(options)), clock_(clock), counters_(kGatewayCounters) {}

  // Sessions first (no callback after their stop), then the queue (its completions still
  // reach the Smsc objects), then the rest.
  ~Impl() {
    for (auto& smsc : smscs_) smsc->session().stop();
    queue_.reset();
  }

  Status open() {
    auto queue = GatewayQueue::open(
        {.path = options_.queue_path,
         .synchronous = options_.queue_synchronous,
         .mo_dedup_window_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options_.mo_dedup_window).count(),
         .max_fragments_per_source = options_.mo_incomplete_per_source,
         .max_fragment_bytes = options_.mo_incomplete_bytes,
         .decode_text = [](int data_coding, std::string_view user_data) {
           return smpp::decode_text(static_cast<uint8_t>(data_coding),
                                    {reinterpret_cast<const uint8_t*>(user_data.data()), user_data.size()})
               .value_or("");
         }});
    if (!queue.ok()) return queue.status();
    queue_ = std::move(queue).value();
    auto link = EngineLink::open(zmq_, options_.engine, clock_);
    if (!link.ok()) return link.status();
    link_ = std::move(link).value();
    for (const auto& bind_options : options_.smscs) {
      smscs_.push_back(std::make_unique<Smsc>(*this, bind_options));
    }
    return Status();
  }

  Status run(daemon::ShutdownSignal& shutdown);
  const Counters<GatewayCounter>& counters() const { return counters_; }
  GatewayInstruments instruments() {
    GatewayInstruments out{.gateway = &counters_, .engine_link = &link_->counters(), .binds = {}, .smscs = {}};
    for (auto& smsc : smscs_) {
      for (size_t i = 0; i < smsc->session().bind_count(); ++i) {
        out.binds.push_back({smsc->name(), smsc->session().bind_name(i), &smsc->session().counters(i)});
      }
      out.smscs.push_back({smsc->name(), &smsc->submit_to_receipt()});
    }
    return out;
  }

 private:
  // One [[smsc]]: its session, the MTs waiting for it, and the listener the session calls.
  class Smsc final : public smpp::SessionListener {
   public:
    Smsc(Impl& gateway, const smpp::BindOptions& options)
        : gateway_(gateway),
          name_(options.name),
          limit_(static_cast<size_t>(2 * options.window * options.binds)),
          reassembly_timeout_(options.mo_reassembly_timeout),
          session_(options, *this, gateway.clock_) {}

    void on_mo(const smpp::MoMessage& mo, smpp::DeliverReply reply) override {
      gateway_.store_mo(name_, reassembly_timeout_, mo, std::move(reply));
    }
    bool stores_mo_parts() const override { return true; }  // the queue joins them (gateway/queue.h)
    void on_receipt(const smpp::DeliveryReceipt& receipt, smpp::DeliverReply reply) override {
      latency_.receipt(receipt.message_id, smpp::is_final(receipt.state), gateway_.clock_.steady_now());
      gateway_.store_receipt(name_, receipt, std::move(reply));
    }
    void on_submitted(uint64_t id, const std::vector<std::string>& message_ids) override {
      gateway_.counters_.add(kMtSubmitted);
      for (const std::string& message_id : message_ids) latency_.submitted(message_id, gateway_.clock_.steady_now());
      gateway_.queue_->record_submitted(static_cast<int64_t>(id), message_ids, settled());
    }
    void on_failed(uint64_t id, uint32_t command_status, const std::string& reason) override {
      gateway_.counters_.add(kMtFailed);
      spdlog::warn("smsc {}: MT {} failed: {} (0x{:08X})", name_, id, reason, command_status);
      gateway_.queue_->record_failed(static_cast<int64_t>(id), command_status, reason, settled());
    }
    void on_bind_state(const std::string& bind, smpp::BindState state, const std::string& detail) override {
      if (state == smpp::BindState::kBindFailed) {
        gateway_.counters_.add(kBindFailures);
        spdlog::error("ALERT smsc {}: bind {} refused: {}", name_, bind, detail);
      } else {
        spdlog::info("smsc {}: bind {} {}{}{}", name_, bind, smpp::bind_state_name(state), detail.empty() ? "" : ": ",
                     detail);
      }
    }

    const std::string& name() const { return name_; }
    smpp::Session& session() { return session_; }
    const Histogram& submit_to_receipt() const { return submit_to_receipt_; }
    // Loop thread. An MT the session has room for goes to it at once; one that must wait
    // (bind down, window full) is remembered by its id only and read back from the queue when
    // there is room, so a long outage costs memory per MT, not per octet of text.
    void enqueue(QueuedMtRow mt) {
      if (waiting_.empty() && !reading_ && unsettled_ < limit_ && submit(mt)) return;
      waiting_.push_back(mt.id);
    }

    // Loop thread: reads waiting MTs back and hands them to the session while fewer than
    // `limit_` are unsettled; one read at a time keeps them in order.
    void feed() {
      if (reading_ || waiting_.empty() || unsettled_ >= limit_) return;
      const size_t room = limit_ - unsettled_;
      std::vector<int64_t> ids(waiting_.begin(), waiting_.begin() + std::min(room, waiting_.size()));
      waiting_.erase(waiting_.begin(), waiting_.begin() + ids.size());
      reading_ = true;
      gateway_.queue_->unsubmitted_mts(ids, [this, ids](Result<std::vector<QueuedMtRow>> mts) {
        gateway_.inbox_.post([this, ids, mts = std::move(mts)] {
          reading_ = false;
          if (!mts.ok()) {  // keep them; the next feed() tries again
            spdlog::error("smsc {}: could not read waiting MTs: {}", name_, mts.status());
            waiting_.insert(waiting_.begin(), ids.begin(), ids.end());
            return;
          }
          // Those the session refuses go back to the front, in order.
          for (size_t i = 0; i < mts->size(); ++i) {
            if (!submit((*mts)[i])) {
              std::vector<int64_t> rest;
              for (size_t j = i; j < mts->size(); ++j) rest.push_back((*mts)[j].id);
              waiting_.insert(waiting_.begin(), rest.begin(), rest.end());
              return;
            }
          }
          feed();
        });
      });
    }
    size_t waiting() const { return waiting_.size(); }

   private:
    // Runs when an outcome is committed (writer thread): frees its place and wakes the loop.
    std::function<void(Status)> settled() {
      return [this](Status status) {
        if (!status.ok()) spdlog::error("smsc {}: could not commit an MT outcome: {}", name_, status);
        gateway_.inbox_.post([this] {
          --unsettled_;
          gateway_.dirty_[static_cast<size_t>(ReliableKind::kResult)] = true;
          gateway_.dirty_[static_cast<size_t>(ReliableKind::kReceipt)] = true;
          feed();
        });
      };
    }

    bool submit(const QueuedMtRow& mt) {
      if (!session_.submit({.id = static_cast<uint64_t>(mt.id), .source_addr = mt.mt.source,
                            .destination_addr = mt.mt.destination, .text_utf8 = mt.mt.text,
                            .want_receipt = mt.mt.want_receipt})) {
        return false;
      }
      ++unsettled_;
      return true;
    }

    Impl& gateway_;
    std::string name_;
    size_t limit_;
    std::chrono::milliseconds reassembly_timeout_;
    std::deque<int64_t> waiting_;  // loop thread: queue ids of MTs not yet handed to the session
    bool reading_ = false;         // loop thread: a read of waiting MTs is in flight
    size_t unsettled_ = 0;         // loop thread
    Histogram submit_to_receipt_{kSubmitToReceiptHistogram};
    ReceiptLatency latency_{kReceiptsRemembered, submit_to_receipt_};  // before session_, which reports to it
    smpp::Session session_;
  };

  // Session threads. The SMSC is answered once the row is committed (the reply runs on the
  // queue's writer thread), so many deliveries share one group commit.
  // A whole MO or one part of a long one. A repeat of a deliver_sm stored within the window
  // is answered ESME_ROK without a row; a part past a cap gets 0x14 (the SMSC retries later).
  void store_mo(const std::string& smsc, std::chrono::milliseconds reassembly_timeout, const smpp::MoMessage& mo,
                smpp::DeliverReply reply) {
    const int64_t now = unix_ms(clock_);
    QueueMo record{.smsc = smsc, .source = mo.source_addr, .destination = mo.destination_addr,
                           .text = mo.text_utf8, .data_coding = mo.data_coding, .received_at_ms = now,
                           .esm_class = mo.esm_class, .udh = mo.udh, .user_data = mo.user_data,
                           .reference = mo.reference, .total = mo.total, .sequence = mo.sequence,
                           .deadline_ms = now + reassembly_timeout.count()};
    queue_->add_mo(std::move(record), [this, smsc, source = mo.source_addr, destination = mo.destination_addr,
                                       whole = mo.total <= 1, reply = std::move(reply)](Result<QueueMoAdded> added) {
      if (!added.ok()) {
        const bool full = added.status().code() == StatusCode::kResourceExhausted;
        counters_.add(full ? kMoRefusedFull : kMoRefused);
        spdlog::error("smsc {}: MO from {} not stored: {}", smsc, log::mask_msisdn(source), added.status());
      } else if (added->duplicate) {
        counters_.add(kMoDuplicates);
        spdlog::info("smsc {}: MO from {} delivered again (SMSC or customer); stored once", smsc,
                     log::mask_msisdn(source));
        // The same SMS again within the window: an SMSC redelivery or the customer repeating
        // it, which SMPP cannot tell apart. The engine answers a customer's repeat with the
        // first result (never a second sale); a part of a long MO is never passed on.
        if (whole) {
          inbox_.post([this, repeat = bridge::MoRepeat{.smsc = smsc, .from = source, .to = destination,
                                                       .idempotency_key = added->idempotency_key,
                                                       .received_at_ms = unix_ms(clock_)}] {
            if (link_->send_once(repeat)) counters_.add(kMoRepeatsPassed);
          });
        }
      } else if (added->held) {
        counters_.add(kMoPartsStored);
        if (added->deadline_ms) inbox_.post([this, deadline = *added->deadline_ms] { schedule_expiry(deadline); });
      } else {
        counters_.add(kMoStored);
        mark_dirty(ReliableKind::kMo);
      }
      reply(added.status());
    });
  }

  // Loop thread: the earliest deadline of an incomplete long MO, from the queue's index.
  void schedule_expiry(int64_t deadline_ms) {
    if (!next_expiry_ms_ || deadline_ms < *next_expiry_ms_) next_expiry_ms_ = deadline_ms;
  }
  void expire_fragments();

  void store_receipt(const std::string& smsc, const smpp::DeliveryReceipt& receipt, smpp::DeliverReply reply) {
    queue_->add_receipt({.smsc = smsc, .message_id = receipt.message_id, .state = state_name(receipt.state),
                         .error = receipt.error, .received_at_ms = unix_ms(clock_),
                         .is_final = smpp::is_final(receipt.state)},
                        when_stored(
                            ReliableKind::kReceipt, kReceiptsStored, kReceiptsRefused,
                            [smsc, id = receipt.message_id] { return fmt::format("smsc {}: receipt for {}", smsc, id); },
                            std::move(reply)));
  }

  // The completion of a delivery's commit (writer thread): count it, say why it failed
  // (`what` names the delivery, formatted only then), let pump() find the new row, and answer
  // the SMSC.
  template <typename What>
  std::function<void(Status)> when_stored(ReliableKind kind, GatewayCounter stored, GatewayCounter refused, What what,
                                          smpp::DeliverReply reply) {
    return [this, kind, stored, refused, what = std::move(what), reply = std::move(reply)](Status status) {
      if (!status.ok()) {
        counters_.add(refused);
        spdlog::error("{} not stored: {}", what(), status);
      } else {
        counters_.add(stored);
        mark_dirty(kind);
      }
      reply(status);
    };
  }

  void mark_dirty(ReliableKind kind) {
    inbox_.post([this, kind] { dirty_[static_cast<size_t>(kind)] = true; });
  }

  Smsc* route(const std::string& name) {
    if (name.empty()) return smscs_.front().get();
    for (auto& smsc : smscs_) {
      if (smsc->name() == name) return smsc.get();
    }
    return nullptr;
  }

  Status resubmit_unsettled();
  void handle(const EngineLink::Incoming& incoming);
  void handle_mt(const std::string& engine, const bridge::Mt& mt);
  void handle_ack(const std::string& engine, ReliableKind kind, const std::string& id);
  void pump();
  void housekeeping();

  GatewayOptions options_;
  Clock& clock_;
  Counters<GatewayCounter> counters_;
  Inbox inbox_;  // outlives the queue and sessions, which post to it
  zmq::context_t zmq_{1};
  std::unique_ptr<GatewayQueue> queue_;
  std::unique_ptr<EngineLink> link_;
  std::vector<std::unique_ptr<Smsc>> smscs_;
  bool dirty_[static_cast<size_t>(ReliableKind::kCount)] = {true, true, true};  // loop thread
  int64_t cursor_[static_cast<size_t>(ReliableKind::kCount)] = {};              // loop thread
  bool reading_[static_cast<size_t>(ReliableKind::kCount)] = {};               // loop thread: a read in flight
  int housekeeping_pending_ = 0;           // loop thread: housekeeping commits not yet completed
  std::optional<int64_t> next_expiry_ms_;  // loop thread: see schedule_expiry()
  bool expiring_ = false;                  // loop thread: an expire_fragments in flight
};

void Gateway::Impl::expire_fragments() {
  const int64_t now = unix_ms(clock_);
  if (expiring_ || !next_expiry_ms_ || now < *next_expiry_ms_) return;
  expiring_ = true;
  next_expiry_ms_.reset();
  queue_->expire_fragments(now, [this, now](Result<QueueFragmentsExpired> expired) {
    inbox_.post([this, now, expired = std::move(expired)] {
      expiring_ = false;
      if (!expired.ok()) {
        spdlog::error("gateway: joining incomplete long MOs: {}", expired.status());
        schedule_expiry(now + 1000);
        return;
      }
      if (expired->joined > 0) {
        counters_.add(kMoIncomplete, expired->joined);
        spdlog::warn("gateway: {} long MO(s) incomplete after the reassembly timeout, passed on as they are",
                     expired->joined);
        dirty_[static_cast<size_t>(ReliableKind::kMo)] = true;
      }
      if (expired->next_deadline_ms) schedule_expiry(*expired->next_deadline_ms);
    });
  });
}

Status Gateway::Impl::resubmit_unsettled() {
  auto unsettled = queue_->unsubmitted_mts();
  if (!unsettled.ok()) return unsettled.status();
  for (auto& mt : *unsettled) {
    Smsc* smsc = route(mt.mt.smsc);
    if (smsc == nullptr) {
      queue_->record_failed(mt.id, 0, fmt::format("smsc \"{}\" is no longer configured", mt.mt.smsc));
      continue;
    }
    counters_.add(kMtResubmittedAtStart);
    smsc->enqueue(std::move(mt));
  }
  if (!unsettled->empty()) spdlog::info("gateway: {} MTs without a submit_sm_resp are submitted again", unsettled->size());
  return Status();
}

void Gateway::Impl::handle(const EngineLink::Incoming& incoming) {
  std::visit(
      [&](const auto& message) {
        using T = std::decay_t<decltype(message)>;
        if constexpr (std::is_same_v<T, bridge::Mt>) {
          handle_mt(incoming.engine, message);
        } else if constexpr (std::is_same_v<T, bridge::MoAck>) {
          handle_ack(incoming.engine, ReliableKind::kMo, message.id);
        } else if constexpr (std::is_same_v<T, bridge::MtResultAck>) {
          handle_ack(incoming.engine, ReliableKind::kResult, message.id);
        } else if constexpr (std::is_same_v<T, bridge::ReceiptAck>) {
          handle_ack(incoming.engine, ReliableKind::kReceipt, message.id);
        } else {
          spdlog::warn("engine link: a {} from an engine makes no sense; dropped", bridge::type_name(message));
        }
      },
      incoming.message);
}

void Gateway::Impl::handle_mt(const std::string& engine, const bridge::Mt& mt) {
  Smsc* smsc = route(mt.smsc);
  std::string refusal;
  if (Status valid = bridge::validate(mt); !valid.ok()) refusal = valid.message();
  else if (smsc == nullptr) refusal = fmt::format("unknown smsc \"{}\"", mt.smsc);
  if (!refusal.empty()) {
    counters_.add(kMtRejected);
    link_->reply(engine, bridge::MtAck{.id = mt.id, .stored = false, .error = refusal});
    return;
  }
  QueueMt record{.engine_id = mt.id, .smsc = smsc->name(), .source = mt.from, .destination = mt.to,
                         .text = mt.text, .want_receipt = mt.receipt, .created_at_ms = unix_ms(clock_)};
  queue_->add_mt(record, [this, engine, smsc, record](Result<QueueMtAdded> added) {
    inbox_.post([this, engine, smsc, record = std::move(record), added = std::move(added)]() mutable {
      if (!added.ok()) {  // no mt_ack: the engine sends it again
        spdlog::error("gateway: MT {} not stored: {}", record.engine_id, added.status());
        return;
      }
      link_->reply(engine, bridge::MtAck{.id = record.engine_id});
      if (!added->inserted) {
        counters_.add(kMtRepeated);
        return;
      }
      counters_.add(kMtStored);
      smsc->enqueue({.id = added->id, .mt = std::move(record)});
      smsc->feed();
    });
  });
}

void Gateway::Impl::handle_ack(const std::string& engine, ReliableKind kind, const std::string& id) {
  // "<instance>-<tag>-<n>"; acks for another queue's ids are ignored.
  const std::string prefix = fmt::format("{}-{}-", queue_->instance_id(), kKindTag[static_cast<size_t>(kind)]);
  int64_t key = 0;
  const char* end = id.data() + id.size();
  if (!id.starts_with(prefix) || std::from_chars(id.data() + prefix.size(), end, key).ptr != end) {
    spdlog::warn("engine link: acknowledgement for an id this gateway did not send: {}", id);
    return;
  }
  // Only the engine the message went to may settle it; anyone else's ack changes nothing.
  if (!link_->acknowledge(engine, kind, key)) return;
  switch (kind) {
    case ReliableKind::kMo: queue_->ack_mo(key); break;
    case ReliableKind::kResult: queue_->ack_result(key); break;
    case ReliableKind::kReceipt: queue_->ack_receipt(key); break;
    case ReliableKind::kCount: break;
  }
  dirty_[static_cast<size_t>(kind)] = true;
}

// Moves committed messages the engines have not acknowledged into the link, as room allows.
// The reads queue behind the writer's batch and answer through the inbox, so the loop never
// waits for an fsync; at most one read per kind is in flight.
void Gateway::Impl::pump() {
  if (!link_->has_live_engine()) return;
  const auto load = [&](ReliableKind kind, auto read, auto to_message) {
    const auto k = static_cast<size_t>(kind);
    if (!dirty_[k] || reading_[k] || !link_->has_room(kind)) return;
    const size_t room = options_.engine.max_unacked - link_->outstanding(kind);
    dirty_[k] = false;  // set again by whatever is committed meanwhile
    reading_[k] = true;
    read(cursor_[k], room, [this, kind, room, to_message](auto rows) {
      inbox_.post([this, kind, room, to_message, rows = std::move(rows)] {
        const auto k = static_cast<size_t>(kind);
        reading_[k] = false;
        if (!rows.ok()) {
          spdlog::error("gateway: reading the queue: {}", rows.status());
          dirty_[k] = true;
          return;
        }
        for (const auto& row : *rows) {
          const int64_t key = row_key(row);
          const std::string id = fmt::format("{}-{}-{}", queue_->instance_id(), kKindTag[k], key);
          link_->send_reliable(kind, key, to_message(id, row));
          cursor_[k] = key;
        }
        if (rows->size() == room) dirty_[k] = true;
      });
    });
  };
  load(
      ReliableKind::kMo, [&](int64_t after, size_t n, auto done) { queue_->mos_after(after, n, std::move(done)); },
      [](std::string id, const QueuedMoRow& row) {
        return bridge::Message(bridge::Mo{.id = std::move(id), .smsc = row.mo.smsc, .from = row.mo.source,
                                          .to = row.mo.destination, .text = row.mo.text,
                                          .data_coding = row.mo.data_coding, .received_at_ms = row.mo.received_at_ms,
                                          .idempotency_key = row.mo.idempotency_key, .user_data = row.mo.user_data,
                                          .parts = row.mo.parts, .incomplete = row.mo.incomplete});
      });
  load(
      ReliableKind::kResult,
      [&](int64_t after, size_t n, auto done) { queue_->results_after(after, n, std::move(done)); },
      [](std::string id, const QueueMtResult& row) {
        return bridge::Message(bridge::MtResult{.id = std::move(id), .mt_id = row.engine_id,
                                                .submitted = row.submitted, .message_ids = row.message_ids,
                                                .command_status = row.command_status, .reason = row.reason});
      });
  load(
      ReliableKind::kReceipt,
      [&](int64_t after, size_t n, auto done) { queue_->receipts_after(after, n, std::move(done)); },
      [](std::string id, const QueuedReceiptRow& row) {
        return bridge::Message(bridge::Receipt{.id = std::move(id), .mt_id = row.engine_id, .part = row.part,
                                               .smsc = row.receipt.smsc, .message_id = row.receipt.message_id,
                                               .state = row.receipt.state, .error = row.receipt.error,
                                               .received_at_ms = row.receipt.received_at_ms});
      });
}

// Both run on the queue's writer thread: two commits there can take seconds (a large prune,
// a file another process holds locked, a slow disk), which on this thread would starve the
// engine heartbeats and the systemd watchdog. One round at a time: the next is skipped while
// one is still queued.
void Gateway::Impl::housekeeping() {
  if (housekeeping_pending_ > 0) return;
  const int64_t now = unix_ms(clock_);
  const int64_t wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options_.receipt_match_wait).count();
  const int64_t keep_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention).count();
  const auto done = [this](Status status) {  // writer thread
    inbox_.post([this, status = std::move(status)] {
      if (!status.ok()) spdlog::error("gateway: housekeeping: {}", status);
      --housekeeping_pending_;
      // Released receipts are deliverable now.
      dirty_[static_cast<size_t>(ReliableKind::kReceipt)] = true;
    });
  };
  housekeeping_pending_ = 2;
  queue_->release_unmatched_receipts(now - wait_ms, done);
  queue_->prune(now - keep_ms, done);
  // Messages that went out to an engine that then vanished before the cursor moved on are
  // still in the link; everything else committed is found again from the cursors.
  for (auto& dirty : dirty_) dirty = true;
}

Status Gateway::Impl::run(daemon::ShutdownSignal& shutdown) {
  PINTAR_RETURN_IF_ERROR(resubmit_unsettled());
  // Long MOs left incomplete by the last run: those past their deadline are joined now, the
  // others when theirs comes (their parts are in the queue, nothing is held in memory).
  auto expired = queue_->expire_fragments_sync(unix_ms(clock_));
  if (!expired.ok()) return expired.status();
  if (expired->joined > 0) counters_.add(kMoIncomplete, expired->joined);
  if (expired->next_deadline_ms) schedule_expiry(*expired->next_deadline_ms);
  for (auto& smsc : smscs_) {
    PINTAR_RETURN_IF_ERROR(smsc->session().start().with_context(fmt::format("smsc {}", smsc->name())));
    smsc->feed();
  }
  spdlog::info("gateway: serving engines at {} with {} SMSC(s); queue {}", options_.engine.endpoint, smscs_.size(),
               options_.queue_path);
  daemon::notify_ready();
  const auto watchdog = daemon::watchdog_interval();
  auto next_watchdog = clock_.steady_now();
  auto next_housekeeping = clock_.steady_now() + kHousekeepingInterval;

  zmq::pollitem_t items[] = {{link_->socket().handle(), 0, ZMQ_POLLIN, 0},
                             {nullptr, inbox_.fd(), ZMQ_POLLIN, 0},
                             {nullptr, shutdown.fd(), ZMQ_POLLIN, 0}};
  for (;;) {
    try {
      zmq::poll(items, std::size(items), link_->next_timeout());
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) return Status::internal(fmt::format("zmq poll: {}", e.what()));
    }
    if (items[2].revents & ZMQ_POLLIN && shutdown.requested()) break;
    if (items[1].revents & ZMQ_POLLIN) inbox_.run_all();
    for (const auto& incoming : link_->receive()) handle(incoming);
    expire_fragments();
    for (auto& smsc : smscs_) smsc->feed();  // cheap when nothing waits; retries a failed read
    pump();
    link_->tick();
    const auto now = clock_.steady_now();
    if (now >= next_housekeeping) {
      housekeeping();
      next_housekeeping = now + kHousekeepingInterval;
    }
    if (watchdog && now >= next_watchdog) {
      daemon::notify_watchdog();
      next_watchdog = now + *watchdog;
    }
  }

  daemon::notify_stopping();
  spdlog::info("gateway: stopping; unbinding from every SMSC");
  for (auto& smsc : smscs_) smsc->session().stop();
  if (Status s = queue_->flush(); !s.ok()) spdlog::error("gateway: final commit: {}", s);
  spdlog::info("gateway: stopped\n{}{}", counters_.to_text(), link_->counters().to_text());
  return Status();
}

Result<std::unique_ptr<Gateway>> Gateway::open(GatewayOptions options, Clock& clock) {
  auto impl = std::make_unique<Impl>(std::move(options), clock);
  PINTAR_RETURN_IF_ERROR(impl->open());
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}

Gateway::Gateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Gateway::~Gateway() = default;
Status Gateway::run(daemon::ShutdownSignal& shutdown) { return impl_->run(shutdown); }
const Counters<GatewayCounter>& Gateway::counters() const { return impl_->counters(); }
GatewayInstruments Gateway::instruments() const { return impl_->instruments(); }

}  // namespace pintar::gateway
