// The gateway's loop and lifecycle (gateway/gateway.h; the class is gateway/gateway_impl.h):
// opening the queue and the engine link, the poll loop, restart duties and housekeeping. The
// SMSC side is gateway_smsc.cpp, the engine side gateway_engine.cpp.
#include "gateway/gateway.h"

#include <spdlog/spdlog.h>

#include "gateway/gateway_impl.h"
#include "smpp/text.h"

namespace pintar::gateway {
namespace {

constexpr std::chrono::seconds kHousekeepingInterval{10};

}  // namespace

Gateway::Impl::Impl(GatewayOptions options, Clock& clock)
    : options_(std::move(options)), clock_(clock), counters_(kGatewayCounters) {}

Gateway::Impl::~Impl() {
  for (auto& smsc : smscs_) smsc->session().stop();
  queue_.reset();
}

Status Gateway::Impl::open() {
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

GatewayInstruments Gateway::Impl::instruments() {
  GatewayInstruments out{.gateway = &counters_, .engine_link = &link_->counters(), .binds = {}, .smscs = {}};
  for (auto& smsc : smscs_) {
    for (size_t i = 0; i < smsc->session().bind_count(); ++i) {
      out.binds.push_back({smsc->name(), smsc->session().bind_name(i), &smsc->session().counters(i)});
    }
    out.smscs.push_back({smsc->name(), &smsc->submit_to_receipt()});
  }
  return out;
}

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
