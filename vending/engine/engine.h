// Engine: the vending engine's core (issue 10, docs/vending.md). It turns the MOs the gateway
// hands over into replies and purchases, drives each purchase through purchase_machine.h's
// table, and keeps all its state in the ledger, so that a new Engine on the same ledger
// (start()) carries on where a killed one stopped.
//
// Durability rules, the reason for the order of everything here:
//   * an MO is recorded (masked: never a PIN) together with its effect (a reply, or the
//     purchase's first version) BEFORE it is acked to the gateway; until then the gateway
//     repeats it. An MO id already in the ledger is acked again and not processed;
//   * a purchase's MO is acked only once the purchase has left received and validated,
//     i.e. once its PIN has been checked: the PIN lives only in memory and in the gateway's
//     copy of the MO, so after a crash before that point the gateway's redelivery brings it
//     back (resume waits vending.resume_wait_s for it, then asks for YA <PIN>);
//   * every transition is a new TransactionRecord version, written in one WriteSet with the
//     SMS it causes (MessageRecord "out", delivery_state "pending") BEFORE the SMS is sent or
//     the next step starts; MTs are sent after that write and resent by start() while
//     pending;
//   * a purchase found in state purchasing on resume is never bought again: the P2APST
//     journal decides (see resume in engine_resume.cpp).
//
// Threads: the on_* handlers return at once (they run on the ZeroMQ client's thread); the
// work runs on vending.workers threads, serialised per customer phone (Strands). P2APST
// answers and timers (Clock::schedule_at) are posted back onto the phone's strand. The deps
// must outlive the Engine; stop() (or the destructor) cancels timers and joins the workers.
#ifndef PINTAR_VENDING_ENGINE_ENGINE_H_
#define PINTAR_VENDING_ENGINE_ENGINE_H_

#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bridge/protocol.h"
#include "common/clock.h"
#include "common/counters.h"
#include "common/histogram.h"
#include "common/status.h"
#include "store/ledger.h"
#include "store/pin.h"
#include "vending/engine/modem_link.h"
#include "vending/engine/purchase_machine.h"
#include "vending/engine/replies.h"
#include "vending/engine/sms_command.h"
#include "vending/engine/strands.h"
#include "vending/engine/token_maker.h"
#include "vending/engine/vending_config.h"
#include "vending/p2apst/buy.h"
#include "vending/p2apst/prepaid.h"

namespace pintar::engine {

namespace wire = ::pintar::bridge;

// The gateway as the engine sees it (bridge::Client in the daemon, a recorder in tests).
class GatewayPort {
 public:
  virtual ~GatewayPort() = default;
  virtual Status send_mt(wire::Mt mt) = 0;
  virtual void ack_mo(std::string id) = 0;
  virtual void ack_mt_result(std::string id) = 0;
  virtual void ack_receipt(std::string id) = 0;
};

struct EngineDeps {
  store::Ledger& ledger;
  p2apst::Prepaid& prepaid;
  TokenMaker& tokens;
  ModemLink& modems;
  const store::PinHasher& pins;
  GatewayPort& gateway;
  Clock& clock;
};

enum EngineCounter : size_t {
  kMoProcessed,
  kMoDuplicate,
  kMoRateLimited,
  kMoDropped,
  kMtSent,
  kMtRefused,
  kPurchasesStarted,
  kPurchasesCompleted,
  kPurchasesRefused,
  kPurchasesNeedsManual,
  kSameTextAnswered,
  kWrongPins,
  kLockouts,
  kModemResends,
  kModemAnswersDropped,
  kModemAnswersUnmatched,
  kKwhQuoteMismatch,
  kTransitionsRefused,
  kLedgerErrors,
  kResumed,
  kMoRedelivered,
  kMoRepeatsUnanswered,
  kEngineCounterCount,
};
constexpr size_t counter_count(EngineCounter) { return kEngineCounterCount; }
inline constexpr CounterSpec kEngineCounters[] = {
    {"engine.mo_processed", "MOs from customers processed (recorded and acknowledged)"},
    {"engine.mo_duplicate", "MOs whose id was already in the ledger: acknowledged again, not processed"},
    {"engine.mo_dropped", "MOs the ledger cannot hold (non-numeric sender, id over 64): acked and dropped, logged"},
    {"engine.mo_rate_limited", "MOs over the per-phone rate limit: recorded, answered once, then silence"},
    {"engine.mt_sent", "MTs handed to the gateway (resends included)"},
    {"engine.mt_refused", "MTs the gateway refused (mt_ack stored = false)"},
    {"engine.purchases_started", "purchases recorded (first version written)"},
    {"engine.purchases_completed", "purchases the meter acknowledged"},
    {"engine.purchases_refused", "purchases refused (customer told why, nothing charged)"},
    {"engine.purchases_needs_manual", "purchases left for a person (modem silent, rejected, outcome unknown)"},
    {"engine.same_text_answered", "purchase texts repeated within vending.same_text_window_s: answered with the first"},
    {"engine.wrong_pins", "wrong PINs"},
    {"engine.lockouts", "subscriptions locked after vending.pin_attempts wrong PINs"},
    {"engine.modem_resends", "tokens sent to a modem again after vending.modem_ack_timeout_s"},
    {"engine.modem_answers_dropped", "modem SMS dropped: forged, replayed, malformed or from an unknown modem"},
    {"engine.modem_answers_unmatched", "authenticated modem answers naming no command of ours (late or unknown seq)"},
    {"engine.kwh_quote_mismatch", "sales whose P2APST kWh differs from the configured tariff's quote"},
    {"engine.transitions_refused", "events the purchase table refused in the transaction's state"},
    {"engine.ledger_errors", "ledger reads or writes that failed (the work is retried by the gateway or resume)"},
    {"engine.resumed", "unfinished transactions taken up again by start()"},
    {"engine.mo_redelivered", "purchase MOs the gateway delivered again after a restart, carried on with their PIN"},
    {"engine.mo_repeats_unanswered", "mo_repeat notices left unanswered: no purchase of that key from that phone in "
                                     "the window, its first answer still to come, or the phone rate limited"},
};
static_assert(valid_counter_names(kEngineCounters));
inline constexpr HistogramSpec kMoToTokenHistogram{
    "engine.mo_to_token", "purchase MO received (the transaction's created_ms) -> its token MT handed to the gateway "
                          "link, on the wall clock; resumed purchases included"};

class Engine {
 public:
  Engine(EngineDeps deps, VendingOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Resumes every unfinished transaction and resends every outgoing SMS still pending, from
  // the ledger alone. Call once, before the handlers; the ledger's error otherwise.
  Status start();
  void on_mo(wire::Mo mo);
  // The gateway saw an MO again within its de-duplication window (an SMSC redelivery or the
  // customer repeating it: SMPP cannot tell). Never a second sale: a purchase whose first
  // answer is out is answered with it again; anything else gets no answer.
  void on_mo_repeat(wire::MoRepeat repeat);
  void on_mt_ack(wire::MtAck ack);
  void on_mt_result(wire::MtResult result);
  void on_receipt(wire::Receipt receipt);
  void on_gateway_state(bool alive);
  void stop();
  // Waits until no work is queued or running (tests, with ManualClock).
  void drain();

  const Counters<EngineCounter>& counters() const { return counters_; }
  const Histogram& mo_to_token() const { return mo_to_token_; }  // kMoToTokenHistogram

 private:
  // One transition's effects, filled by the caller before advance() writes them.
  struct Change {
    std::vector<store::MessageRecord> messages;  // SMS it causes (delivery_state "pending")
    store::WriteSet extra;                       // vend detail, modem command, audit, ...
    std::optional<std::string> reason;
  };

  // engine.cpp: plumbing.
  void post(const std::string& phone, std::function<void()> task);
  // For callbacks from outside (P2APST answers): posts unless the engine is stopped, so a
  // late answer never touches a destroyed Engine.
  std::function<void(const std::string&, std::function<void()>)> poster();
  int64_t now_ms() const;
  Language language_for(const std::string& msisdn, const std::string& meter_no);
  std::string text(Language language, ReplyId id, std::vector<Field> fields);
  store::MessageRecord outgoing(std::string id, std::string msisdn, std::string body,
                                std::optional<std::string> txn_id);
  void send(const store::MessageRecord& message);
  Status write(store::WriteSet writes);
  // Records the MO (masked) with `replies`, acks it, sends the replies.
  // Records the MO with `replies` in one write set, then acks it and sends them. A customer's
  // text is stored masked (never a PIN); a modem's (Body::kModem) verbatim: it carries no PIN,
  // and its MAC and counter are what an investigation needs.
  enum class Body : uint8_t { kCustomer, kModem };
  // `extra` (an audit entry, ...) is written in the same write set.
  void answer_mo(const wire::Mo& mo, std::vector<store::MessageRecord> replies, std::optional<std::string> txn_id,
                 Body body = Body::kCustomer, store::WriteSet extra = {});

  // engine_commands.cpp: customer commands.
  void process_mo(wire::Mo mo);
  bool rate_limited(const std::string& msisdn);
  void on_buy(const wire::Mo& mo, BuyCommand command);
  void on_confirm(const wire::Mo& mo, const ConfirmCommand& command);
  void on_inquiry(const wire::Mo& mo, const InquiryCommand& command);
  void on_resend(const wire::Mo& mo, const ResendCommand& command);
  void on_balance(const wire::Mo& mo, const BalanceCommand& command);
  void on_change_pin(const wire::Mo& mo, const ChangePinCommand& command);
  void on_language(const wire::Mo& mo, const LanguageCommand& command);
  void cancel_pending(const std::string& msisdn);
  std::optional<store::Subscription> pin_subscription(const std::string& msisdn, const std::string& meter_no);
  // Checks `pin` against `sub`, counting wrong ones and locking; the event to apply.
  PurchaseEvent check_pin(const store::Subscription& sub, const Pin& pin, store::WriteSet& writes,
                          std::vector<Field>& fields);

  // engine_purchase.cpp: the purchase machine driven.
  void advance(store::TransactionRecord current, PurchaseEvent event, Change change);
  void perform(const store::TransactionRecord& txn, PurchaseAction action);
  // Arms the timer of txn's state (timer_of), due its length after `entered_ms` (when the
  // state was entered, if the caller knows) or else as TimerRow::From says, from the ledger.
  void arm_timer(const store::TransactionRecord& txn, std::optional<int64_t> entered_ms = std::nullopt);
  void on_timer(const std::string& txn_id, const std::string& msisdn, PurchaseState armed);
  void validate(const store::TransactionRecord& txn);
  void decide(const store::TransactionRecord& txn);
  void purchase(const store::TransactionRecord& txn);
  // What the P2APST journal said about a step 4 error: kUnasked (not asked yet), kNothingSent
  // (no 2200 left: nothing charged), kMaybeSent (so the money is pending).
  enum class JournalSays : uint8_t { kUnasked, kNothingSent, kMaybeSent };
  void purchased(const store::TransactionRecord& txn, p2apst::BuyOutcome outcome,
                 JournalSays journal = JournalSays::kUnasked);
  // A step 4 error: the P2APST journal says whether anything left, then purchased() again.
  void settle_after_error(const store::TransactionRecord& txn, Status error);
  void modem_timeout(const store::TransactionRecord& txn);
  // The TOK of a sold purchase once more, for its modem: the same tokens (the transaction's
  // and its vend detail's key change tokens, in order) under `command`'s seq, signed under a
  // new counter, as an outgoing message linked to the transaction (not written yet).
  Result<store::MessageRecord> token_again(const store::TransactionRecord& txn,
                                           const std::optional<store::VendDetail>& detail,
                                           const store::ModemCommand& command, std::string message_id);
  std::optional<store::SubscriberView> subscriber_of(const std::string& meter_no);
  // `kwh_left`: the whole kWh P2APST's inquiry said are still allowed this month (bit 62),
  // which a 0047 refusal tells the customer; without it a 0047 gets the code's own text.
  std::string refusal_text(Language language, const p2apst::ResponseCode& code, const std::string& meter_no,
                           std::string* reason, std::optional<int64_t> kwh_left = std::nullopt);

  // engine_modem.cpp: what modems answer.
  void on_modem_mo(const wire::Mo& mo);
  void modem_answer(const store::TransactionRecord& txn, const meters::Message& message);

  // engine_resume.cpp
  Status resume_transactions();
  Status resume_outbox();
  // Every vending.outbox_poll_ms: the SMS another process (the helpdesk) asked for, in
  // delivery state "requested", become "pending" (durably) and are sent, each once.
  void arm_outbox_poll();
  void send_requested();
  void resume_purchasing(const store::TransactionRecord& txn);
  // A purchase found in received or validated waits for its MO (and PIN) to come again.
  void await_redelivery(const store::TransactionRecord& txn);
  // The MO of a purchase awaiting redelivery came again: carries on with its PIN, if any.
  // False when `mo` belongs to no such purchase (an ordinary duplicate).
  bool take_up_redelivered(const wire::Mo& mo, const std::string& txn_id);
  // Carries a purchase on from received or validated (after a restart).
  void carry_on(const store::TransactionRecord& txn);

  EngineDeps deps_;
  const VendingOptions options_;
  Counters<EngineCounter> counters_{kEngineCounters};
  Histogram mo_to_token_{kMoToTokenHistogram};

  std::mutex mutex_;  // guards the maps below
  std::map<std::string, std::string> pending_confirmation_;  // phone -> txn awaiting YA
  std::map<std::string, Pin> pins_;                          // txn -> the TOKEN's PIN, until decide()
  std::map<std::string, p2apst::InquiryResponse> inquiries_;  // txn -> its inquiry (prompt)
  std::map<std::string, Clock::TimerId> timers_;             // txn -> armed timer
  std::map<std::string, std::string> unacked_mo_;            // txn -> its MO, acked after the PIN check
  std::map<std::string, Clock::TimerId> awaiting_redelivery_;  // txn -> its resume_wait timer
  struct Rate {
    int64_t window_start_ms = 0;
    int64_t count = 0;
    int64_t silent_until_ms = 0;
  };
  std::map<std::string, Rate> rates_;
  bool stopped_ = false;
  struct Guard {
    std::mutex mutex;
    Strands* strands = nullptr;  // null once stopped
  };
  std::shared_ptr<Guard> guard_ = std::make_shared<Guard>();
  Strands strands_;
};

}  // namespace pintar::engine

#endif  // PINTAR_VENDING_ENGINE_ENGINE_H_
