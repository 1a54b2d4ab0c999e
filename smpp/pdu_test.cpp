#include "smpp/pdu.h"

#include <catch2/catch.hpp>

#include "common/hex.h"
#include "smpp/test_pdus.h"

namespace pintar::smpp {
namespace {

using testing::as_bytes;

// Expected octets assembled by hand from the field tables of SMPP 3.4 (§3.2 header,
// §4.1.5 bind_transceiver, §4.4.1 submit_sm, §4.6.2 deliver_sm_resp).
TEST_CASE("bind_transceiver is encoded field by field") {
  std::string out;
  write_bind(out, 1, {.command_id = command::kBindTransceiver, .system_id = "pintar", .password = "secret"});
  CHECK(hex_encode(out) ==
        "00000023" "00000009" "00000000" "00000001"  // header, command_length 35
        "70696E74617200" "73656372657400"            // system_id, password
        "00" "34" "00" "00" "00");                   // system_type, interface_version, ton, npi, address_range
}

TEST_CASE("submit_sm is encoded field by field") {
  std::string out;
  write_submit_sm(out, 2, {.source_addr_ton = 1, .source_addr_npi = 1, .source_addr = "1234",
                           .dest_addr_ton = 1, .dest_addr_npi = 1, .destination_addr = "62812",
                           .registered_delivery = 1, .data_coding = 0, .short_message = "Hi"});
  CHECK(hex_encode(out) ==
        "0000002C" "00000004" "00000000" "00000002"
        "00" "01" "01" "3132333400" "01" "01" "363238313200"
        "00" "00" "00" "00" "00" "01" "00" "00" "00" "02" "4869");
}

TEST_CASE("sm_length 254 is written (libsmpp34's pack refuses it)") {
  std::string out;
  const std::string sm(254, 'x');
  write_submit_sm(out, 3, {.short_message = sm});
  const Header h = read_header(as_bytes(out));
  CHECK(h.command_length == out.size());
  CHECK(static_cast<uint8_t>(out[out.size() - 255]) == 254);
}

TEST_CASE("deliver_sm_resp carries an empty message_id") {
  std::string out;
  write_deliver_resp(out, command::kDeliverSm | command::kResponseBit, 0x64, 9);
  CHECK(hex_encode(out) == "00000011" "80000005" "00000064" "00000009" "00");
}

TEST_CASE("submit_sm_resp: id on success, any body tolerated on error") {
  const Header ok{17, command::kSubmitSm | command::kResponseBit, 0, 1};
  const std::string id = std::string("0000001A") + '\0';
  CHECK(read_submit_resp(ok, as_bytes(id)) == std::string_view("0000001A"));
  CHECK(!read_submit_resp(ok, as_bytes("ABC")).has_value());  // no NUL
  CHECK(!read_submit_resp(ok, {}).has_value());
  const Header throttled{17, command::kSubmitSm | command::kResponseBit, 0x58, 1};
  const std::string nul(1, '\0');
  CHECK(read_submit_resp(throttled, as_bytes(nul)) == std::string_view());  // libsmpp34 fails on this
  CHECK(read_submit_resp(throttled, as_bytes(id)) == std::string_view());
  CHECK(read_submit_resp(throttled, {}) == std::string_view());
  const Header vendor{16, command::kSubmitSm | command::kResponseBit, 0x400, 1};
  CHECK(read_submit_resp(vendor, {}) == std::string_view());
}

TEST_CASE("Reader fails on overruns and unterminated strings") {
  const std::string bytes = std::string("ab") + '\0' + "cd";
  Reader r(as_bytes(bytes));
  std::string_view s;
  CHECK(r.c_string(3, s));
  CHECK(s == "ab");
  CHECK(!r.c_string(3, s));  // "cd" has no NUL
  CHECK(!r.ok());
  Reader r2(as_bytes(bytes));
  CHECK(!r2.c_string(2, s));  // NUL beyond max size
  uint32_t v = 0;
  Reader r3(as_bytes(std::string("\x01\x02\x03", 3)));
  CHECK(!r3.u32(v));
}

TEST_CASE("command names and known ids") {
  CHECK(command_name(command::kSubmitSm | command::kResponseBit) == "submit_sm_resp");
  CHECK(command_name(0x200) == "0x00000200");
  CHECK(is_known_command(command::kDeliverSm));
  CHECK(!is_known_command(0x200));
  CHECK(!is_known_command(command::kOutbind | command::kResponseBit));
}

}  // namespace
}  // namespace pintar::smpp
