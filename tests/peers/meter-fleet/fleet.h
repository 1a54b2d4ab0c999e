// Fleet: the two-way meters the meter_fleet simulator plays (README.md beside this file),
// without the SMPP and HTTP around them, so a unit test drives it directly.
//
// Each meter is what a real one is: a modem that checks every command as a meter's modem
// must (PM1 syntax, MAC under its modem key in the engine->modem direction, the engine's
// counter through a ReplayGuard kept in memory) and answers nothing to a message that fails
// (counted, as docs/modem-protocol.md requires), and an STS meter (sts::MeterDecoder: TID
// memory, key change tokens, credit). TOK enters the tokens in order; the answer is ACC
// S CR [PL] or REJ S R I CR as meters/sts_reason.h maps the meter's verdict, signed with the
// modem key and the modem's own counter. A command already carried out (same S, one of the
// last 8) is answered again from memory, as the protocol asks. Behaviours (silent, delay,
// reject, forge, replay, duplicate) bend that per meter for the engine's failure tests.
//
// Thread-safe: every call takes one mutex. Secrets (modem keys, decoder keys) never leave
// it: state() shows TIDs and amounts, not keys.
#ifndef PINTAR_TESTS_PEERS_METER_FLEET_FLEET_H_
#define PINTAR_TESTS_PEERS_METER_FLEET_FLEET_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/counters.h"
#include "common/secret.h"
#include "common/status.h"
#include "meters/modem_auth.h"
#include "meters/modem_protocol.h"
#include "meters/replay_guard.h"
#include "vending/sts/meter.h"

namespace pintar::peers {

inline constexpr std::string_view kDefaultEngineAddress = "1234";  // the short code
inline constexpr size_t kRememberedAnswers = 8;                    // docs/modem-protocol.md, resends

// One meter of the fleet file (README.md, "Fleet file").
struct MeterSpec {
  std::string meter;       // meter number (the modem key's owner)
  std::string msisdn;      // the modem's number: MTs to it are for this meter
  std::string key_id;      // K
  Secret key;              // the modem key, 16..64 bytes
  sts::MeterConfig sts;    // decoder key, tables, KEN, TID memory
  uint64_t credit = 0;     // initial credit, 0.1 kWh
  std::string engine = std::string(kDefaultEngineAddress);  // where answers and events go
};

// Parses the fleet file's JSON: {"meters": [...]}. InvalidArgument naming the meter and the
// member that is wrong; never quotes a key.
Result<std::vector<MeterSpec>> parse_fleet(const nlohmann::json& fleet);

struct Behaviour {
  bool silent = false;                         // carry the command out, answer nothing (answer lost)
  uint32_t delay_ms = 0;                       // answer this long after the command arrived
  std::optional<meters::MeterReason> reject;   // answer REJ with this reason; tokens not entered
  bool forge = false;                          // the answer's MAC is wrong
  bool replay = false;                         // send the previous answer text again (same counter)
  bool duplicate = false;                      // send each answer twice
};
// {"silent":..,"delay_ms":..,"reject":"USED"|null,"forge":..,"replay":..,"duplicate":..};
// members left out take the defaults (a POST replaces the whole behaviour).
Result<Behaviour> parse_behaviour(const nlohmann::json& json);
nlohmann::json to_json(const Behaviour& behaviour);

// One SMS the fleet wants sent.
struct Outgoing {
  std::string from;  // the modem's number
  std::string to;    // the engine's address
  std::string text;
  uint32_t delay_ms = 0;
};

enum FleetCounter : size_t {
  kFleetMtReceived,
  kFleetNoSuchModem,
  kFleetWrongModem,
  kFleetMalformed,
  kFleetUnknownKey,
  kFleetForged,
  kFleetReplayed,
  kFleetCommands,
  kFleetAnsweredFromMemory,
  kFleetTokensEntered,
  kFleetTokensAccepted,
  kFleetTokensRejected,
  kFleetAnswers,
  kFleetSilenced,
  kFleetEvents,
  kFleetCounterCount,
};
constexpr size_t counter_count(FleetCounter) { return kFleetCounterCount; }
inline constexpr CounterSpec kFleetCounters[] = {
    {"fleet.mt_received", "SMS received for a modem number"},
    {"fleet.no_such_modem", "SMS to a number no meter of the fleet has: dropped"},
    {"fleet.wrong_modem", "verified message under the key of another meter than the number's: dropped"},
    {"fleet.malformed", "not a PM1 engine->modem message: dropped unanswered"},
    {"fleet.unknown_key", "key id K names no modem key: dropped unanswered"},
    {"fleet.forged", "MAC does not match the modem key: dropped unanswered"},
    {"fleet.replayed", "engine counter C seen before or too old: dropped unanswered"},
    {"fleet.commands", "commands verified and carried out (or answered from memory)"},
    {"fleet.answered_from_memory", "commands whose S was carried out before: the stored answer sent again"},
    {"fleet.tokens_entered", "tokens entered into a meter's STS decoder"},
    {"fleet.tokens_accepted", "tokens the STS decoder applied"},
    {"fleet.tokens_rejected", "tokens the STS decoder refused"},
    {"fleet.answers", "answers and events handed to the SMSC (duplicates counted)"},
    {"fleet.silenced", "answers not sent because the meter is silent"},
    {"fleet.events", "EVT messages made on request"},
};
static_assert(valid_counter_names(kFleetCounters));

class Fleet {
 public:
  // InvalidArgument for a meter number, modem number or key id given twice, a bad key or
  // decoder key. window: the engine-counter replay window (0: strict, as a modem may).
  static Result<std::unique_ptr<Fleet>> create(std::vector<MeterSpec> meters, uint32_t window,
                                               Clock& clock = Clock::real());
  ~Fleet();

  // An SMS `from` -> `to` (a modem number) with `text`: what to send back (often nothing).
  std::vector<Outgoing> on_sms(std::string_view from, std::string_view to, std::string_view text);

  // NotFound for an unknown meter number.
  Status set_behaviour(std::string_view meter, Behaviour behaviour);
  Result<nlohmann::json> state(std::string_view meter) const;
  // An unsolicited EVT: {"kind": "LAST-GASP", "credit"?, "token"?, "reason"?, "relay"?,
  // "relay_reason"?}; CR defaults to the meter's credit for the kinds that need it.
  // InvalidArgument for a bad body, NotFound for an unknown meter.
  Result<Outgoing> event(std::string_view meter, const nlohmann::json& body);

  std::vector<std::string> meter_numbers() const;
  nlohmann::json counters() const;  // {"fleet.forged": n, ..., "modem.accepted": n, ...}

 private:
  struct Meter;
  Fleet(Clock& clock, uint32_t window);
  std::vector<Outgoing> answer(Meter& meter, const meters::Body& body);
  meters::Body carry_out(Meter& meter, const meters::Body& command);
  meters::Body deliver_tokens(Meter& meter, const meters::TokenDelivery& delivery);
  Result<std::string> sign(Meter& meter, meters::Body body);
  uint32_t now_seconds() const;

  Clock& clock_;
  mutable std::mutex mutex_;
  meters::MemoryKeyring keyring_;
  meters::MemoryReplayStore replay_store_;
  meters::ReplayGuard guard_;
  meters::ModemVerifier verifier_;
  std::map<std::string, std::unique_ptr<Meter>, std::less<>> meters_;  // by meter number
  std::map<std::string, std::string, std::less<>> by_msisdn_;           // modem number -> meter number
  Counters<FleetCounter> counters_{kFleetCounters};
};

}  // namespace pintar::peers

#endif  // PINTAR_TESTS_PEERS_METER_FLEET_FLEET_H_
