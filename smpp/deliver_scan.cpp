#include "smpp/deliver.h"

#include <algorithm>

#include <fmt/format.h>

namespace pintar::smpp {

namespace {

void fail(DeliverScan& scan, uint32_t status, std::string why) {
  scan.error_status = status;
  scan.error = std::move(why);
}

}  // namespace

void scan_deliver(std::span<const uint8_t> pdu, DeliverScan& scan) {
  scan.error_status = 0;
  scan.error.clear();
  scan.tlvs.clear();
  if (pdu.size() < kHeaderLength) return fail(scan, status::kInvalidCommandLength, "shorter than a header");
  const Header header = read_header(pdu);
  if (header.command_status != status::kOk) {
    return fail(scan, status::kInvalidMessageLength, fmt::format("request with command_status 0x{:08X}", header.command_status));
  }
  const bool is_deliver = header.command_id == command::kDeliverSm;
  const size_t address_size = is_deliver ? 21 : 65;  // §4.6.1 vs §4.7.1
  Reader r(pdu.subspan(kHeaderLength));
  std::string_view text;
  uint8_t octet = 0;
  r.c_string(6, text);  // service_type
  r.u8(scan.source_addr_ton);
  r.u8(scan.source_addr_npi);
  r.c_string(address_size, text);
  r.u8(scan.dest_addr_ton);
  r.u8(scan.dest_addr_npi);
  r.c_string(address_size, text);
  r.u8(octet);  // esm_class
  if (is_deliver) {
    r.u8(octet);  // protocol_id
    r.u8(octet);  // priority_flag
    r.c_string(17, text);  // schedule_delivery_time
    r.c_string(17, text);  // validity_period
  }
  r.u8(octet);  // registered_delivery
  if (is_deliver) r.u8(octet);  // replace_if_present_flag
  r.u8(octet);  // data_coding
  if (is_deliver) {
    uint8_t sm_length = 0;
    std::span<const uint8_t> short_message;
    r.u8(octet);  // sm_default_msg_id
    r.u8(sm_length);
    r.octets(sm_length, short_message);
  }
  if (!r.ok()) return fail(scan, status::kInvalidMessageLength, "mandatory fields overrun the PDU");
  while (r.remaining() > 0) {
    uint16_t tag = 0, length = 0;
    std::span<const uint8_t> value;
    if (!r.u16(tag) || !r.u16(length)) return fail(scan, status::kInvalidTlvStream, "truncated TLV header");
    if (!r.octets(length, value)) {
      return fail(scan, status::kInvalidTlvLength, fmt::format("TLV 0x{:04X} length {} overruns the PDU", tag, length));
    }
    scan.tlvs.push_back({tag, value});
  }
}

}  // namespace pintar::smpp
