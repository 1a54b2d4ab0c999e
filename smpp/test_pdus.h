// Builders for deliver_sm PDUs in tests (never linked into the library).
#ifndef PINTAR_SMPP_TEST_PDUS_H_
#define PINTAR_SMPP_TEST_PDUS_H_

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "smpp/pdu.h"

namespace pintar::smpp::testing {

struct DeliverFields {
  uint32_t command_id = command::kDeliverSm;
  uint32_t command_status = 0;
  uint32_t sequence_number = 7;
  uint8_t source_addr_ton = 1, source_addr_npi = 1;
  std::string source_addr = "6281234567890";
  uint8_t dest_addr_ton = 0, dest_addr_npi = 1;
  std::string destination_addr = "1234";
  uint8_t esm_class = 0;
  std::string schedule_delivery_time;
  uint8_t data_coding = 0;
  std::string short_message;
  std::vector<std::pair<uint16_t, std::string>> tlvs;
};

inline std::string deliver_pdu(const DeliverFields& f) {
  std::string out;
  Writer w(out, f.command_id, f.command_status, f.sequence_number);
  w.c_string("").u8(f.source_addr_ton).u8(f.source_addr_npi).c_string(f.source_addr);
  w.u8(f.dest_addr_ton).u8(f.dest_addr_npi).c_string(f.destination_addr).u8(f.esm_class);
  if (f.command_id == command::kDeliverSm) {
    w.u8(0).u8(0).c_string(f.schedule_delivery_time).c_string("").u8(0).u8(0).u8(f.data_coding).u8(0);
    w.u8(static_cast<uint8_t>(f.short_message.size())).octets(f.short_message);
  } else {
    w.u8(0).u8(f.data_coding);
  }
  for (const auto& [tag, value] : f.tlvs) w.tlv(tag, value);
  w.end();
  return out;
}

inline std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace pintar::smpp::testing

#endif  // PINTAR_SMPP_TEST_PDUS_H_
