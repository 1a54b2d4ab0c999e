#include "smpp/reassembly.h"

#include <catch2/catch.hpp>

namespace pintar::smpp {
namespace {

using namespace std::chrono_literals;

DeliverSm udh_part(uint8_t ref, uint8_t total, uint8_t seq, const std::string& text) {
  DeliverSm d;
  d.source_addr = "62811";
  d.destination_addr = "1234";
  d.esm_class = 0x40;
  d.short_message = std::string{0x05, 0x00, 0x03, static_cast<char>(ref), static_cast<char>(total), static_cast<char>(seq)} + text;
  return d;
}

DeliverSm sar_part(uint16_t ref, uint8_t total, uint8_t seq, const std::string& ucs2) {
  DeliverSm d;
  d.source_addr = "62811";
  d.destination_addr = "1234";
  d.data_coding = 8;
  d.short_message = ucs2;
  d.tlvs = {{tag::kSarMsgRefNum, {static_cast<char>(ref >> 8), static_cast<char>(ref)}},
            {tag::kSarTotalSegments, std::string(1, static_cast<char>(total))},
            {tag::kSarSegmentSeqnum, std::string(1, static_cast<char>(seq))}};
  return d;
}

const Clock::SteadyTime t0{};

TEST_CASE("UDH parts arriving in reverse order are joined") {
  Reassembler r(60s);
  CHECK(!r.add(udh_part(7, 3, 3, "!"), "b#0", t0).has_value());
  CHECK(!r.add(udh_part(7, 3, 2, "lo "), "b#0", t0).has_value());
  CHECK(!r.add(udh_part(7, 3, 2, "lo "), "b#0", t0).has_value());  // SMSC retry of a part
  auto mo = r.add(udh_part(7, 3, 1, "Hel"), "b#0", t0);
  REQUIRE(mo.has_value());
  CHECK(mo->text_utf8 == "Hello !");
  CHECK(mo->parts == 3);
  CHECK(!mo->incomplete);
  CHECK(r.pending() == 0);
}

TEST_CASE("16-bit reference UDH and sar_ TLVs") {
  Reassembler r(60s);
  DeliverSm a = udh_part(0, 2, 1, "ab");
  a.short_message = std::string{0x06, 0x08, 0x04, 0x01, 0x02, 0x02, 0x01} + "ab";
  DeliverSm b = a;
  b.short_message = std::string{0x06, 0x08, 0x04, 0x01, 0x02, 0x02, 0x02} + "cd";
  CHECK(!r.add(a, "b", t0));
  CHECK(r.add(b, "b", t0)->text_utf8 == "abcd");
  CHECK(!r.add(sar_part(300, 2, 2, std::string("\x00\x42", 2)), "b", t0));
  CHECK(r.add(sar_part(300, 2, 1, std::string("\x00\x41", 2)), "b", t0)->text_utf8 == "AB");
}

TEST_CASE("message_payload replaces short_message") {
  Reassembler r(60s);
  DeliverSm d;
  d.tlvs = {{tag::kMessagePayload, std::string(300, 'x')}};
  CHECK(r.add(d, "b", t0)->text_utf8 == std::string(300, 'x'));
}

TEST_CASE("missing parts: the rest is delivered marked incomplete at the timeout") {
  Reassembler r(30s);
  CHECK(!r.add(udh_part(1, 3, 1, "part one "), "b", t0));
  CHECK(!r.add(udh_part(1, 3, 3, "part three"), "b", t0 + 5s));
  CHECK(r.next_deadline() == t0 + 30s);
  CHECK(r.expire(t0 + 29s).empty());
  auto expired = r.expire(t0 + 30s);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].incomplete);
  CHECK(expired[0].parts == 2);
  CHECK(expired[0].text_utf8 == "part one part three");
  CHECK(!r.next_deadline().has_value());
}

TEST_CASE("broken UDH is taken as a whole message") {
  Reassembler r(30s);
  DeliverSm d = udh_part(1, 3, 9, "x");  // sequence beyond total
  CHECK(r.add(d, "b", t0)->text_utf8 == "x");
  d.short_message = std::string("\x30", 1);  // UDHL beyond the data
  CHECK(r.add(d, "b", t0).has_value());
}

}  // namespace
}  // namespace pintar::smpp
