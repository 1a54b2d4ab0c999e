// The meter fleet (fleet.h). Past 500 lines on purpose: the fleet's JSON (meters,
// behaviours, events) and the meters' handling of commands share the enum lookups and the
// Meter record private to this file, and a split would need an internal header for them.
#include "tests/peers/meter-fleet/fleet.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

#include "common/hex.h"
#include "meters/sts_reason.h"
#include "vending/sts/data_block.h"
#include "vending/sts/decoder_key.h"
#include "vending/sts/sta.h"
#include "vending/sts/token_meaning.h"

namespace pintar::peers {

using meters::Body;
using meters::MeterReason;

struct Fleet::Meter {
  Meter(MeterSpec s, sts::MeterDecoder d) : spec(std::move(s)), decoder(std::move(d)) {}
  MeterSpec spec;
  sts::MeterDecoder decoder;
  uint32_t counter = 0;   // the modem's send counter: the last one used
  uint32_t event_no = 0;  // N of the last event
  Behaviour behaviour;
  meters::RelayState relay = meters::RelayState::kOn;
  std::deque<std::pair<uint32_t, Body>> answers;  // by S, the last kRememberedAnswers
  std::optional<std::string> last_text;           // the last answer or event sent, for `replay`
  nlohmann::json tokens_accepted = nlohmann::json::array();
  nlohmann::json rejections = nlohmann::json::array();
  uint64_t answers_sent = 0;
  uint64_t commands = 0;
};

namespace {

// nlohmann keeps a literal 100 signed: any non-negative integer will do.
bool is_count(const nlohmann::json& value) {
  return value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0);
}

Status member_error(const nlohmann::json& meter, std::string_view member, std::string_view what) {
  std::string name = meter.contains("meter") && meter["meter"].is_string() ? meter["meter"].get<std::string>() : "?";
  return Status::invalid_argument("meter " + name + ": " + std::string(member) + " " + std::string(what));
}

Result<std::string> text_member(const nlohmann::json& meter, std::string_view member, bool required = true,
                                std::string fallback = {}) {
  const auto it = meter.find(member);
  if (it == meter.end()) {
    if (required) return member_error(meter, member, "is required");
    return fallback;
  }
  if (!it->is_string() || it->get<std::string>().empty()) return member_error(meter, member, "must be a non-empty string");
  return it->get<std::string>();
}

Result<uint64_t> number_member(const nlohmann::json& meter, std::string_view member, uint64_t fallback,
                               uint64_t max) {
  const auto it = meter.find(member);
  if (it == meter.end()) return fallback;
  if (!is_count(*it) || it->get<uint64_t>() > max) {
    return member_error(meter, member, "must be an integer 0.." + std::to_string(max));
  }
  return it->get<uint64_t>();
}

// The decoder key: given, or derived from the vending key as the engine derives it.
Result<sts::DecoderKey> decoder_key_of(const nlohmann::json& meter) {
  auto ea_code = text_member(meter, "ea", false, "07");
  if (!ea_code.ok()) return ea_code.status();
  auto ea = sts::parse_encryption_algorithm(*ea_code);
  if (!ea.ok()) return member_error(meter, "ea", ea.status().message());
  if (meter.contains("decoder_key")) {
    auto hex = text_member(meter, "decoder_key");
    if (!hex.ok()) return hex.status();
    auto key = sts::DecoderKey::from_hex(*ea, *hex);
    if (!key.ok()) return member_error(meter, "decoder_key", "is not " + std::to_string(sts::decoder_key_size(*ea)) + " bytes of hex");
    return key;
  }
  auto vk_hex = text_member(meter, "vending_key");
  if (!vk_hex.ok()) return member_error(meter, "decoder_key or vending_key", "is required");
  auto dkga_code = text_member(meter, "dkga", false, "02");
  if (!dkga_code.ok()) return dkga_code.status();
  auto dkga = sts::parse_key_derivation(*dkga_code);
  if (!dkga.ok()) return member_error(meter, "dkga", dkga.status().message());
  auto vk_bytes = hex_decode(*vk_hex);
  if (!vk_bytes.ok()) return member_error(meter, "vending_key", "is not hex");
  auto vk = sts::VendingKey::import(*dkga, *vk_bytes);
  if (!vk.ok()) return member_error(meter, "vending_key", vk.status().message());
  auto pan = text_member(meter, "pan");
  auto bd = text_member(meter, "base_date", false, "93");
  auto sgc = number_member(meter, "sgc", 0, 999'999);
  auto ti = number_member(meter, "ti", 0, 99);
  auto krn = number_member(meter, "krn", 1, 9);
  auto kt = number_member(meter, "kt", 2, 3);
  for (const Status* s : {&pan.status(), &bd.status(), &sgc.status(), &ti.status(), &krn.status(), &kt.status()}) {
    if (!s->ok()) return *s;
  }
  auto base = sts::parse_base_date(*bd);
  if (!base.ok()) return member_error(meter, "base_date", base.status().message());
  sts::KeyParameters params{.pan = *pan,
                            .key_type = static_cast<uint8_t>(*kt),
                            .sgc = static_cast<uint32_t>(*sgc),
                            .tariff_index = static_cast<uint8_t>(*ti),
                            .krn = static_cast<uint8_t>(*krn),
                            .base_date = *base,
                            .ea = *ea};
  auto key = sts::derive_decoder_key(*vk, params);
  if (!key.ok()) return member_error(meter, "key parameters", key.status().message());
  return key;
}

Result<std::shared_ptr<const sts::StaTables>> tables_of(const nlohmann::json& meter) {
  if (!meter.contains("sta_tables")) return sts::StaTables::sample();
  auto path = text_member(meter, "sta_tables");
  if (!path.ok()) return path.status();
  std::ifstream in(*path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return member_error(meter, "sta_tables", "cannot be read");
  auto tables = sts::StaTables::parse(text.str());
  if (!tables.ok()) return member_error(meter, "sta_tables", tables.status().message());
  return tables;
}

Result<MeterSpec> parse_meter(const nlohmann::json& meter) {
  if (!meter.is_object()) return Status::invalid_argument("every member of meters must be an object");
  MeterSpec spec;
  for (auto [member, target] : {std::pair{"meter", &spec.meter}, {"msisdn", &spec.msisdn}, {"key_id", &spec.key_id}}) {
    auto value = text_member(meter, member);
    if (!value.ok()) return value.status();
    *target = *value;
  }
  auto engine = text_member(meter, "engine", false, std::string(kDefaultEngineAddress));
  if (!engine.ok()) return engine.status();
  spec.engine = *engine;
  auto key_hex = text_member(meter, "key");
  if (!key_hex.ok()) return key_hex.status();
  auto key = hex_decode(*key_hex);
  if (!key.ok() || key->size() < meters::kMinModemKeyBytes || key->size() > meters::kMaxModemKeyBytes) {
    return member_error(meter, "key", "must be 16..64 bytes of hex");
  }
  spec.key = Secret(std::move(*key));
  auto decoder_key = decoder_key_of(meter);
  if (!decoder_key.ok()) return decoder_key.status();
  auto tables = tables_of(meter);
  if (!tables.ok()) return tables.status();
  auto credit = number_member(meter, "credit", 0, uint64_t{1} << 40);
  auto ken = number_member(meter, "ken", 0xFF, 0xFF);
  auto memory = number_member(meter, "tid_memory", 20, 1000);
  auto manufacture_tid = number_member(meter, "manufacture_tid", 0, sts::kMaxTid);
  for (const Status* s : {&credit.status(), &ken.status(), &memory.status(), &manufacture_tid.status()}) {
    if (!s->ok()) return *s;
  }
  spec.credit = *credit;
  spec.sts = sts::MeterConfig{.key = *decoder_key,
                              .tables = *tables,
                              .ken = static_cast<uint8_t>(*ken),
                              .tid_memory_size = *memory,
                              .manufacture_tid = static_cast<uint32_t>(*manufacture_tid)};
  return spec;
}

template <typename Enum>
std::optional<Enum> enum_named(std::string_view name, std::string_view (*name_of)(Enum), int count) {
  for (int i = 0; i < count; ++i) {
    if (name_of(static_cast<Enum>(i)) == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

std::optional<MeterReason> reason_named(std::string_view name) {
  return enum_named<MeterReason>(name, meters::meter_reason_name, static_cast<int>(MeterReason::kFault) + 1);
}

}  // namespace

Result<std::vector<MeterSpec>> parse_fleet(const nlohmann::json& fleet) {
  if (!fleet.is_object() || !fleet.contains("meters") || !fleet["meters"].is_array()) {
    return Status::invalid_argument("the fleet file is an object with an array \"meters\"");
  }
  std::vector<MeterSpec> specs;
  for (const auto& meter : fleet["meters"]) {
    auto spec = parse_meter(meter);
    if (!spec.ok()) return spec.status();
    specs.push_back(std::move(*spec));
  }
  return specs;
}

Result<Behaviour> parse_behaviour(const nlohmann::json& json) {
  if (!json.is_object()) return Status::invalid_argument("a behaviour is a JSON object");
  Behaviour behaviour;
  for (const auto& [member, value] : json.items()) {
    if (member == "silent" || member == "forge" || member == "replay" || member == "duplicate") {
      if (!value.is_boolean()) return Status::invalid_argument(member + " must be true or false");
      bool& flag = member == "silent"   ? behaviour.silent
                   : member == "forge"  ? behaviour.forge
                   : member == "replay" ? behaviour.replay
                                        : behaviour.duplicate;
      flag = value.get<bool>();
    } else if (member == "delay_ms") {
      if (!is_count(value) || value.get<uint64_t>() > 600'000) {
        return Status::invalid_argument("delay_ms must be an integer 0..600000");
      }
      behaviour.delay_ms = value.get<uint32_t>();
    } else if (member == "reject") {
      if (value.is_null()) continue;
      const auto reason = value.is_string() ? reason_named(value.get<std::string>()) : std::nullopt;
      if (!reason) return Status::invalid_argument("reject must be null or a reason R (USED, CRC, OLD, ...)");
      behaviour.reject = reason;
    } else {
      return Status::invalid_argument("unknown behaviour " + member);
    }
  }
  return behaviour;
}

nlohmann::json to_json(const Behaviour& b) {
  return {{"silent", b.silent},
          {"delay_ms", b.delay_ms},
          {"reject", b.reject ? nlohmann::json(meters::meter_reason_name(*b.reject)) : nlohmann::json(nullptr)},
          {"forge", b.forge},
          {"replay", b.replay},
          {"duplicate", b.duplicate}};
}

Fleet::Fleet(Clock& clock, uint32_t window)
    : clock_(clock), guard_(replay_store_, window), verifier_(keyring_, guard_, meters::Direction::kEngineToModem) {}

Fleet::~Fleet() = default;

Result<std::unique_ptr<Fleet>> Fleet::create(std::vector<MeterSpec> specs, uint32_t window, Clock& clock) {
  std::unique_ptr<Fleet> fleet(new Fleet(clock, window));
  for (auto& spec : specs) {
    const std::string name = spec.meter;
    if (fleet->meters_.contains(name)) return Status::invalid_argument("meter " + name + " is given twice");
    if (fleet->by_msisdn_.contains(spec.msisdn)) {
      return Status::invalid_argument("meter " + name + ": msisdn " + spec.msisdn + " is another meter's");
    }
    Status added = fleet->keyring_.add(spec.key_id, spec.meter, spec.key);
    if (!added.ok()) return added.with_context("meter " + name);
    auto decoder = sts::MeterDecoder::create(spec.sts);
    if (!decoder.ok()) return decoder.status().with_context("meter " + name);
    fleet->by_msisdn_[spec.msisdn] = name;
    auto meter = std::unique_ptr<Meter>(new Meter{std::move(spec), std::move(*decoder)});
    fleet->meters_[name] = std::move(meter);
  }
  return fleet;
}

std::vector<Outgoing> Fleet::on_sms(std::string_view, std::string_view to, std::string_view text) {
  std::lock_guard lock(mutex_);
  counters_.add(kFleetMtReceived);
  const auto owner = by_msisdn_.find(to);
  if (owner == by_msisdn_.end()) {
    counters_.add(kFleetNoSuchModem);
    return {};
  }
  Meter& meter = *meters_.at(owner->second);
  meters::Verification verification = verifier_.verify(text);
  switch (verification.verdict) {
    case meters::Verdict::kAccepted:
      break;
    case meters::Verdict::kMalformed:
      counters_.add(kFleetMalformed);
      return {};
    case meters::Verdict::kUnknownModem:
      counters_.add(kFleetUnknownKey);
      return {};
    case meters::Verdict::kForged:
      counters_.add(kFleetForged);
      return {};
    default:  // kReplayed; kUnavailable cannot happen with a memory store
      counters_.add(kFleetReplayed);
      return {};
  }
  // Identity is the key's: a command under another meter's key is not for this modem.
  if (verification.modem_id != meter.spec.meter) {
    counters_.add(kFleetWrongModem);
    return {};
  }
  counters_.add(kFleetCommands);
  ++meter.commands;
  return answer(meter, carry_out(meter, verification.message->body));
}

uint32_t Fleet::now_seconds() const {
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(clock_.wall_now().time_since_epoch()).count());
}

Body Fleet::carry_out(Meter& meter, const Body& command) {
  uint32_t seq = 0;
  if (const auto* c = std::get_if<meters::TokenDelivery>(&command)) seq = c->seq;
  if (const auto* c = std::get_if<meters::ReadingRequest>(&command)) seq = c->seq;
  if (const auto* c = std::get_if<meters::RelayCommand>(&command)) seq = c->seq;
  for (const auto& [done_seq, body] : meter.answers) {
    if (done_seq == seq) {
      counters_.add(kFleetAnsweredFromMemory);
      return body;
    }
  }
  Body result;
  if (const auto* delivery = std::get_if<meters::TokenDelivery>(&command)) {
    result = deliver_tokens(meter, *delivery);
  } else if (std::holds_alternative<meters::ReadingRequest>(command)) {
    meters::Reading reading;
    reading.seq = seq;
    reading.time = now_seconds();
    reading.credit = meter.spec.credit + meter.decoder.credit(sts::CreditRegister::kElectricity);
    reading.relay = meter.relay;
    reading.voltage_decivolts = 2300;
    result = reading;
  } else if (const auto* relay = std::get_if<meters::RelayCommand>(&command)) {
    meter.relay = relay->action == meters::RelayAction::kConnect      ? meters::RelayState::kOn
                  : relay->action == meters::RelayAction::kDisconnect ? meters::RelayState::kOff
                                                                      : meters::RelayState::kArmed;
    meters::Accepted accepted;
    accepted.seq = seq;
    accepted.relay = meter.relay;
    result = accepted;
  }
  meter.answers.emplace_back(seq, result);
  if (meter.answers.size() > kRememberedAnswers) meter.answers.pop_front();
  return result;
}

Body Fleet::deliver_tokens(Meter& meter, const meters::TokenDelivery& delivery) {
  const auto credit = [&meter] { return meter.spec.credit + meter.decoder.credit(sts::CreditRegister::kElectricity); };
  if (meter.behaviour.reject) {
    meter.rejections.push_back({{"seq", delivery.seq}, {"reason", meters::meter_reason_name(*meter.behaviour.reject)},
                                {"index", 1}, {"forced", true}});
    return meters::Rejected{.seq = delivery.seq, .reason = *meter.behaviour.reject, .token_index = 1, .credit = credit()};
  }
  const auto limit_before = meter.decoder.maximum_power_limit_watts();
  for (size_t i = 0; i < delivery.tokens.size(); ++i) {
    counters_.add(kFleetTokensEntered);
    const sts::MeterDecoder::Outcome outcome = meter.decoder.enter(delivery.tokens[i]);
    if (const auto reason = meters::reason_for(outcome.result)) {
      counters_.add(kFleetTokensRejected);
      meter.rejections.push_back({{"seq", delivery.seq},
                                  {"reason", meters::meter_reason_name(*reason)},
                                  {"index", i + 1},
                                  {"result", sts::meter_result_name(outcome.result)}});
      return meters::Rejected{
          .seq = delivery.seq, .reason = *reason, .token_index = static_cast<uint8_t>(i + 1), .credit = credit()};
    }
    counters_.add(kFleetTokensAccepted);
    nlohmann::json entry = {
        {"seq", delivery.seq}, {"token", delivery.tokens[i]}, {"result", sts::meter_result_name(outcome.result)}};
    if (outcome.data) {
      entry["meaning"] = sts::describe(*outcome.data);
      // Key change tokens carry no TID (clause 6.2.3); the others have it in the register layout.
      if (entry["meaning"].value("kind", "") != "key_change") entry["tid"] = sts::fields_of(outcome.data->data_block).tid;
    }
    meter.tokens_accepted.push_back(std::move(entry));
  }
  meters::Accepted accepted;
  accepted.seq = delivery.seq;
  accepted.credit = credit();
  if (meter.decoder.maximum_power_limit_watts() != limit_before) {
    accepted.power_limit_watts = meter.decoder.maximum_power_limit_watts();
  }
  return accepted;
}

Result<std::string> Fleet::sign(Meter& meter, Body body) {
  meters::Message message{.key_id = meter.spec.key_id, .counter = ++meter.counter, .body = std::move(body)};
  auto text = meters::sign(message, meter.spec.key);
  if (!text.ok() || !meter.behaviour.forge) return text;
  // A wrong MAC of the right shape: the last base32 character changed.
  std::string forged = *text;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  return forged;
}

std::vector<Outgoing> Fleet::answer(Meter& meter, const Body& body) {
  const Behaviour& b = meter.behaviour;
  if (b.silent) {
    counters_.add(kFleetSilenced);
    return {};
  }
  std::string text;
  if (b.replay && meter.last_text) {
    text = *meter.last_text;
  } else {
    auto signed_text = sign(meter, body);
    if (!signed_text.ok()) return {};  // cannot happen for the bodies built above
    text = *signed_text;
  }
  meter.last_text = text;
  std::vector<Outgoing> out(b.duplicate ? 2 : 1, Outgoing{meter.spec.msisdn, meter.spec.engine, text, b.delay_ms});
  meter.answers_sent += out.size();
  counters_.add(kFleetAnswers, out.size());
  return out;
}

Status Fleet::set_behaviour(std::string_view meter, Behaviour behaviour) {
  std::lock_guard lock(mutex_);
  const auto it = meters_.find(meter);
  if (it == meters_.end()) return Status::not_found("no meter " + std::string(meter) + " in the fleet");
  it->second->behaviour = behaviour;
  return Status::ok_status();
}

Result<nlohmann::json> Fleet::state(std::string_view meter_number) const {
  std::lock_guard lock(mutex_);
  const auto it = meters_.find(meter_number);
  if (it == meters_.end()) return Status::not_found("no meter " + std::string(meter_number) + " in the fleet");
  const Meter& meter = *it->second;
  nlohmann::json tids = nlohmann::json::array();
  for (uint32_t tid : meter.decoder.tid_memory()) tids.push_back(tid);
  nlohmann::json state = {
      {"meter", meter.spec.meter},
      {"msisdn", meter.spec.msisdn},
      {"key_id", meter.spec.key_id},
      {"engine", meter.spec.engine},
      {"credit", meter.spec.credit + meter.decoder.credit(sts::CreditRegister::kElectricity)},
      {"ken", meter.decoder.ken()},
      {"krn", meter.decoder.krn()},
      {"relay", meters::relay_state_name(meter.relay)},
      {"tid_memory", tids},
      {"tokens_accepted", meter.tokens_accepted},
      {"tokens_accepted_count", meter.tokens_accepted.size()},
      {"rejections", meter.rejections},
      {"commands", meter.commands},
      {"answers_sent", meter.answers_sent},
      {"counter", meter.counter},
      {"behaviour", to_json(meter.behaviour)},
  };
  if (const auto limit = meter.decoder.maximum_power_limit_watts()) state["power_limit_watts"] = *limit;
  return state;
}

Result<Outgoing> Fleet::event(std::string_view meter_number, const nlohmann::json& body) {
  std::lock_guard lock(mutex_);
  const auto it = meters_.find(meter_number);
  if (it == meters_.end()) return Status::not_found("no meter " + std::string(meter_number) + " in the fleet");
  Meter& meter = *it->second;
  if (!body.is_object() || !body.contains("kind") || !body["kind"].is_string()) {
    return Status::invalid_argument("an event is {\"kind\": \"LAST-GASP\" | \"POWER-ON\" | ...}");
  }
  const auto kind = enum_named<meters::EventKind>(body["kind"].get<std::string>(), meters::event_kind_name,
                                                  static_cast<int>(meters::EventKind::kTokenRejected) + 1);
  if (!kind) return Status::invalid_argument("unknown event kind");
  meters::MeterEvent event;
  event.event_no = ++meter.event_no;
  event.time = now_seconds();
  event.kind = *kind;
  const uint64_t credit = meter.spec.credit + meter.decoder.credit(sts::CreditRegister::kElectricity);
  if (body.contains("credit")) {
    if (!is_count(body["credit"])) return Status::invalid_argument("credit is an integer (0.1 kWh)");
    event.credit = body["credit"].get<uint64_t>();
  } else if (*kind == meters::EventKind::kLowCredit || *kind == meters::EventKind::kCredit ||
             *kind == meters::EventKind::kTokenAccepted) {
    event.credit = credit;
  }
  if (body.contains("token")) {
    if (!body["token"].is_string()) return Status::invalid_argument("token is 20 digits");
    event.token = body["token"].get<std::string>();
  }
  if (body.contains("reason")) {
    const auto reason = body["reason"].is_string() ? reason_named(body["reason"].get<std::string>()) : std::nullopt;
    if (!reason) return Status::invalid_argument("reason is a reason R (USED, CRC, ...)");
    event.reason = reason;
  }
  if (body.contains("relay")) {
    const auto relay = body["relay"].is_string()
                           ? enum_named<meters::RelayState>(body["relay"].get<std::string>(), meters::relay_state_name, 3)
                           : std::nullopt;
    if (!relay) return Status::invalid_argument("relay is ON, OFF or ARMED");
    event.relay = relay;
  }
  if (body.contains("relay_reason")) {
    const auto why = body["relay_reason"].is_string()
                         ? enum_named<meters::RelayReason>(body["relay_reason"].get<std::string>(),
                                                           meters::relay_reason_name, 6)
                         : std::nullopt;
    if (!why) return Status::invalid_argument("relay_reason is a W value (BUTTON, CREDIT, ...)");
    event.relay_reason = why;
  }
  meters::Message message{.key_id = meter.spec.key_id, .counter = meter.counter + 1, .body = event};
  auto text = meters::sign(message, meter.spec.key);
  if (!text.ok()) {
    --meter.event_no;
    return text.status();
  }
  ++meter.counter;
  counters_.add(kFleetEvents);
  counters_.add(kFleetAnswers);
  ++meter.answers_sent;
  meter.last_text = *text;
  return Outgoing{meter.spec.msisdn, meter.spec.engine, *text, 0};
}

std::vector<std::string> Fleet::meter_numbers() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> numbers;
  for (const auto& [number, meter] : meters_) numbers.push_back(number);
  return numbers;
}

nlohmann::json Fleet::counters() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = 0; i < kFleetCounterCount; ++i) out[std::string(kFleetCounters[i].name)] = counters_.value_at(i);
  const CounterSet& auth = verifier_.counters();
  for (size_t i = 0; i < auth.specs().size(); ++i) out[std::string(auth.specs()[i].name)] = auth.value_at(i);
  return out;
}

}  // namespace pintar::peers
