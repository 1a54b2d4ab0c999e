// The PM1 modem text codec (docs/modem-protocol.md). One file just past 500 lines on
// purpose: the grammar's word tables and field rules are shared by decode() and encode(),
// and keeping both beside them is what keeps the two directions in step.
#include "meters/modem_protocol.h"

#include <array>
#include <charconv>
#include <limits>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "common/log.h"

namespace pintar::meters {
namespace {

constexpr std::string_view kVersion = "PM1";
// A signed text's MAC field as the encoder's self-check fills it in (see encode_unsigned).
constexpr std::string_view kPlaceholderMac = " M=AAAAAAAAAAAAAAAA";

template <typename Enum>
struct Word {
  Enum value;
  std::string_view word;
};

constexpr std::array<Word<MeterReason>, 9> kMeterReasons{{
    {MeterReason::kCrc, "CRC"},
    {MeterReason::kUsed, "USED"},
    {MeterReason::kOld, "OLD"},
    {MeterReason::kKeyExpired, "KEY-EXPIRED"},
    {MeterReason::kOverLimit, "OVER-LIMIT"},
    {MeterReason::kFormat, "FORMAT"},
    {MeterReason::kFunction, "FUNCTION"},
    {MeterReason::kUnsupported, "UNSUPPORTED"},
    {MeterReason::kFault, "FAULT"},
}};
constexpr std::array<Word<RelayState>, 3> kRelayStates{{
    {RelayState::kOn, "ON"}, {RelayState::kOff, "OFF"}, {RelayState::kArmed, "ARMED"}}};
constexpr std::array<Word<RelayAction>, 3> kRelayActions{{
    {RelayAction::kConnect, "ON"}, {RelayAction::kDisconnect, "OFF"}, {RelayAction::kArm, "ARM"}}};
constexpr std::array<Word<RelayReason>, 6> kRelayReasons{{
    {RelayReason::kArrears, "ARREARS"},
    {RelayReason::kRequest, "REQUEST"},
    {RelayReason::kSafety, "SAFETY"},
    {RelayReason::kButton, "BUTTON"},
    {RelayReason::kNoCredit, "NO-CREDIT"},
    {RelayReason::kCredit, "CREDIT"},
}};
constexpr std::array<Word<EventKind>, 8> kEventKinds{{
    {EventKind::kLastGasp, "LAST-GASP"},
    {EventKind::kPowerOn, "POWER-ON"},
    {EventKind::kTamper, "TAMPER"},
    {EventKind::kLowCredit, "LOW-CREDIT"},
    {EventKind::kCredit, "CREDIT"},
    {EventKind::kRelay, "RELAY"},
    {EventKind::kTokenAccepted, "TOKEN-ACCEPTED"},
    {EventKind::kTokenRejected, "TOKEN-REJECTED"},
}};

template <typename Enum, size_t N>
std::string_view word_of(const std::array<Word<Enum>, N>& table, Enum value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.word;
  }
  return "?";
}

template <typename Enum, size_t N>
Result<Enum> parse_word(const std::array<Word<Enum>, N>& table, std::string_view field, std::string_view text) {
  for (const auto& entry : table) {
    if (entry.word == text) return entry.value;
  }
  return Status::invalid_argument(fmt::format("field {} has an unknown value", field));
}

// Which of EVT's optional fields each kind takes (docs/modem-protocol.md, "Events").
enum class Presence : uint8_t { kNo, kOptional, kRequired };
struct EventRule {
  EventKind kind;
  Presence token, reason, credit, relay, relay_reason;
};
constexpr std::array<EventRule, 8> kEventRules{{
    {EventKind::kLastGasp, Presence::kNo, Presence::kNo, Presence::kNo, Presence::kNo, Presence::kNo},
    {EventKind::kPowerOn, Presence::kNo, Presence::kNo, Presence::kNo, Presence::kNo, Presence::kNo},
    {EventKind::kTamper, Presence::kNo, Presence::kNo, Presence::kNo, Presence::kNo, Presence::kNo},
    {EventKind::kLowCredit, Presence::kNo, Presence::kNo, Presence::kRequired, Presence::kNo, Presence::kNo},
    {EventKind::kCredit, Presence::kNo, Presence::kNo, Presence::kRequired, Presence::kNo, Presence::kNo},
    {EventKind::kRelay, Presence::kNo, Presence::kNo, Presence::kNo, Presence::kRequired, Presence::kRequired},
    {EventKind::kTokenAccepted, Presence::kRequired, Presence::kNo, Presence::kRequired, Presence::kNo, Presence::kNo},
    {EventKind::kTokenRejected, Presence::kRequired, Presence::kRequired, Presence::kOptional, Presence::kNo,
     Presence::kNo},
}};

Status check_presence(Presence rule, bool present, std::string_view field, EventKind kind) {
  if (rule == Presence::kRequired && !present) {
    return Status::invalid_argument(fmt::format("EVT {} needs field {}", word_of(kEventKinds, kind), field));
  }
  if (rule == Presence::kNo && present) {
    return Status::invalid_argument(fmt::format("EVT {} does not take field {}", word_of(kEventKinds, kind), field));
  }
  return Status::ok_status();
}

// ---- Values ----

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

// Decimal, canonical (no sign, no leading zero), at most max_digits, within [min, max].
Result<uint64_t> parse_number(std::string_view field, std::string_view text, size_t max_digits, uint64_t min,
                              uint64_t max) {
  if (text.empty() || text.size() > max_digits) {
    return Status::invalid_argument(fmt::format("field {} must have 1 to {} digits", field, max_digits));
  }
  for (char c : text) {
    if (!is_digit(c)) return Status::invalid_argument(fmt::format("field {} is not a decimal number", field));
  }
  if (text.size() > 1 && text[0] == '0') {
    return Status::invalid_argument(fmt::format("field {} has a leading zero", field));
  }
  uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);  // max_digits <= 19: no overflow
  if (value < min || value > max) {
    return Status::invalid_argument(fmt::format("field {} is out of range ({}..{})", field, min, max));
  }
  return value;
}

constexpr uint64_t kU32 = std::numeric_limits<uint32_t>::max();

Result<uint32_t> parse_positive32(std::string_view field, std::string_view text) {
  auto value = parse_number(field, text, 10, 1, kU32);
  if (!value.ok()) return value.status();
  return static_cast<uint32_t>(*value);
}

// Energy and credit registers: ten digits of 0.1 kWh (999,999,999.9 kWh).
Result<uint64_t> parse_register(std::string_view field, std::string_view text) {
  return parse_number(field, text, 10, 0, 9'999'999'999ULL);
}

Status check_token(std::string_view field, std::string_view token) {
  if (token.size() != 20) return Status::invalid_argument(fmt::format("field {}: a token has 20 digits", field));
  for (char c : token) {
    if (!is_digit(c)) return Status::invalid_argument(fmt::format("field {}: a token has only digits", field));
  }
  return Status::ok_status();
}

Status check_key_id(std::string_view key_id) {
  if (key_id.empty() || key_id.size() > kMaxKeyIdLength) {
    return Status::invalid_argument(fmt::format("field K must have 1 to {} characters", kMaxKeyIdLength));
  }
  for (char c : key_id) {
    if (!is_digit(c) && !is_upper(c)) return Status::invalid_argument("field K may hold only A-Z and 0-9");
  }
  return Status::ok_status();
}

// The alphabet of the whole text: characters GSM 03.38, IA5 and ASCII all code alike, so no
// SMSC or gateway conversion can change a signed byte (docs/modem-protocol.md, "Why text").
bool allowed_char(char c) { return is_digit(c) || is_upper(c) || c == ' ' || c == '=' || c == ',' || c == '-'; }

// ---- Fields: NAME=value words, taken in the type's canonical order ----

struct Field {
  std::string_view name;
  std::string_view value;
};

class FieldCursor {
 public:
  FieldCursor(std::string_view type, std::vector<Field> fields) : type_(type), fields_(std::move(fields)) {}

  std::optional<std::string_view> optional(std::string_view name) {
    if (next_ < fields_.size() && fields_[next_].name == name) return fields_[next_++].value;
    return std::nullopt;
  }
  Result<std::string_view> required(std::string_view name) {
    if (auto value = optional(name)) return *value;
    return Status::invalid_argument(fmt::format("{}: field {} is missing or out of order", type_, name));
  }
  Status finish() const {
    if (next_ == fields_.size()) return Status::ok_status();
    return Status::invalid_argument(
        fmt::format("{}: field {} is not allowed here or out of order", type_, fields_[next_].name));
  }

 private:
  std::string_view type_;
  std::vector<Field> fields_;
  size_t next_ = 0;
};

// Helpers that keep the per-type parsers one line per field.
template <typename T, typename Parse>
Status take(FieldCursor& cursor, std::string_view name, T& out, Parse parse) {
  auto text = cursor.required(name);
  if (!text.ok()) return text.status();
  auto value = parse(name, *text);
  if (!value.ok()) return value.status();
  out = static_cast<T>(*value);
  return Status::ok_status();
}
template <typename T, typename Parse>
Status take_optional(FieldCursor& cursor, std::string_view name, std::optional<T>& out, Parse parse) {
  const auto text = cursor.optional(name);
  if (!text) return Status::ok_status();
  auto value = parse(name, *text);
  if (!value.ok()) return value.status();
  out = static_cast<T>(*value);
  return Status::ok_status();
}

template <typename Enum, size_t N>
auto enum_parser(const std::array<Word<Enum>, N>& table) {
  return [&table](std::string_view field, std::string_view text) { return parse_word(table, field, text); };
}
Result<uint64_t> parse_watts(std::string_view field, std::string_view text) {
  return parse_number(field, text, 7, 0, 9'999'999);
}
Result<uint64_t> parse_decivolts(std::string_view field, std::string_view text) {
  return parse_number(field, text, 5, 0, 99'999);
}
Result<uint64_t> parse_token_index(std::string_view field, std::string_view text) {
  return parse_number(field, text, 1, 1, kMaxTokensPerDelivery);
}
Result<std::string> parse_one_token(std::string_view field, std::string_view text) {
  PINTAR_RETURN_IF_ERROR(check_token(field, text));
  return std::string(text);
}

Result<Body> parse_tok(FieldCursor& f) {
  TokenDelivery m;
  PINTAR_RETURN_IF_ERROR(take(f, "S", m.seq, parse_positive32));
  auto list = f.required("T");
  if (!list.ok()) return list.status();
  std::string_view rest = *list;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view token = rest.substr(0, comma);
    PINTAR_RETURN_IF_ERROR(check_token("T", token));
    m.tokens.emplace_back(token);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (m.tokens.size() > kMaxTokensPerDelivery) {
    return Status::invalid_argument(fmt::format("TOK: at most {} tokens", kMaxTokensPerDelivery));
  }
  return Body(std::move(m));
}

Result<Body> parse_rdq(FieldCursor& f) {
  ReadingRequest m;
  PINTAR_RETURN_IF_ERROR(take(f, "S", m.seq, parse_positive32));
  return Body(m);
}

Result<Body> parse_rly(FieldCursor& f) {
  RelayCommand m;
  PINTAR_RETURN_IF_ERROR(take(f, "S", m.seq, parse_positive32));
  PINTAR_RETURN_IF_ERROR(take(f, "A", m.action, enum_parser(kRelayActions)));
  PINTAR_RETURN_IF_ERROR(take(f, "W", m.reason, enum_parser(kRelayReasons)));
  if (m.reason != RelayReason::kArrears && m.reason != RelayReason::kRequest && m.reason != RelayReason::kSafety) {
    return Status::invalid_argument("RLY: field W must be ARREARS, REQUEST or SAFETY");
  }
  return Body(m);
}

Result<Body> parse_acc(FieldCursor& f) {
  Accepted m;
  PINTAR_RETURN_IF_ERROR(take(f, "S", m.seq, parse_positive32));
  PINTAR_RETURN_IF_ERROR(take_optional(f, "CR", m.credit, parse_register));
  PINTAR_RETURN_IF_ERROR(take_optional(f, "PL", m.power_limit_watts, parse_watts));
  PINTAR_RETURN_IF_ERROR(take_optional(f, "RL", m.relay, enum_parser(kRelayStates)));
  return Body(m);
}

Result<Body> parse_rej(FieldCursor& f) {
  Rejected m;
  PINTAR_RETURN_IF_ERROR(take(f, "S", m.seq, parse_positive32));
  PINTAR_RETURN_IF_ERROR(take(f, "R", m.reason, enum_parser(kMeterReasons)));
  PINTAR_RETURN_IF_ERROR(take_optional(f, "I", m.token_index, parse_token_index));
  PINTAR_RETURN_IF_ERROR(take_optional(f, "CR", m.credit, parse_register));
  return Body(m);
}

Result<Body> parse_rdg(FieldCursor& f) {
  Reading m;
  PINTAR_RETURN_IF_ERROR(take_optional(f, "S", m.seq, parse_positive32));
  PINTAR_RETURN_IF_ERROR(take_optional(f, "N", m.event_no, parse_positive32));
  if (m.seq.has_value() == m.event_no.has_value()) {
    return Status::invalid_argument("RDG: exactly one of fields S (answer) and N (scheduled) is required");
  }
  PINTAR_RETURN_IF_ERROR(take(f, "D", m.time, parse_positive32));
  PINTAR_RETURN_IF_ERROR(take(f, "EN", m.energy, parse_register));
  PINTAR_RETURN_IF_ERROR(take(f, "CR", m.credit, parse_register));
  PINTAR_RETURN_IF_ERROR(take(f, "RL", m.relay, enum_parser(kRelayStates)));
  PINTAR_RETURN_IF_ERROR(take(f, "P", m.power_watts, parse_watts));
  PINTAR_RETURN_IF_ERROR(take(f, "V", m.voltage_decivolts, parse_decivolts));
  return Body(m);
}

Status check_event_fields(const MeterEvent& m) {
  for (const EventRule& rule : kEventRules) {
    if (rule.kind != m.kind) continue;
    PINTAR_RETURN_IF_ERROR(check_presence(rule.token, m.token.has_value(), "T", m.kind));
    PINTAR_RETURN_IF_ERROR(check_presence(rule.reason, m.reason.has_value(), "R", m.kind));
    PINTAR_RETURN_IF_ERROR(check_presence(rule.credit, m.credit.has_value(), "CR", m.kind));
    PINTAR_RETURN_IF_ERROR(check_presence(rule.relay, m.relay.has_value(), "RL", m.kind));
    return check_presence(rule.relay_reason, m.relay_reason.has_value(), "W", m.kind);
  }
  return Status::internal("an event kind without a rule");
}

Result<Body> parse_evt(FieldCursor& f) {
  MeterEvent m;
  PINTAR_RETURN_IF_ERROR(take(f, "N", m.event_no, parse_positive32));
  PINTAR_RETURN_IF_ERROR(take(f, "D", m.time, parse_positive32));
  PINTAR_RETURN_IF_ERROR(take(f, "EV", m.kind, enum_parser(kEventKinds)));
  PINTAR_RETURN_IF_ERROR(take_optional(f, "T", m.token, parse_one_token));
  PINTAR_RETURN_IF_ERROR(take_optional(f, "R", m.reason, enum_parser(kMeterReasons)));
  PINTAR_RETURN_IF_ERROR(take_optional(f, "CR", m.credit, parse_register));
  PINTAR_RETURN_IF_ERROR(take_optional(f, "RL", m.relay, enum_parser(kRelayStates)));
  PINTAR_RETURN_IF_ERROR(take_optional(f, "W", m.relay_reason, enum_parser(kRelayReasons)));
  PINTAR_RETURN_IF_ERROR(f.finish());  // before the rule check: an out-of-order field is named as such
  PINTAR_RETURN_IF_ERROR(check_event_fields(m));
  return Body(std::move(m));
}

struct TypeCodec {
  std::string_view name;
  Result<Body> (*parse)(FieldCursor&);
};
// The order of Body's alternatives, so that type_name() can index it.
constexpr std::array<TypeCodec, 7> kTypes{{
    {"TOK", parse_tok},
    {"RDQ", parse_rdq},
    {"RLY", parse_rly},
    {"ACC", parse_acc},
    {"REJ", parse_rej},
    {"RDG", parse_rdg},
    {"EVT", parse_evt},
}};
static_assert(kTypes.size() == std::variant_size_v<Body>);

// ---- Encoding ----

void add(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += '=';
  out += value;
}
template <typename Number>
void add_number(std::string& out, std::string_view name, const std::optional<Number>& value) {
  if (value) add(out, name, fmt::format("{}", *value));
}
template <typename Enum, size_t N>
void add_word(std::string& out, std::string_view name, const std::array<Word<Enum>, N>& table,
              const std::optional<Enum>& value) {
  if (value) add(out, name, word_of(table, *value));
}

template <typename T>
std::optional<T> some(T value) {
  return value;
}

struct BodyWriter {
  std::string& out;
  void operator()(const TokenDelivery& m) const {
    add_number(out, "S", some(m.seq));
    std::string list;
    for (const std::string& token : m.tokens) list += (list.empty() ? "" : ",") + token;
    add(out, "T", list);
  }
  void operator()(const ReadingRequest& m) const { add_number(out, "S", some(m.seq)); }
  void operator()(const RelayCommand& m) const {
    add_number(out, "S", some(m.seq));
    add_word(out, "A", kRelayActions, some(m.action));
    add_word(out, "W", kRelayReasons, some(m.reason));
  }
  void operator()(const Accepted& m) const {
    add_number(out, "S", some(m.seq));
    add_number(out, "CR", m.credit);
    add_number(out, "PL", m.power_limit_watts);
    add_word(out, "RL", kRelayStates, m.relay);
  }
  void operator()(const Rejected& m) const {
    add_number(out, "S", some(m.seq));
    add_word(out, "R", kMeterReasons, some(m.reason));
    add_number(out, "I", m.token_index);
    add_number(out, "CR", m.credit);
  }
  void operator()(const Reading& m) const {
    add_number(out, "S", m.seq);
    add_number(out, "N", m.event_no);
    add_number(out, "D", some(m.time));
    add_number(out, "EN", some(m.energy));
    add_number(out, "CR", some(m.credit));
    add_word(out, "RL", kRelayStates, some(m.relay));
    add_number(out, "P", some(m.power_watts));
    add_number(out, "V", some(m.voltage_decivolts));
  }
  void operator()(const MeterEvent& m) const {
    add_number(out, "N", some(m.event_no));
    add_number(out, "D", some(m.time));
    add_word(out, "EV", kEventKinds, some(m.kind));
    if (m.token) add(out, "T", *m.token);
    add_word(out, "R", kMeterReasons, m.reason);
    add_number(out, "CR", m.credit);
    add_word(out, "RL", kRelayStates, m.relay);
    add_word(out, "W", kRelayReasons, m.relay_reason);
  }
};

std::string format_unsigned(const Message& message) {
  std::string out(kVersion);
  out += ' ';
  out += type_name(message.body);
  add(out, "K", message.key_id);
  add_number(out, "C", some(message.counter));
  std::visit(BodyWriter{out}, message.body);
  return out;
}

}  // namespace

Direction direction_of(const Body& body) {
  return body.index() <= 2 ? Direction::kEngineToModem : Direction::kModemToEngine;
}

std::string_view type_name(const Body& body) { return kTypes[body.index()].name; }

Result<std::string> encode_unsigned(const Message& message) {
  // The decoder is the one statement of what is valid: the encoder formats, then checks that
  // the text (with a MAC of the right shape) decodes back to the same message. A value the
  // decoder would refuse (seq 0, a 19-digit token, a relay event without W) fails here.
  PINTAR_RETURN_IF_ERROR(check_key_id(message.key_id));  // before the alphabet check would name a position
  std::string text = format_unsigned(message);
  const std::string full = text + std::string(kPlaceholderMac);
  auto decoded = decode(full);
  if (!decoded.ok()) return decoded.status();
  if (!(decoded->message == message)) {
    return Status::invalid_argument(fmt::format("{}: a value does not survive encoding", type_name(message.body)));
  }
  return text;
}

Result<Decoded> decode(std::string_view text) {
  if (text.empty()) return Status::invalid_argument("empty message");
  if (text.size() > kMaxMessageLength) {
    return Status::invalid_argument(
        fmt::format("message has {} characters, more than one SMS ({})", text.size(), kMaxMessageLength));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (!allowed_char(text[i])) {
      return Status::invalid_argument(fmt::format("character {} is not in the protocol's alphabet", i + 1));
    }
  }
  std::vector<std::string_view> words;
  for (std::string_view rest = text;;) {
    const size_t space = rest.find(' ');
    words.push_back(rest.substr(0, space));
    if (words.back().empty()) return Status::invalid_argument("empty field (doubled, leading or trailing space)");
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
  if (words[0] != kVersion) {
    if (words[0].size() == 3 && words[0].substr(0, 2) == "PM") {
      return Status::invalid_argument("unsupported modem protocol version");
    }
    return Status::invalid_argument("not a modem protocol message (no PM1 prefix)");
  }
  if (words.size() < 5) return Status::invalid_argument("message is truncated (needs type, K, C and M)");

  const TypeCodec* codec = nullptr;
  for (const TypeCodec& candidate : kTypes) {
    if (candidate.name == words[1]) codec = &candidate;
  }
  if (codec == nullptr) return Status::invalid_argument("unknown message type");

  std::vector<Field> fields;
  for (size_t i = 2; i < words.size(); ++i) {
    const size_t equals = words[i].find('=');
    // An empty value is left to the field's own check, which names what it should hold.
    if (equals == 0 || equals == std::string_view::npos) {
      return Status::invalid_argument(fmt::format("word {} is not NAME=value", i + 1));
    }
    fields.push_back({words[i].substr(0, equals), words[i].substr(equals + 1)});
  }
  const Field key = fields.front();
  const Field counter = fields[1];
  const Field mac = fields.back();
  if (key.name != "K") return Status::invalid_argument("field K must come after the type");
  if (counter.name != "C") return Status::invalid_argument("field C must come after K");
  if (mac.name != "M") return Status::invalid_argument("field M (the MAC) must come last");
  PINTAR_RETURN_IF_ERROR(check_key_id(key.value));
  auto counter_value = parse_positive32("C", counter.value);
  if (!counter_value.ok()) return counter_value.status();
  if (mac.value.size() != kMacLength) return Status::invalid_argument("field M must have 16 characters");
  for (char c : mac.value) {
    if (!is_upper(c) && !(c >= '2' && c <= '7')) return Status::invalid_argument("field M is not base32");
  }

  FieldCursor cursor(codec->name, std::vector<Field>(fields.begin() + 2, fields.end() - 1));
  auto body = codec->parse(cursor);
  if (!body.ok()) return body.status();
  PINTAR_RETURN_IF_ERROR(cursor.finish());

  Decoded decoded;
  decoded.message = Message{std::string(key.value), *counter_value, std::move(*body)};
  decoded.mac = mac.value;
  decoded.signed_text = text.substr(0, text.size() - mac.value.size() - 3);  // drop " M=<mac>"
  return decoded;
}

std::string describe(const Message& message) {
  std::string out = fmt::format("{} K={} C={}", type_name(message.body), message.key_id, message.counter);
  std::visit(
      [&out](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, MeterEvent>) {
          out += fmt::format(" N={} EV={}", m.event_no, event_kind_name(m.kind));
          if (m.token) out += " T=" + log::mask_token(*m.token);
        } else if constexpr (std::is_same_v<T, Reading>) {
          out += m.seq ? fmt::format(" S={}", *m.seq) : fmt::format(" N={}", m.event_no.value_or(0));
        } else {
          out += fmt::format(" S={}", m.seq);
          if constexpr (std::is_same_v<T, TokenDelivery>) {
            for (const std::string& token : m.tokens) out += " T=" + log::mask_token(token);
          }
          if constexpr (std::is_same_v<T, Rejected>) out += fmt::format(" R={}", meter_reason_name(m.reason));
        }
      },
      message.body);
  return out;
}

std::string_view meter_reason_name(MeterReason reason) { return word_of(kMeterReasons, reason); }
std::string_view relay_state_name(RelayState state) { return word_of(kRelayStates, state); }
std::string_view relay_action_name(RelayAction action) { return word_of(kRelayActions, action); }
std::string_view relay_reason_name(RelayReason reason) { return word_of(kRelayReasons, reason); }
std::string_view event_kind_name(EventKind kind) { return word_of(kEventKinds, kind); }

}  // namespace pintar::meters
