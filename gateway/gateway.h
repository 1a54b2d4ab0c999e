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

#include "common/clock.h"
#include "common/counters.h"
#include "common/daemon.h"
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

  const Counters& counters() const;

 private:
  class Impl;
  explicit Gateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pintar::gateway

#endif  // PINTAR_GATEWAY_GATEWAY_H_
