// Session: one ESME connection set to one SMSC (SMPP 3.4) — its binds, their timers, the
// window of outstanding requests, the per-bind rate limit, reconnects, and the MT queue.
//
// Threads: start() creates one thread that runs every bind of this session in one poll
// loop; listener callbacks run on that thread. submit(), in_flight(), counters() and stop()
// may be called from any thread. The listener must outlive the session (stop() or the
// destructor joins the thread; no callback runs after stop() returns). Host names are
// resolved on a lookup thread (smpp/resolver.h): a slow DNS server delays only the binds
// that are connecting, never the bound ones.
//
// Delivery rules (see docs/smpp.md for the state and timer tables):
//  - every deliver_sm/data_sm is answered: ESME_ROK once the listener's DeliverReply says
//    the message is durable, 0x64 ESME_RX_T_APPN when it says it is not (or is dropped
//    unanswered) or when the body cannot be decoded, generic_nack for unknown ids. The
//    answer may come from any thread, so a listener can group-commit many deliveries in one
//    fsync while the session keeps reading;
//  - each MT handed to submit() ends in exactly one on_submitted or on_failed, unless
//    stop() comes first (the caller keeps it and submits it again after a restart);
//  - throttling (0x58, 0x14) pauses the bind and resubmits in the original order;
//    temporary errors are retried `max_retries` times with backoff; permanent errors fail.
#ifndef PINTAR_SMPP_SESSION_H_
#define PINTAR_SMPP_SESSION_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/counters.h"
#include "common/secret.h"
#include "common/status.h"
#include "smpp/message.h"
#include "smpp/message_id.h"
#include "smpp/resolver.h"
#include "smpp/status_class.h"

namespace pintar::smpp {

enum class BindMode : uint8_t {
  kTransceiver,          // one bind_transceiver per bind slot
  kTransmitterReceiver,  // a bind_transmitter + bind_receiver pair per bind slot
};

enum class BindState : uint8_t {
  kConnecting,    // TCP/TLS connect or bind request in progress
  kBound,         // bound; submitting (TX/TRX) and receiving (RX/TRX)
  kThrottled,     // bound, submits paused after 0x58/0x14 until the pause ends
  kDisconnected,  // link lost or timed out; reconnect scheduled with backoff
  kBindFailed,    // the SMSC refused the bind (alert): retried only after bind_failure_retry
  kStopped,       // unbound on stop()
};
const char* bind_state_name(BindState state);

// The limits validate() holds BindOptions to; the gateway's config schema takes its ranges
// from here, so a bad [[smsc]] value is refused once, by key, with the same bounds.
inline constexpr int kMaxBinds = 32;
inline constexpr int kMaxWindow = 1000;
inline constexpr uint32_t kMinCommandLength = 16;  // a PDU header (SMPP 3.4 §3.2)
inline constexpr uint32_t kMaxCommandLength = 1u << 20;

// One [[smsc]] entry, built by the gateway from its config.
struct BindOptions {
  std::string name;                    // "telkomsel-1"; binds are named "<name>#<n>" (+"-tx"/"-rx")
  std::string host = "127.0.0.1";
  uint16_t port = 2775;
  std::string system_id;               // ≤ 15 characters (§5.2.1)
  Secret password;                     // ≤ 8 octets
  std::string system_type;             // ≤ 12 characters
  std::string address_range;           // bind address_range, usually empty
  BindMode mode = BindMode::kTransceiver;
  int binds = 1;                       // bind slots per SMSC (1..32)
  int window = 10;                     // outstanding requests per bind (1..1000)
  int tps = 0;                         // submit_sm per second per bind; 0 = unlimited
  std::chrono::milliseconds enquire_link_interval{30000};  // link idle time before we probe it
  std::chrono::milliseconds response_timeout{10000};       // any request unanswered this long: link is dead
  std::chrono::milliseconds connect_timeout{10000};        // TCP + TLS + bind_resp
  std::chrono::milliseconds reconnect_min{1000};           // exponential backoff with jitter
  std::chrono::milliseconds reconnect_max{60000};
  std::chrono::milliseconds bind_failure_retry{300000};    // after a refused bind; 0 = never
  std::chrono::milliseconds throttle_pause{1000};          // after 0x58/0x14
  std::chrono::milliseconds retry_delay{2000};             // first retry after a temporary error (doubles)
  int max_retries = 3;                 // temporary errors per part before on_failed
  bool tls = false;                    // SMPP over TLS (OpenSSL; server certificate verified)
  std::string tls_ca_file;             // PEM CA bundle; empty = the system store
  bool tls_verify_hostname = true;
  std::map<uint32_t, StatusClass> vendor_status;  // command_status -> class, overrides the table
  MessageIdFormat id_format;           // how this SMSC prints ids (resp and receipts)
  std::chrono::milliseconds mo_reassembly_timeout{60000};  // long MO parts
  uint8_t source_addr_ton = 1, source_addr_npi = 1;        // numeric senders; alphanumeric -> 5/0
  uint8_t dest_addr_ton = 1, dest_addr_npi = 1;
  std::string service_type;            // submit_sm service_type, usually empty
  uint32_t max_command_length = 65535; // larger PDUs are refused before allocating (16..1 MiB)
};

// Validates ranges and lengths; the message names the key.
Status validate(const BindOptions& options);

// The answer to one deliver_sm/data_sm handed to the listener. Copyable; the first call
// counts and later ones do nothing. ok: the message is durable, deliver_sm_resp ESME_ROK
// goes back; kResourceExhausted: 0x14 ESME_RMSGQFUL (the ESME is full, the SMSC retries
// later); any other error: 0x64 ESME_RX_T_APPN, so the SMSC delivers it again. If every copy is
// destroyed without a call, the SMSC is answered 0x64: a deliver_sm is never left
// unanswered. May be called from any thread, also after the session stopped or the link
// dropped (then nothing is written: the SMSC delivers it again on the next bind).
class DeliverReply {
 public:
  struct State;  // smpp/session_internal.h
  explicit DeliverReply(std::shared_ptr<State> state) : state_(std::move(state)) {}
  void operator()(const Status& status) const;

 private:
  std::shared_ptr<State> state_;
};

// Called on the session's thread. Must not block for long.
class SessionListener {
 public:
  virtual ~SessionListener() = default;
  // A complete MO (or an incomplete one after mo_reassembly_timeout). Call `reply` once it
  // is durable; until then the SMSC holds it, and the session keeps reading.
  virtual void on_mo(const MoMessage& mo, DeliverReply reply) = 0;
  // True: every part of a long MO goes to on_mo on its own (total > 1, numbers set), to be
  // stored before its deliver_sm_resp, and the listener joins them; the session holds
  // nothing, so a crash between parts loses none. False (the default): the session joins
  // parts in memory (Reassembler) and answers each at once.
  virtual bool stores_mo_parts() const { return false; }
  virtual void on_receipt(const DeliveryReceipt& receipt, DeliverReply reply) = 0;  // same rule
  // Outcome of a submit (all parts for a long MT): accepted with the SMSC's ids (normalised,
  // one per part, in part order), or failed for good with the command_status that decided it
  // (0 with a reason when the session gave up for a local cause, e.g. text too long).
  virtual void on_submitted(uint64_t id, const std::vector<std::string>& message_ids) = 0;
  virtual void on_failed(uint64_t id, uint32_t command_status, const std::string& reason) = 0;
  // Every state change of every bind; kBindFailed is the alert.
  virtual void on_bind_state(const std::string& bind, BindState state, const std::string& detail) = 0;
};

// Per-bind counters (common/counters.h); descriptions in session.cpp and docs/smpp.md.
enum BindCounter : size_t {
  kCounterSubmitSm,
  kCounterSubmitRespOk,
  kCounterSubmitRespError,
  kCounterThrottled,
  kCounterRetried,
  kCounterFailed,
  kCounterDeliverSm,
  kCounterMo,
  kCounterReceipts,
  kCounterDeliverRefused,
  kCounterMoIncomplete,
  kCounterGenericNackSent,
  kCounterGenericNackReceived,
  kCounterMalformed,
  kCounterEnquireLinkSent,
  kCounterEnquireLinkReceived,
  kCounterConnects,
  kCounterReconnects,
  kCounterBindFailures,
  kCounterResponseTimeouts,
  kBindCounterCount,
};
constexpr size_t counter_count(BindCounter) { return kBindCounterCount; }
inline constexpr CounterSpec kBindCounters[] = {
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
};
static_assert(valid_counter_names(kBindCounters));

class Session {
 public:
  // `lookup` resolves options.host (smpp/resolver.h: off the session thread); tests pass a
  // slow one.
  Session(BindOptions options, SessionListener& listener, Clock& clock = Clock::real(),
          LookupFn lookup = system_lookup);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();  // stop()

  // Validates the options and starts the session thread, which connects and binds in the
  // background (bind outcomes arrive through on_bind_state). Fails on bad options or when
  // already started.
  Status start();
  // Unbinds every bind gracefully (waits up to response_timeout for unbind_resp, for
  // outstanding submit_sm_resp and for DeliverReply answers), closes, and joins the thread. MTs not yet answered get no
  // callback. Idempotent.
  void stop();

  // Queues an MT; false if the session is not running. Order is kept per session
  // (resubmissions after throttling go back in their original place).
  bool submit(OutboundSms sms);
  // MTs accepted by submit() whose outcome was not yet reported.
  size_t in_flight() const;

  // Binds of this session ("<name>#0", or "<name>#0-tx" and "<name>#0-rx", ...).
  size_t bind_count() const;
  std::string bind_name(size_t bind) const;
  const Counters<BindCounter>& counters(size_t bind) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_SESSION_H_
