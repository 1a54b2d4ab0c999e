// Gateway: the `pintar gateway` daemon's core. It joins the SMPP sessions (one per
// [[smsc]]), the durable queue (gateway/queue.h) and the engine link
// (gateway/engine_link.h), and enforces the "no message lost" rules of docs/gateway.md:
//  - an MO or receipt is committed before the SMSC gets deliver_sm_resp (the session's
//    DeliverReply runs after the group commit), then offered to the engines until one
//    acknowledges it; a deliver_sm the queue has seen within the de-duplication window is
//    answered ESME_ROK and makes nothing new, and each part of a long MO is committed before
//    its answer (the queue joins them; gateway/queue.h);
//  - an MT is committed before its mt_ack, handed to its SMSC's session, and its outcome
//    committed and offered to the engines until acknowledged;
//  - at start every MT without a submit_sm_resp is submitted again. Each session holds at
//    most 2 × window × binds MTs whose outcome is not yet committed, which bounds how many
//    a crash can duplicate.
//
// Threads: run() is the gateway loop (engine link, flow control, housekeeping) and must be
// called from one thread; the sessions call back on their own threads and the queue
// completes on its writer thread; both reach the loop only through its inbox.
#ifndef PINTAR_GATEWAY_GATEWAY_H_
#define PINTAR_GATEWAY_GATEWAY_H_

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/counters.h"
#include "common/daemon.h"
#include "common/histogram.h"
#include "common/status.h"
#include "gateway/gateway_config.h"

namespace pintar::gateway {

enum GatewayCounter : size_t {
  kMoStored,
  kMoRefused,
  kReceiptsStored,
  kReceiptsRefused,
  kMtStored,
  kMtRepeated,
  kMtRejected,
  kMtResubmittedAtStart,
  kMtSubmitted,
  kMtFailed,
  kBindFailures,
  kMoDuplicates,
  kMoPartsStored,
  kMoRefusedFull,
  kMoIncomplete,
  kMoRepeatsPassed,
  kGatewayCounterCount,
};
constexpr size_t counter_count(GatewayCounter) { return kGatewayCounterCount; }
inline constexpr CounterSpec kGatewayCounters[] = {
    {"gateway.mo_stored", "MO messages committed to the queue (deliver_sm answered ESME_ROK)"},
    {"gateway.mo_refused", "MO messages the queue could not commit (answered 0x64, the SMSC retries)"},
    {"gateway.receipts_stored", "delivery receipts committed to the queue"},
    {"gateway.receipts_refused", "delivery receipts the queue could not commit (answered 0x64)"},
    {"gateway.mt_stored", "MTs from the engine committed and acknowledged"},
    {"gateway.mt_repeated", "MTs the engine sent again after they were stored (acknowledged again, not resent)"},
    {"gateway.mt_rejected", "MTs refused for good (unknown smsc, a field outside its limits: bridge/protocol.h validate)"},
    {"gateway.mt_resubmitted_at_start", "MTs without a submit_sm_resp found at start and submitted again"},
    {"gateway.mt_submitted", "MTs accepted by an SMSC"},
    {"gateway.mt_failed", "MTs that failed for good"},
    {"gateway.bind_failures", "binds refused by an SMSC (alerts)"},
    {"gateway.mo_duplicates", "deliver_sm seen within the de-duplication window (answered ESME_ROK, nothing stored)"},
    {"gateway.mo_parts_stored", "parts of long MOs committed while their other parts are awaited"},
    {"gateway.mo_refused_full", "MO parts refused with 0x14 ESME_RMSGQFUL: incomplete long MOs at their cap"},
    {"gateway.mo_incomplete", "long MOs joined incomplete at their reassembly deadline"},
    {"gateway.mo_repeats_passed", "duplicates of a whole MO passed to an engine as mo_repeat (it decides the answer)"},
};
static_assert(valid_counter_names(kGatewayCounters));

// What a gateway counts and measures, for an exporter (cli/gateway_cli.cpp, /metrics). The
// pointers are valid from open() for the Gateway's life.
struct GatewayInstruments {
  const CounterSet* gateway = nullptr;      // kGatewayCounters
  const CounterSet* engine_link = nullptr;  // engine_link.*
  struct Bind {
    std::string smsc, bind;
    const CounterSet* counters;  // smpp.* of that bind
  };
  std::vector<Bind> binds;
  struct Smsc {
    std::string smsc;
    const Histogram* submit_to_receipt;  // gateway/receipt_latency.h
  };
  std::vector<Smsc> smscs;
};

class Gateway {
 public:
  // Opens the queue and binds the engine socket; starts nothing else yet.
  static Result<std::unique_ptr<Gateway>> open(GatewayOptions options, Clock& clock = Clock::real());
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Starts the sessions, serves until `shutdown` fires, then stops in order: sessions unbind
  // (waiting for outstanding submit_sm_resp), the queue commits everything pending. Tells
  // systemd READY once serving and feeds its watchdog. Returns an error only when something
  // could not start.
  Status run(daemon::ShutdownSignal& shutdown);

  const Counters<GatewayCounter>& counters() const;
  GatewayInstruments instruments() const;

 private:
  class Impl;
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pintar::gateway

#endif  // PINTAR_GATEWAY_GATEWAY_H_
