#include "bridge/protocol.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "common/hex.h"

namespace pintar::bridge {
namespace {

using Json = nlohmann::json;

// Type names, in the order of the Message variant's alternatives.
constexpr std::string_view kTypeNames[] = {"mo",          "mo_ack",  "mt",          "mt_ack",   "mt_result",
                                           "mt_result_ack", "receipt", "receipt_ack", "heartbeat", "mo_repeat"};
static_assert(std::size(kTypeNames) == std::variant_size_v<Message>);

// Reads members of one JSON object, remembering the first problem.
class Reader {
 public:
  explicit Reader(const Json& object) : object_(object) {}

  template <typename T>
  T required(const char* name) {
    auto it = object_.find(name);
    if (it == object_.end()) {
      fail(fmt::format("missing \"{}\"", name));
      return T{};
    }
    return convert<T>(*it, name);
  }
  template <typename T>
  T optional(const char* name, T fallback) {
    auto it = object_.find(name);
    if (it == object_.end() || it->is_null()) return fallback;
    return convert<T>(*it, name);
  }
  const Status& status() const { return status_; }
  void fail(std::string message) {
    if (status_.ok()) status_ = Status::invalid_argument(std::move(message));
  }

 private:
  template <typename T>
  T convert(const Json& value, const char* name) {
    bool ok = false;
    if constexpr (std::is_same_v<T, std::string>) ok = value.is_string();
    else if constexpr (std::is_same_v<T, bool>) ok = value.is_boolean();
    else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      ok = value.is_array() && std::all_of(value.begin(), value.end(), [](const Json& e) { return e.is_string(); });
    } else if constexpr (std::is_integral_v<T>) {
      ok = value.is_number_integer() && value.template get<int64_t>() >= int64_t{std::numeric_limits<T>::min()} &&
           (value.is_number_unsigned() ? value.template get<uint64_t>() <= uint64_t{std::numeric_limits<T>::max()}
                                       : value.template get<int64_t>() <= int64_t(std::numeric_limits<T>::max()));
    }
    if (!ok) {
      fail(fmt::format("\"{}\" has the wrong type", name));
      return T{};
    }
    return value.template get<T>();
  }

  const Json& object_;
  Status status_;
};

Json to_json(const Mo& m) {
  Json j = {{"id", m.id},     {"smsc", m.smsc},   {"from", m.from},   {"to", m.to},
            {"text", m.text}, {"data_coding", m.data_coding}, {"received_at_ms", m.received_at_ms},
            {"user_data", hex_encode(m.user_data)}, {"parts", m.parts}, {"incomplete", m.incomplete}};
  if (!m.idempotency_key.empty()) j["idempotency_key"] = m.idempotency_key;
  return j;
}
Json to_json(const Mt& m) {
  Json j = {{"id", m.id}, {"from", m.from}, {"to", m.to}, {"text", m.text}, {"receipt", m.receipt}};
  if (!m.smsc.empty()) j["smsc"] = m.smsc;
  return j;
}
Json to_json(const MtAck& m) {
  Json j = {{"id", m.id}, {"stored", m.stored}};
  if (!m.stored) j["error"] = m.error;
  return j;
}
Json to_json(const MtResult& m) {
  Json j = {{"id", m.id}, {"mt_id", m.mt_id}, {"result", m.submitted ? "submitted" : "failed"}};
  if (m.submitted) {
    j["message_ids"] = m.message_ids;
  } else {
    j["command_status"] = m.command_status;
    j["reason"] = m.reason;
  }
  return j;
}
Json to_json(const Receipt& m) {
  Json j = {{"id", m.id},           {"smsc", m.smsc},   {"message_id", m.message_id},
            {"state", m.state},     {"error", m.error}, {"received_at_ms", m.received_at_ms}};
  if (m.mt_id) {
    j["mt_id"] = *m.mt_id;
    j["part"] = m.part;
  }
  return j;
}
Json to_json(const MoAck& m) { return {{"id", m.id}}; }
Json to_json(const MtResultAck& m) { return {{"id", m.id}}; }
Json to_json(const ReceiptAck& m) { return {{"id", m.id}}; }
Json to_json(const Heartbeat&) { return Json::object(); }
Json to_json(const MoRepeat& m) {
  return {{"smsc", m.smsc}, {"from", m.from}, {"to", m.to}, {"idempotency_key", m.idempotency_key},
          {"received_at_ms", m.received_at_ms}};
}

void read(Reader& r, Mo& m) {
  m.id = r.required<std::string>("id");
  m.smsc = r.required<std::string>("smsc");
  m.from = r.required<std::string>("from");
  m.to = r.required<std::string>("to");
  m.text = r.required<std::string>("text");
  m.data_coding = r.optional<int>("data_coding", 0);
  m.received_at_ms = r.optional<int64_t>("received_at_ms", 0);
  m.idempotency_key = r.optional<std::string>("idempotency_key", "");
  m.parts = r.optional<int>("parts", 1);
  m.incomplete = r.optional<bool>("incomplete", false);
  const auto user_data = r.optional<std::string>("user_data", "");
  if (!r.status().ok()) return;
  auto octets = hex_decode(user_data);
  if (!octets.ok()) return r.fail("\"user_data\" is not hex");
  m.user_data.assign(octets->begin(), octets->end());
}
void read(Reader& r, Mt& m) {
  m.id = r.required<std::string>("id");
  m.smsc = r.optional<std::string>("smsc", "");
  m.from = r.required<std::string>("from");
  m.to = r.required<std::string>("to");
  m.text = r.required<std::string>("text");
  m.receipt = r.optional<bool>("receipt", true);
}
void read(Reader& r, MtAck& m) {
  m.id = r.required<std::string>("id");
  m.stored = r.required<bool>("stored");
  m.error = r.optional<std::string>("error", "");
}
void read(Reader& r, MtResult& m) {
  m.id = r.required<std::string>("id");
  m.mt_id = r.required<std::string>("mt_id");
  const auto result = r.required<std::string>("result");
  m.submitted = result == "submitted";
  if (!r.status().ok()) return;
  if (m.submitted) {
    m.message_ids = r.required<std::vector<std::string>>("message_ids");
  } else {
    m.command_status = r.optional<uint32_t>("command_status", 0);
    m.reason = r.optional<std::string>("reason", "");
  }
}
void read(Reader& r, Receipt& m) {
  m.id = r.required<std::string>("id");
  auto mt_id = r.optional<std::string>("mt_id", "");
  if (!mt_id.empty()) m.mt_id = std::move(mt_id);
  m.part = r.optional<int>("part", 0);
  m.smsc = r.required<std::string>("smsc");
  m.message_id = r.required<std::string>("message_id");
  m.state = r.required<std::string>("state");
  m.error = r.optional<std::string>("error", "");
  m.received_at_ms = r.optional<int64_t>("received_at_ms", 0);
}
void read(Reader& r, MoAck& m) { m.id = r.required<std::string>("id"); }
void read(Reader& r, MtResultAck& m) { m.id = r.required<std::string>("id"); }
void read(Reader& r, ReceiptAck& m) { m.id = r.required<std::string>("id"); }
void read(Reader&, Heartbeat&) {}
void read(Reader& r, MoRepeat& m) {
  m.smsc = r.required<std::string>("smsc");
  m.from = r.required<std::string>("from");
  m.to = r.required<std::string>("to");
  m.idempotency_key = r.required<std::string>("idempotency_key");
  m.received_at_ms = r.optional<int64_t>("received_at_ms", 0);
}

// Builds the alternative with index I when its type name matches.
template <size_t I = 0>
Result<Message> read_as(std::string_view type, Reader& reader) {
  if constexpr (I == std::variant_size_v<Message>) {
    return Status::invalid_argument(fmt::format("unknown type \"{}\"", type));
  } else {
    if (type != kTypeNames[I]) return read_as<I + 1>(type, reader);
    std::variant_alternative_t<I, Message> message;
    read(reader, message);
    if (!reader.status().ok()) return reader.status().with_context(kTypeNames[I]);
    return Message(std::move(message));
  }
}

// Where `text` breaks the rule `allowed`, for an error message; npos when it does not.
template <typename Allowed>
size_t first_disallowed(std::string_view text, Allowed allowed) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (!allowed(static_cast<unsigned char>(text[i]))) return i;
  }
  return std::string_view::npos;
}

bool printable(unsigned char c) { return c >= 0x20 && c <= 0x7E; }
bool printable_no_space(unsigned char c) { return c > 0x20 && c <= 0x7E; }
// UTF-8 text an SMS can carry: octets >= 0x80 belong to multi-byte characters (the JSON
// parser has already checked the UTF-8), and of the C0 controls only those GSM 03.38 has.
bool sms_text(unsigned char c) { return c >= 0x20 || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

template <typename Allowed>
Status check_field(std::string_view name, std::string_view value, size_t min, size_t max, Allowed allowed,
                   std::string_view what) {
  if (value.size() < min || value.size() > max) {
    return Status::invalid_argument(
        min == 0 ? fmt::format("mt: \"{}\" is {} octets long, at most {} allowed", name, value.size(), max)
                 : fmt::format("mt: \"{}\" is {} octets long, {}..{} allowed", name, value.size(), min, max));
  }
  if (const size_t at = first_disallowed(value, allowed); at != std::string_view::npos) {
    return Status::invalid_argument(fmt::format("mt: \"{}\" holds octet 0x{:02X} at offset {}; {} allowed", name,
                                                static_cast<unsigned char>(value[at]), at, what));
  }
  return Status();
}

}  // namespace

Status validate(const Mt& mt) {
  PINTAR_RETURN_IF_ERROR(check_field("id", mt.id, 1, kMaxMtIdOctets, printable_no_space, "printable ASCII without space"));
  PINTAR_RETURN_IF_ERROR(check_field("from", mt.from, 0, kMaxAddressCharacters, printable, "printable ASCII"));
  PINTAR_RETURN_IF_ERROR(check_field("to", mt.to, 1, kMaxAddressCharacters, printable, "printable ASCII"));
  PINTAR_RETURN_IF_ERROR(
      check_field("smsc", mt.smsc, 0, kMaxSmscNameOctets, printable_no_space, "printable ASCII without space"));
  return check_field("text", mt.text, 1, kMaxMtTextOctets, sms_text, "UTF-8 without NUL or control characters");
}

std::string_view type_name(const Message& message) { return kTypeNames[message.index()]; }

std::string encode(const Message& message) {
  Json j = std::visit([](const auto& m) { return to_json(m); }, message);
  j["v"] = kProtocolVersion;
  j["type"] = type_name(message);
  // Text from the network may hold invalid UTF-8 in theory; never throw over it.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Message> decode(std::string_view frame) {
  const Json j = Json::parse(frame.begin(), frame.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::invalid_argument("not JSON");
  if (!j.is_object()) return Status::invalid_argument("not a JSON object");
  Reader reader(j);
  const int version = reader.required<int>("v");
  const auto type = reader.required<std::string>("type");
  if (!reader.status().ok()) return reader.status();
  if (version != kProtocolVersion) {
    return Status::invalid_argument(fmt::format("protocol version {} (this side speaks {})", version, kProtocolVersion));
  }
  return read_as(type, reader);
}

}  // namespace pintar::bridge
