#include "smpp/receive.h"

#include <vector>

#include <catch2/catch.hpp>

#include "common/hex.h"
#include "smpp/test_pdus.h"

namespace pintar::smpp {
namespace {

using testing::as_bytes;
using testing::deliver_pdu;
using testing::DeliverFields;

struct Recorder final : ReceiveHandler {
  std::vector<std::string> events;
  std::vector<DeliverSm> delivered;
  void on_bind_resp(const Header& h, std::string_view id) override {
    events.push_back("bind_resp " + std::to_string(h.command_status) + " " + std::string(id));
  }
  void on_submit_resp(const Header& h, std::string_view id) override {
    events.push_back("submit_resp " + std::to_string(h.command_status) + " " + std::string(id));
  }
  void on_response(const Header& h) override { events.push_back(command_name(h.command_id)); }
  void on_enquire_link(const Header&) override { events.push_back("enquire_link"); }
  void on_unbind(const Header&) override { events.push_back("unbind"); }
  void on_deliver(const DeliverSm& d) override {
    events.push_back("deliver");
    delivered.push_back(d);
  }
  void on_malformed(const Header& h, uint32_t status, std::string_view) override {
    events.push_back("malformed " + command_name(h.command_id) + " " + std::to_string(status));
  }
};

std::string header_pdu(uint32_t id, uint32_t status, uint32_t seq) {
  std::string out;
  write_header_only(out, id, status, seq);
  return out;
}

TEST_CASE("frames split across reads are handled once complete") {
  Receiver receiver;
  Recorder rec;
  std::string replies;
  const std::string stream = header_pdu(command::kEnquireLink, 0, 5) + header_pdu(command::kGenericNack, 3, 6);
  CHECK(receiver.consume(as_bytes(stream).first(10), replies, rec) == 0);
  CHECK(receiver.wanted(as_bytes(stream).first(10)) == 16);
  CHECK(receiver.consume(as_bytes(stream).first(20), replies, rec) == 16);
  CHECK(receiver.consume(as_bytes(stream).subspan(16), replies, rec) == 16);
  CHECK(rec.events == std::vector<std::string>{"enquire_link", "generic_nack"});
}

TEST_CASE("command_length outside 16..max breaks the stream before allocating") {
  Receiver receiver(4096);
  Recorder rec;
  std::string replies;
  std::string huge = header_pdu(command::kDeliverSm, 0, 42);
  huge[0] = '\x7F';  // 2 GiB claimed
  CHECK(receiver.consume(as_bytes(huge), replies, rec) == huge.size());
  CHECK(receiver.broken());
  CHECK(hex_encode(replies) == "00000010" "80000000" "00000002" "0000002A");
  Receiver small;
  std::string tiny = header_pdu(command::kEnquireLink, 0, 1);
  tiny[3] = 8;
  replies.clear();
  small.consume(as_bytes(tiny), replies, rec);
  CHECK(small.broken());
}

TEST_CASE("unknown command ids get generic_nack with their sequence number") {
  Receiver receiver;
  Recorder rec;
  std::string replies;
  receiver.consume(as_bytes(header_pdu(0x00000200, 0, 77)), replies, rec);
  CHECK(hex_encode(replies) == "00000010" "80000000" "00000003" "0000004D");
  replies.clear();
  receiver.consume(as_bytes(header_pdu(command::kSubmitSm, 0, 78)), replies, rec);  // SMSCs do not submit
  CHECK(hex_encode(replies) == "00000010" "80000000" "00000003" "0000004E");
}

TEST_CASE("error submit_sm_resp with a body and vendor status are read by pintar's code") {
  Receiver receiver;
  Recorder rec;
  std::string replies;
  std::string pdu;
  Writer(pdu, command::kSubmitSm | command::kResponseBit, 0x58, 3).u8(0).end();
  receiver.consume(as_bytes(pdu), replies, rec);
  receiver.consume(as_bytes(header_pdu(command::kSubmitSm | command::kResponseBit, 0x400, 4)), replies, rec);
  CHECK(rec.events == std::vector<std::string>{"submit_resp 88 ", "submit_resp 1024 "});
  CHECK(replies.empty());
}

TEST_CASE("deliver_sm with TLVs decodes through libsmpp34 in wire order") {
  DeliverFields f;
  f.esm_class = 0x04;
  f.short_message = "id:0000001A stat:DELIVRD";
  f.tlvs = {{tag::kReceiptedMessageId, std::string("0000001A") + '\0'}, {tag::kMessageState, "\x02"},
            {tag::kSarMsgRefNum, std::string("\x01\x02", 2)}};
  Receiver receiver;
  Recorder rec;
  std::string replies;
  receiver.consume(as_bytes(deliver_pdu(f)), replies, rec);
  REQUIRE(rec.delivered.size() == 1);
  const DeliverSm& d = rec.delivered[0];
  CHECK(d.sequence_number == 7);
  CHECK(d.source_addr == "6281234567890");
  CHECK(d.destination_addr == "1234");
  CHECK(d.short_message == f.short_message);
  REQUIRE(d.tlvs.size() == 3);
  CHECK(d.tlvs[0].tag == tag::kReceiptedMessageId);
  CHECK(d.tlvs[1].tag == tag::kMessageState);
  CHECK(d.tlvs[1].value == "\x02");
  CHECK(d.tlvs[2].value == std::string("\x01\x02", 2));
  CHECK(replies.empty());  // answering is the session's job
}

TEST_CASE("PDUs libsmpp34 mishandles are decoded safely") {
  Receiver receiver;
  Recorder rec;
  std::string replies;
  SECTION("30 small vendor TLVs (its 2048-octet trace buffer overflows)") {
    DeliverFields f;
    f.short_message = "hello";
    for (int i = 0; i < 30; ++i) f.tlvs.push_back({0x1400, "\x01"});
    f.tlvs.push_back({tag::kMessageState, "\x02"});
    receiver.consume(as_bytes(deliver_pdu(f)), replies, rec);
    REQUIRE(rec.delivered.size() == 1);
    CHECK(rec.delivered[0].ignored_tlvs == 30);
    CHECK(rec.delivered[0].tlvs.size() == 1);
  }
  SECTION("1500-octet message_payload and a 1500-octet vendor TLV") {
    DeliverFields f;
    f.tlvs = {{0x1401, std::string(1500, 'A')}, {tag::kMessagePayload, std::string(1500, 'B')}};
    receiver.consume(as_bytes(deliver_pdu(f)), replies, rec);
    REQUIRE(rec.delivered.size() == 1);
    REQUIRE(rec.delivered[0].find(tag::kMessagePayload) != nullptr);
    CHECK(rec.delivered[0].find(tag::kMessagePayload)->value == std::string(1500, 'B'));
  }
  SECTION("TON 7 and an odd NPI are restored after decoding") {
    DeliverFields f;
    f.source_addr_ton = 7;
    f.source_addr_npi = 0x0F;
    f.short_message = "x";
    receiver.consume(as_bytes(deliver_pdu(f)), replies, rec);
    REQUIRE(rec.delivered.size() == 1);
    CHECK(rec.delivered[0].source_addr_ton == 7);
    CHECK(rec.delivered[0].source_addr_npi == 0x0F);
  }
  SECTION("deliver_sm with a schedule_delivery_time") {
    DeliverFields f;
    f.schedule_delivery_time = "261125160000000+";
    f.short_message = "x";
    receiver.consume(as_bytes(deliver_pdu(f)), replies, rec);
    CHECK(rec.delivered.size() == 1);
  }
  SECTION("data_sm with a 30-character source_addr (libsmpp34 holds 20)") {
    DeliverFields f;
    f.command_id = command::kDataSm;
    f.source_addr = std::string(30, '9');
    f.tlvs = {{tag::kMessagePayload, "hi"}};
    receiver.consume(as_bytes(deliver_pdu(f)), replies, rec);
    REQUIRE(rec.delivered.size() == 1);
    CHECK(rec.delivered[0].source_addr == std::string(30, '9'));
  }
  SECTION("a deliver_sm carrying a vendor command_status is answered, not unpacked") {
    DeliverFields f;
    f.command_status = 0x400;
    receiver.consume(as_bytes(deliver_pdu(f)), replies, rec);
    CHECK(rec.delivered.empty());
    CHECK(hex_encode(replies) == "00000011" "80000005" "00000001" "00000007" "00");
  }
  SECTION("a TLV that overruns the PDU") {
    DeliverFields f;
    std::string pdu = deliver_pdu(f) + std::string("\x04\x24\x00\x09zz", 6);
    pdu[3] = static_cast<char>(pdu.size());
    receiver.consume(as_bytes(pdu), replies, rec);
    CHECK(rec.delivered.empty());
    CHECK(hex_encode(replies).substr(16, 8) == "000000C2");
  }
  SECTION("mandatory fields that overrun the PDU") {
    std::string pdu = header_pdu(command::kDeliverSm, 0, 9) + "abc";
    pdu[3] = static_cast<char>(pdu.size());
    receiver.consume(as_bytes(pdu), replies, rec);
    CHECK(rec.delivered.empty());
    CHECK(hex_encode(replies) == "00000011" "80000005" "00000001" "00000009" "00");
  }
}

}  // namespace
}  // namespace pintar::smpp
