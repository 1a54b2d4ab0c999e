#include "smpp/receive.h"

#include <fmt/format.h>

namespace pintar::smpp {

size_t Receiver::wanted(std::span<const uint8_t> bytes) const {
  if (bytes.size() < kHeaderLength) return kHeaderLength;
  const uint32_t length = read_header(bytes).command_length;
  return length < kHeaderLength || length > max_command_length_ ? kHeaderLength : length;
}

size_t Receiver::consume(std::span<const uint8_t> bytes, std::string& replies, ReceiveHandler& handler) {
  size_t used = 0;
  while (!broken_ && bytes.size() - used >= kHeaderLength) {
    const auto rest = bytes.subspan(used);
    const Header header = read_header(rest);
    if (header.command_length < kHeaderLength || header.command_length > max_command_length_) {
      broken_ = true;
      write_header_only(replies, command::kGenericNack, status::kInvalidCommandLength, header.sequence_number);
      handler.on_malformed(header, status::kInvalidCommandLength,
                           fmt::format("command_length {} outside 16..{}", header.command_length, max_command_length_));
      return bytes.size();
    }
    if (rest.size() < header.command_length) break;
    dispatch(rest.first(header.command_length), replies, handler);
    used += header.command_length;
  }
  return used;
}

void Receiver::dispatch(std::span<const uint8_t> pdu, std::string& replies, ReceiveHandler& handler) {
  const Header header = read_header(pdu);
  const auto body = pdu.subspan(kHeaderLength);
  auto refuse = [&](uint32_t command_status, std::string_view reason) {
    if (!is_response(header.command_id)) {
      if (header.command_id == command::kDeliverSm || header.command_id == command::kDataSm) {
        write_deliver_resp(replies, header.command_id | command::kResponseBit, command_status, header.sequence_number);
      } else {
        write_header_only(replies, command::kGenericNack, command_status, header.sequence_number);
      }
    }
    handler.on_malformed(header, command_status, reason);
  };
  if (!is_known_command(header.command_id)) return refuse(status::kInvalidCommandId, "unknown command_id");
  switch (header.command_id) {
    case command::kBindTransceiver | command::kResponseBit:
    case command::kBindTransmitter | command::kResponseBit:
    case command::kBindReceiver | command::kResponseBit:
      if (auto system_id = read_bind_resp(header, body)) return handler.on_bind_resp(header, *system_id);
      return refuse(status::kInvalidMessageLength, "bind_resp: system_id is not a C-string of <= 16 octets");
    case command::kSubmitSm | command::kResponseBit:
    case command::kDataSm | command::kResponseBit:
      if (auto message_id = read_submit_resp(header, body)) return handler.on_submit_resp(header, *message_id);
      return refuse(status::kInvalidMessageLength, "submit_sm_resp: message_id is not a C-string of <= 65 octets");
    case command::kGenericNack:
    case command::kEnquireLink | command::kResponseBit:
    case command::kUnbind | command::kResponseBit:
      return handler.on_response(header);
    case command::kEnquireLink:
      return handler.on_enquire_link(header);
    case command::kUnbind:
      return handler.on_unbind(header);
    case command::kDeliverSm:
    case command::kDataSm:
      scan_deliver(pdu, scan_);
      if (scan_.error_status != 0) return refuse(scan_.error_status, scan_.error);
      if (!decode_deliver(pdu, scan_, deliver_, error_)) return refuse(status::kTemporaryAppError, error_);
      return handler.on_deliver(deliver_);
    case command::kAlertNotification:
      return;  // no response exists (§4.12); the ESME does not track subscriber availability
    default:
      // Known, but not something an SMSC sends an ESME (submit_sm, bind, outbind, ...), or a
      // response to a request this ESME never sends (query_sm_resp, ...).
      if (is_response(header.command_id)) return handler.on_response(header);
      return refuse(status::kInvalidCommandId, fmt::format("{} is not accepted by an ESME", command_name(header.command_id)));
  }
}

}  // namespace pintar::smpp
