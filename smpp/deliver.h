// deliver_sm / data_sm (§4.6.1, §4.7.1): the only PDUs whose bodies go through libsmpp34.
//
// scan_deliver() walks the body with pintar's own bounds-checked reader first (the
// "pre-scan"): every mandatory field within its size, every TLV header within the PDU. Only
// then does decode_deliver() hand libsmpp34 a sanitised copy that avoids each of its known
// defects (Debian 12, 1.14.1; docs/smpp.md has the list):
//  - TON > 6 or an NPI outside its list fails unpack: the copy carries 0 (unknown) and the
//    real values are restored afterwards;
//  - a schedule_delivery_time/validity_period in deliver_sm fails unpack (its fields are one
//    octet): the copy carries them empty (they are meaningless in deliver_sm, §4.6.1);
//  - ~30 TLVs overrun its 2048-octet global trace buffer, TLVs over 1024 octets fail, typed
//    TLVs of the wrong length mis-parse: the copy carries only the TLVs the ESME uses, each
//    once, with its spec length (at most 11), and a message_payload over 1024 octets is taken
//    from the pre-scan instead. Other TLVs are ignored, as §3.2.7 asks, and counted;
//  - a command_status other than 0 (vendor codes) fails unpack: requests carry 0, so such
//    a PDU is refused before libsmpp34 sees it.
// libsmpp34 returns TLVs in reverse wire order; decode_deliver() restores wire order.
// Thread-safe: every libsmpp34 call is made under one process-wide lock.
#ifndef PINTAR_SMPP_DELIVER_H_
#define PINTAR_SMPP_DELIVER_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "smpp/pdu.h"

namespace pintar::smpp {

struct TlvView {
  uint16_t tag;
  std::span<const uint8_t> value;
};

// What the pre-scan learnt. Views point into the PDU. Reuse one object to avoid allocations.
struct DeliverScan {
  uint32_t error_status = 0;  // non-zero: the PDU is refused with this command_status
  std::string error;          // why, for the log
  uint8_t source_addr_ton = 0, source_addr_npi = 0, dest_addr_ton = 0, dest_addr_npi = 0;
  std::vector<TlvView> tlvs;  // every TLV, wire order
};

// Walks a deliver_sm or data_sm (the whole PDU, header included). Sets error_status on
// failure: 0x01 ESME_RINVMSGLEN for mandatory fields that overrun, 0xC0/0xC2 for TLVs.
void scan_deliver(std::span<const uint8_t> pdu, DeliverScan& scan);

struct Tlv {
  uint16_t tag = 0;
  std::string value;
};

// A decoded deliver_sm or data_sm. data_sm has no protocol_id/short_message (left empty).
struct DeliverSm {
  uint32_t command_id = 0;
  uint32_t sequence_number = 0;
  std::string service_type;
  uint8_t source_addr_ton = 0, source_addr_npi = 0;
  std::string source_addr;
  uint8_t dest_addr_ton = 0, dest_addr_npi = 0;
  std::string destination_addr;
  uint8_t esm_class = 0;
  uint8_t protocol_id = 0;
  uint8_t registered_delivery = 0;
  uint8_t data_coding = 0;
  std::string short_message;
  std::vector<Tlv> tlvs;     // the TLVs the ESME uses, in wire order
  size_t ignored_tlvs = 0;   // unknown, vendor or repeated TLVs skipped

  const Tlv* find(uint16_t tag) const;
};

// Decodes a PDU that scan_deliver() accepted (error_status 0). False with `error` set when
// libsmpp34 refuses it anyway (the caller answers 0x64 ESME_RX_T_APPN so the SMSC keeps the message).
bool decode_deliver(std::span<const uint8_t> pdu, const DeliverScan& scan, DeliverSm& out, std::string& error);

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_DELIVER_H_
