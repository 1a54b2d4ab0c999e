#include "smpp/receipt.h"

#include <array>
#include <cctype>
#include <span>
#include <strings.h>

#include "common/hex.h"

namespace pintar::smpp {

namespace {

constexpr uint8_t kMessageTypeMask = 0x3C;
constexpr uint8_t kSmscDeliveryReceipt = 0x04;
constexpr uint8_t kIntermediateNotification = 0x20;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

struct Field {
  std::string_view key;  // lower case, without the colon
  std::string ReceiptText::*member;
};

constexpr std::array<Field, 8> kFields = {{
    {"id", &ReceiptText::id},
    {"sub", &ReceiptText::sub},
    {"dlvrd", &ReceiptText::dlvrd},
    {"submit date", &ReceiptText::submit_date},
    {"done date", &ReceiptText::done_date},
    {"stat", &ReceiptText::stat},
    {"err", &ReceiptText::err},
    {"text", &ReceiptText::text},
}};

// Position of `key:` starting at a word boundary, case-insensitive, from `from`.
size_t find_key(std::string_view text, std::string_view key, size_t from) {
  for (size_t pos = from; pos + key.size() < text.size(); ++pos) {
    if ((pos == 0 || std::isspace(static_cast<unsigned char>(text[pos - 1]))) &&
        iequals(text.substr(pos, key.size()), key) && text[pos + key.size()] == ':') {
      return pos;
    }
  }
  return std::string_view::npos;
}

std::string trimmed(std::string_view v) {
  constexpr std::string_view kSpace(" \t\r\n\0", 5);
  const size_t first = v.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return std::string(v.substr(first, v.find_last_not_of(kSpace) - first + 1));
}

}  // namespace

bool is_receipt(const DeliverSm& deliver) {
  const uint8_t type = deliver.esm_class & kMessageTypeMask;
  return type == kSmscDeliveryReceipt || type == kIntermediateNotification;
}

std::optional<ReceiptText> parse_receipt_text(std::string_view text) {
  // Locate every key; a field's value runs to the next key found after it.
  struct Found {
    size_t pos;
    const Field* field;
  };
  std::array<Found, kFields.size()> found{};
  size_t count = 0;
  const size_t text_pos = find_key(text, "text", 0);
  const std::string_view head = text.substr(0, text_pos == std::string_view::npos ? text.size() : text_pos);
  for (const Field& field : kFields) {
    const size_t pos = field.key == "text" ? text_pos : find_key(head, field.key, 0);
    if (pos == std::string_view::npos) continue;
    // Insert in position order. (Not std::sort: on an array of eight, GCC 12 at -O2 sees
    // its 16-element insertion-sort prologue and warns a false -Warray-bounds.)
    size_t slot = count++;
    for (; slot > 0 && found[slot - 1].pos > pos; --slot) found[slot] = found[slot - 1];
    found[slot] = {pos, &field};
  }
  ReceiptText out;
  bool has_id = false, has_stat = false;
  for (size_t i = 0; i < count; ++i) {
    const size_t begin = found[i].pos + found[i].field->key.size() + 1;
    const size_t end = i + 1 < count ? found[i + 1].pos : text.size();
    out.*(found[i].field->member) = trimmed(text.substr(begin, end - begin));
    has_id |= found[i].field->key == "id";
    has_stat |= found[i].field->key == "stat";
  }
  if (!has_id && !has_stat) return std::nullopt;
  return out;
}

MessageState state_from_stat(std::string_view stat) {
  struct Stat {
    std::string_view text;
    MessageState state;
  };
  constexpr std::array<Stat, 9> kStats = {{
      {"DELIVRD", MessageState::kDelivered}, {"EXPIRED", MessageState::kExpired},
      {"DELETED", MessageState::kDeleted},   {"UNDELIV", MessageState::kUndeliverable},
      {"ACCEPTD", MessageState::kAccepted},  {"UNKNOWN", MessageState::kUnknown},
      {"REJECTD", MessageState::kRejected},  {"ENROUTE", MessageState::kEnroute},
      {"DELIVERED", MessageState::kDelivered},
  }};
  for (const Stat& s : kStats) {
    if (iequals(stat, s.text)) return s.state;
  }
  return MessageState::kUnknownState;
}

std::optional<DeliveryReceipt> parse_receipt(const DeliverSm& deliver, IdBase id_base) {
  DeliveryReceipt receipt;
  receipt.source_addr = deliver.source_addr;
  receipt.destination_addr = deliver.destination_addr;
  const Tlv* payload = deliver.find(tag::kMessagePayload);
  const std::string& body = payload != nullptr ? payload->value : deliver.short_message;
  const std::optional<ReceiptText> text = parse_receipt_text(body);
  if (const Tlv* id = deliver.find(tag::kReceiptedMessageId)) {
    receipt.message_id_raw = trimmed(id->value);
  } else if (text && !text->id.empty()) {
    receipt.message_id_raw = text->id;
  }
  if (receipt.message_id_raw.empty()) return std::nullopt;
  if (const Tlv* state = deliver.find(tag::kMessageState); state != nullptr && !state->value.empty()) {
    const auto value = static_cast<uint8_t>(state->value[0]);
    receipt.state = value >= 1 && value <= 8 ? static_cast<MessageState>(value) : MessageState::kUnknownState;
  }
  if (receipt.state == MessageState::kUnknownState && text) receipt.state = state_from_stat(text->stat);
  if (const Tlv* error = deliver.find(tag::kNetworkErrorCode)) {
    receipt.error = hex_encode(error->value);
  } else if (text) {
    receipt.error = text->err;
  }
  if (text) {
    receipt.submit_date = text->submit_date;
    receipt.done_date = text->done_date;
  }
  receipt.is_final = is_final(receipt.state);
  receipt.message_id = normalise_message_id(receipt.message_id_raw, id_base);
  return receipt;
}

}  // namespace pintar::smpp
