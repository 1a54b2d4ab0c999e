// Gateway::Impl, private to the gateway's own files (gateway/gateway.h states the contract).
// Its member functions are defined by responsibility:
//   gateway.cpp         opening, the loop (run), housekeeping, restart duties
//   gateway_smsc.cpp    the SMSC side: one Smsc per [[smsc]] (its session's listener and the
//                       MTs waiting for it), MOs and receipts into the queue
//   gateway_engine.cpp  the engine side: MTs and acks from the engines, pump() offering
//                       committed rows to them
// Threads: everything runs on the loop thread except where a comment says otherwise; the
// session threads and the queue's writer thread reach the loop only through inbox_.
#ifndef PINTAR_GATEWAY_GATEWAY_IMPL_H_
#define PINTAR_GATEWAY_GATEWAY_IMPL_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "gateway/engine_link.h"
#include "gateway/gateway.h"
#include "gateway/inbox.h"
#include "gateway/queue.h"
#include "gateway/receipt_latency.h"
#include "smpp/session.h"

namespace pintar::gateway {

// The "id" of what the gateway sends: "<instance>-<tag>-<n>", tag by ReliableKind.
inline constexpr std::string_view kKindTag[] = {"mo", "res", "dlr"};

inline int64_t unix_ms(Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.wall_now().time_since_epoch()).count();
}

class Gateway::Impl {
 public:
  Impl(GatewayOptions options, Clock& clock);
  // Sessions first (no callback after their stop), then the queue (its completions still
  // reach the Smsc objects), then the rest.
  ~Impl();

  Status open();
  Status run(daemon::ShutdownSignal& shutdown);
  const Counters<GatewayCounter>& counters() const { return counters_; }
  GatewayInstruments instruments();

 private:
  // One [[smsc]]: its session, the MTs waiting for it, and the listener the session calls
  // (gateway_smsc.cpp).
  class Smsc final : public smpp::SessionListener {
   public:
    Smsc(Impl& gateway, const smpp::BindOptions& options);

    // smpp::SessionListener, on the session's threads.
    void on_mo(const smpp::MoMessage& mo, smpp::DeliverReply reply) override;
    bool stores_mo_parts() const override { return true; }  // the queue joins them (gateway/queue.h)
    void on_receipt(const smpp::DeliveryReceipt& receipt, smpp::DeliverReply reply) override;
    void on_submitted(uint64_t id, const std::vector<std::string>& message_ids) override;
    void on_failed(uint64_t id, uint32_t command_status, const std::string& reason) override;
    void on_bind_state(const std::string& bind, smpp::BindState state, const std::string& detail) override;

    const std::string& name() const { return name_; }
    smpp::Session& session() { return session_; }
    const Histogram& submit_to_receipt() const { return submit_to_receipt_; }
    // Loop thread. An MT the session has room for goes to it at once; one that must wait
    // (bind down, window full) is remembered by its id only and read back from the queue when
    // there is room, so a long outage costs memory per MT, not per octet of text.
    void enqueue(QueuedMtRow mt);
    // Loop thread: reads waiting MTs back and hands them to the session while fewer than
    // `limit_` are unsettled; one read at a time keeps them in order.
    void feed();
    size_t waiting() const { return waiting_.size(); }

   private:
    // Runs when an outcome is committed (writer thread): frees its place and wakes the loop.
    std::function<void(Status)> settled();
    bool submit(const QueuedMtRow& mt);

    Impl& gateway_;
    std::string name_;
    size_t limit_;
    std::chrono::milliseconds reassembly_timeout_;
    std::deque<int64_t> waiting_;  // loop thread: queue ids of MTs not yet handed to the session
    bool reading_ = false;         // loop thread: a read of waiting MTs is in flight
    size_t unsettled_ = 0;         // loop thread
    Histogram submit_to_receipt_{kSubmitToReceiptHistogram};
    ReceiptLatency latency_;  // before session_, which reports to it
    smpp::Session session_;
  };

  // The SMSC side (gateway_smsc.cpp), on session threads: a whole MO or one part of a long
  // one, and a receipt, each answered once committed.
  void store_mo(const std::string& smsc, std::chrono::milliseconds reassembly_timeout, const smpp::MoMessage& mo,
                smpp::DeliverReply reply);
  void store_receipt(const std::string& smsc, const smpp::DeliveryReceipt& receipt, smpp::DeliverReply reply);
  template <typename What>
  std::function<void(Status)> when_stored(ReliableKind kind, GatewayCounter stored, GatewayCounter refused, What what,
                                          smpp::DeliverReply reply);
  void mark_dirty(ReliableKind kind) {
    inbox_.post([this, kind] { dirty_[static_cast<size_t>(kind)] = true; });
  }
  Smsc* route(const std::string& name);

  // The engine side (gateway_engine.cpp), on the loop thread.
  void handle(const EngineLink::Incoming& incoming);
  void handle_mt(const std::string& engine, const bridge::Mt& mt);
  void handle_ack(const std::string& engine, ReliableKind kind, const std::string& id);
  void pump();

  // The loop's own duties (gateway.cpp).
  // The earliest deadline of an incomplete long MO, from the queue's index.
  void schedule_expiry(int64_t deadline_ms) {
    if (!next_expiry_ms_ || deadline_ms < *next_expiry_ms_) next_expiry_ms_ = deadline_ms;
  }
  void expire_fragments();
  Status resubmit_unsettled();
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

}  // namespace pintar::gateway

#endif  // PINTAR_GATEWAY_GATEWAY_IMPL_H_
