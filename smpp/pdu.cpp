#include "smpp/pdu.h"

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>

namespace pintar::smpp {

namespace {

uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

struct CommandName {
  uint32_t command_id;
  const char* name;
};

constexpr auto kCommandNames = std::to_array<CommandName>({
    {command::kBindReceiver, "bind_receiver"},
    {command::kBindTransmitter, "bind_transmitter"},
    {command::kQuerySm, "query_sm"},
    {command::kSubmitSm, "submit_sm"},
    {command::kDeliverSm, "deliver_sm"},
    {command::kUnbind, "unbind"},
    {command::kReplaceSm, "replace_sm"},
    {command::kCancelSm, "cancel_sm"},
    {command::kBindTransceiver, "bind_transceiver"},
    {command::kOutbind, "outbind"},
    {command::kEnquireLink, "enquire_link"},
    {command::kSubmitMulti, "submit_multi"},
    {command::kAlertNotification, "alert_notification"},
    {command::kDataSm, "data_sm"},
});

const char* base_name(uint32_t command_id) {
  const uint32_t base = command_id & ~command::kResponseBit;
  for (const auto& entry : kCommandNames) {
    if (entry.command_id == base) return entry.name;
  }
  return nullptr;
}

}  // namespace

Header read_header(std::span<const uint8_t> bytes) {
  const uint8_t* p = bytes.data();
  return Header{be32(p), be32(p + 4), be32(p + 8), be32(p + 12)};
}

bool is_response(uint32_t command_id) { return (command_id & command::kResponseBit) != 0; }

bool is_known_command(uint32_t command_id) {
  if (command_id == command::kGenericNack) return true;
  if (base_name(command_id) == nullptr) return false;
  // outbind and alert_notification have no response PDU (§4.1.7, §4.12).
  const uint32_t base = command_id & ~command::kResponseBit;
  return !is_response(command_id) || (base != command::kOutbind && base != command::kAlertNotification);
}

std::string command_name(uint32_t command_id) {
  if (command_id == command::kGenericNack) return "generic_nack";
  const char* name = base_name(command_id);
  if (name == nullptr) return fmt::format("0x{:08X}", command_id);
  return is_response(command_id) ? std::string(name) + "_resp" : std::string(name);
}

bool Reader::u8(uint8_t& out) {
  if (!ok_ || remaining() < 1) return ok_ = false;
  out = bytes_[offset_++];
  return true;
}

bool Reader::u16(uint16_t& out) {
  if (!ok_ || remaining() < 2) return ok_ = false;
  out = static_cast<uint16_t>(bytes_[offset_] << 8 | bytes_[offset_ + 1]);
  offset_ += 2;
  return true;
}

bool Reader::u32(uint32_t& out) {
  if (!ok_ || remaining() < 4) return ok_ = false;
  out = be32(bytes_.data() + offset_);
  offset_ += 4;
  return true;
}

bool Reader::c_string(size_t max_size, std::string_view& out) {
  if (!ok_) return false;
  const size_t window = std::min(max_size, remaining());
  const uint8_t* begin = bytes_.data() + offset_;
  const uint8_t* nul = std::find(begin, begin + window, uint8_t{0});
  if (nul == begin + window) return ok_ = false;
  out = std::string_view(reinterpret_cast<const char*>(begin), static_cast<size_t>(nul - begin));
  offset_ += out.size() + 1;
  return true;
}

bool Reader::octets(size_t n, std::span<const uint8_t>& out) {
  if (!ok_ || remaining() < n) return ok_ = false;
  out = bytes_.subspan(offset_, n);
  offset_ += n;
  return true;
}

Writer::Writer(std::string& out, uint32_t command_id, uint32_t command_status, uint32_t sequence_number)
    : out_(out), start_(out.size()) {
  u32(0).u32(command_id).u32(command_status).u32(sequence_number);
}

Writer& Writer::u8(uint8_t v) {
  out_.push_back(static_cast<char>(v));
  return *this;
}

Writer& Writer::u16(uint16_t v) { return u8(static_cast<uint8_t>(v >> 8)).u8(static_cast<uint8_t>(v)); }

Writer& Writer::u32(uint32_t v) { return u16(static_cast<uint16_t>(v >> 16)).u16(static_cast<uint16_t>(v)); }

Writer& Writer::c_string(std::string_view v) {
  out_.append(v);
  return u8(0);
}

Writer& Writer::octets(std::string_view v) {
  out_.append(v);
  return *this;
}

Writer& Writer::tlv(uint16_t tag, std::string_view value) {
  return u16(tag).u16(static_cast<uint16_t>(value.size())).octets(value);
}

size_t Writer::end() {
  const auto length = static_cast<uint32_t>(out_.size() - start_);
  const std::array<char, 4> be = {static_cast<char>(length >> 24), static_cast<char>(length >> 16),
                                  static_cast<char>(length >> 8), static_cast<char>(length)};
  std::memcpy(out_.data() + start_, be.data(), be.size());
  return length;
}

void write_bind(std::string& out, uint32_t sequence_number, const BindRequest& bind) {
  Writer(out, bind.command_id, status::kOk, sequence_number)
      .c_string(bind.system_id)
      .c_string(bind.password)
      .c_string(bind.system_type)
      .u8(kInterfaceVersion)
      .u8(bind.addr_ton)
      .u8(bind.addr_npi)
      .c_string(bind.address_range)
      .end();
}

void write_submit_sm(std::string& out, uint32_t sequence_number, const SubmitSm& s) {
  Writer(out, command::kSubmitSm, status::kOk, sequence_number)
      .c_string(s.service_type)
      .u8(s.source_addr_ton)
      .u8(s.source_addr_npi)
      .c_string(s.source_addr)
      .u8(s.dest_addr_ton)
      .u8(s.dest_addr_npi)
      .c_string(s.destination_addr)
      .u8(s.esm_class)
      .u8(0)             // protocol_id
      .u8(0)             // priority_flag
      .c_string({})      // schedule_delivery_time: immediate
      .c_string({})      // validity_period: SMSC default
      .u8(s.registered_delivery)
      .u8(0)             // replace_if_present_flag
      .u8(s.data_coding)
      .u8(0)             // sm_default_msg_id
      .u8(static_cast<uint8_t>(s.short_message.size()))
      .octets(s.short_message)
      .end();
}

void write_header_only(std::string& out, uint32_t command_id, uint32_t command_status, uint32_t sequence_number) {
  Writer(out, command_id, command_status, sequence_number).end();
}

void write_deliver_resp(std::string& out, uint32_t command_id, uint32_t command_status, uint32_t sequence_number) {
  Writer(out, command_id, command_status, sequence_number).c_string({}).end();
}

std::optional<std::string_view> read_submit_resp(const Header& header, std::span<const uint8_t> body) {
  if (header.command_status != status::kOk) return std::string_view();
  Reader reader(body);
  std::string_view message_id;
  if (!reader.c_string(65, message_id)) return std::nullopt;
  // data_sm_resp may carry TLVs after the id (§4.7.2); submit_sm_resp has none.
  return message_id;
}

std::optional<std::string_view> read_bind_resp(const Header& header, std::span<const uint8_t> body) {
  if (header.command_status != status::kOk) return std::string_view();
  Reader reader(body);
  std::string_view system_id;
  if (!reader.c_string(16, system_id)) return std::nullopt;
  return system_id;
}

}  // namespace pintar::smpp
