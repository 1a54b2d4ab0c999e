#include "smpp/session.h"

#include <array>

#include <fmt/format.h>

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
    {"smpp.mo", "complete MO handed to the listener"},
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

}  // namespace

class Session::Impl {
 public:
  Impl(BindOptions options, SessionListener& listener, Clock& clock)
      : options_(std::move(options)), listener_(listener), clock_(clock) {
    const int per_slot = options_.mode == BindMode::kTransceiver ? 1 : 2;
    for (int slot = 0; slot < options_.binds; ++slot) {
      for (int k = 0; k < per_slot; ++k) {
        names_.push_back(per_slot == 1 ? fmt::format("{}#{}", options_.name, slot)
                                       : fmt::format("{}#{}-{}", options_.name, slot, k == 0 ? "tx" : "rx"));
        counters_.push_back(std::make_unique<Counters>(kBindCounters));
      }
    }
  }

  BindOptions options_;
  SessionListener& listener_;
  Clock& clock_;
  std::vector<std::string> names_;
  std::vector<std::unique_ptr<Counters>> counters_;
};

Session::Session(BindOptions options, SessionListener& listener, Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), listener, clock)) {}

Session::~Session() { stop(); }

Status Session::start() {
  PINTAR_RETURN_IF_ERROR(validate(impl_->options_));
  return Status::failed_precondition("smpp session: not implemented yet");
}

void Session::stop() {}

bool Session::submit(OutboundSms) { return false; }

size_t Session::in_flight() const { return 0; }

size_t Session::bind_count() const { return impl_->names_.size(); }

std::string Session::bind_name(size_t bind) const { return impl_->names_.at(bind); }

const Counters& Session::counters(size_t bind) const { return *impl_->counters_.at(bind); }

}  // namespace pintar::smpp
