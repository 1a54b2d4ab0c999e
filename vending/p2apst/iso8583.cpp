#include "vending/p2apst/iso8583.h"

#include <algorithm>
#include <array>
#include <bitset>

#include <fmt/format.h>

namespace pintar::p2apst {
namespace {

using enum Charset;
using enum LengthType;

// The PLN 2xxx dialect as public client code agrees on it (docs/p2apst.md, "Data
// elements"). Bits 56 and 61 are not sent by us but appear in peers' messages.
constexpr FieldSpec kFieldSpecs[] = {
    {2, "product code (primary account number)", kN, kLlvar, 19},
    {4, "amount, transaction", kN, kFixed, 16},
    {11, "systems trace audit number", kN, kFixed, 12},
    {12, "date and time, local transaction", kN, kFixed, 14},
    {15, "date, settlement", kN, kFixed, 8},
    {26, "merchant category code", kN, kFixed, 4},
    {32, "bank code (acquiring institution id)", kN, kLlvar, 7},
    {33, "partner central id (forwarding institution id)", kN, kLlvar, 7},
    {39, "response code", kAn, kFixed, 4},
    {40, "network management code", kN, kFixed, 3},
    {41, "terminal id", kAns, kFixed, 16},
    {48, "additional private data", kAns, kLllvar, 999},
    {56, "original data elements", kN, kLlvar, 37},
    {61, "additional data 2", kAns, kLllvar, 999},
    {62, "additional data 3", kAns, kLllvar, 999},
    {63, "info text", kAns, kLllvar, 999},
};

constexpr int kMaxBit = 128;
constexpr size_t kMtiLength = 4;
constexpr size_t kBitmapHexLength = 16;

constexpr auto kSpecByBit = [] {
  std::array<const FieldSpec*, kMaxBit + 1> table{};
  for (const FieldSpec& spec : kFieldSpecs) table[spec.bit] = &spec;
  return table;
}();

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(std::string_view text) { return std::all_of(text.begin(), text.end(), is_digit); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Bitmap bits 1..64 of one 16-hex-character block, bit 1 = most significant.
Result<std::bitset<64>> parse_bitmap_block(std::string_view hex) {
  std::bitset<64> bits;
  for (size_t i = 0; i < hex.size(); ++i) {
    const int nibble = hex_value(hex[i]);
    if (nibble < 0) return Status::invalid_argument(fmt::format("bitmap: '{}' is not a hex digit", hex[i]));
    for (int b = 0; b < 4; ++b) bits[i * 4 + b] = (nibble >> (3 - b)) & 1;
  }
  return bits;
}

size_t prefix_digits(LengthType type) { return type == kLlvar ? 2 : type == kLllvar ? 3 : 0; }

Status check_value(const FieldSpec& spec, std::string_view value) {
  if (spec.length_type == kFixed && value.size() != static_cast<size_t>(spec.max_length)) {
    return Status::invalid_argument(
        fmt::format("bit {}: {} characters, fixed length is {}", spec.bit, value.size(), spec.max_length));
  }
  if (value.size() > static_cast<size_t>(spec.max_length)) {
    return Status::invalid_argument(
        fmt::format("bit {}: {} characters, at most {} allowed", spec.bit, value.size(), spec.max_length));
  }
  if (!in_charset(value, spec.charset)) {
    return Status::invalid_argument(fmt::format("bit {}: character outside its class ({})", spec.bit, spec.name));
  }
  return Status();
}

}  // namespace

const FieldSpec* field_spec(int bit_number) {
  return bit_number >= 0 && bit_number <= kMaxBit ? kSpecByBit[bit_number] : nullptr;
}

bool in_charset(std::string_view text, Charset charset) {
  switch (charset) {
    case kN:
      return all_digits(text);
    case kAn:
      return std::all_of(text.begin(), text.end(), [](char c) {
        return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == ' ';
      });
    case kAns:
      return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
  }
  return false;
}

std::string_view Message::get(int bit_number) const {
  auto it = fields.find(bit_number);
  return it == fields.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string> Message::response_mti(std::string_view request_mti) {
  // ISO 8583:2003 message function (third digit): 0 request/2 advice -> +1 response.
  if (request_mti.size() != kMtiLength || !all_digits(request_mti) || (request_mti[2] - '0') % 2 != 0) {
    return std::nullopt;
  }
  std::string response(request_mti);
  response[2] = static_cast<char>(response[2] + 1);
  return response;
}

Result<Message> decode(std::string_view bytes) {
  Message message;
  if (bytes.size() < kMtiLength + kBitmapHexLength) {
    return Status::invalid_argument(fmt::format("message of {} bytes is shorter than MTI and bitmap", bytes.size()));
  }
  message.mti = std::string(bytes.substr(0, kMtiLength));
  if (!all_digits(message.mti)) return Status::invalid_argument("MTI is not 4 digits");
  size_t pos = kMtiLength;

  auto primary = parse_bitmap_block(bytes.substr(pos, kBitmapHexLength));
  if (!primary.ok()) return primary.status();
  pos += kBitmapHexLength;
  std::bitset<kMaxBit> present;
  for (int i = 0; i < 64; ++i) present[i] = (*primary)[i];
  if (present[0]) {  // bit 1: a secondary bitmap follows
    if (bytes.size() < pos + kBitmapHexLength) return Status::invalid_argument("secondary bitmap truncated");
    auto secondary = parse_bitmap_block(bytes.substr(pos, kBitmapHexLength));
    if (!secondary.ok()) return secondary.status();
    pos += kBitmapHexLength;
    for (int i = 0; i < 64; ++i) present[64 + i] = (*secondary)[i];
  }

  for (int bit_number = 2; bit_number <= kMaxBit; ++bit_number) {
    if (!present[bit_number - 1]) continue;
    const FieldSpec* spec = field_spec(bit_number);
    if (spec == nullptr) return Status::invalid_argument(fmt::format("bit {}: not defined in the PLN 2xxx dialect", bit_number));
    size_t length = static_cast<size_t>(spec->max_length);
    if (const size_t digits = prefix_digits(spec->length_type); digits > 0) {
      const std::string_view prefix = bytes.substr(std::min(pos, bytes.size()), digits);
      if (prefix.size() != digits || !all_digits(prefix)) {
        return Status::invalid_argument(fmt::format("bit {}: missing or non-numeric length prefix", bit_number));
      }
      length = 0;
      for (char c : prefix) length = length * 10 + static_cast<size_t>(c - '0');
      if (length > static_cast<size_t>(spec->max_length)) {
        return Status::invalid_argument(
            fmt::format("bit {}: length {} exceeds the maximum {}", bit_number, length, spec->max_length));
      }
      pos += digits;
    }
    if (bytes.size() - pos < length) {
      return Status::invalid_argument(fmt::format("bit {}: needs {} characters, {} left", bit_number, length, bytes.size() - pos));
    }
    std::string_view value = bytes.substr(pos, length);
    PINTAR_RETURN_IF_ERROR(check_value(*spec, value));
    message.fields.emplace(bit_number, value);
    pos += length;
  }
  if (pos != bytes.size()) {
    return Status::invalid_argument(fmt::format("{} bytes after the last data element", bytes.size() - pos));
  }
  return message;
}

Result<std::string> encode(const Message& message) {
  if (message.mti.size() != kMtiLength || !all_digits(message.mti)) {
    return Status::invalid_argument(fmt::format("MTI '{}' is not 4 digits", message.mti));
  }
  std::bitset<kMaxBit> present;
  std::string body;
  for (const auto& [bit_number, value] : message.fields) {
    const FieldSpec* spec = field_spec(bit_number);
    if (spec == nullptr || bit_number < 2) {
      return Status::invalid_argument(fmt::format("bit {}: not defined in the PLN 2xxx dialect", bit_number));
    }
    PINTAR_RETURN_IF_ERROR(check_value(*spec, value));
    present[bit_number - 1] = true;
    if (const size_t digits = prefix_digits(spec->length_type); digits > 0) {
      body += fmt::format("{:0{}}", value.size(), digits);
    }
    body += value;
  }
  const bool secondary = (present >> 64).any();
  present[0] = secondary;
  std::string out = message.mti;
  for (int block = 0; block < (secondary ? 2 : 1); ++block) {
    for (int nibble = 0; nibble < 16; ++nibble) {
      int v = 0;
      for (int b = 0; b < 4; ++b) v = (v << 1) | static_cast<int>(present[block * 64 + nibble * 4 + b]);
      out += "0123456789ABCDEF"[v];
    }
  }
  return out + body;
}

}  // namespace pintar::p2apst
