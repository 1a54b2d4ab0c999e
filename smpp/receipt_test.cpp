#include "smpp/receipt.h"

#include <catch2/catch.hpp>

namespace pintar::smpp {
namespace {

TEST_CASE("SMPP 3.4 Appendix B text receipt") {
  auto r = parse_receipt_text(
      "id:0000001A sub:001 dlvrd:001 submit date:2611251516 done date:2611251517 stat:DELIVRD err:000 text:Test message 1");
  REQUIRE(r.has_value());
  CHECK(r->id == "0000001A");
  CHECK(r->submit_date == "2611251516");
  CHECK(r->done_date == "2611251517");
  CHECK(r->stat == "DELIVRD");
  CHECK(r->err == "000");
  CHECK(r->text == "Test message 1");
}

TEST_CASE("text receipts with missing fields, padding, case and text containing keys") {
  auto r = parse_receipt_text("ID:  42   Stat:undeliv  err:0000 text:stat:DELIVRD id:9");
  REQUIRE(r.has_value());
  CHECK(r->id == "42");
  CHECK(r->stat == "undeliv");
  CHECK(r->err == "0000");
  CHECK(r->sub.empty());
  CHECK(r->text == "stat:DELIVRD id:9");
  CHECK(state_from_stat(r->stat) == MessageState::kUndeliverable);
  CHECK(!parse_receipt_text("hello world").has_value());
}

TEST_CASE("TLVs are preferred over the text; ids normalised") {
  DeliverSm d;
  d.esm_class = 0x04;
  d.source_addr = "62812";
  d.short_message = "id:00000026 sub:001 dlvrd:000 stat:UNDELIV err:001 text:x";
  d.tlvs = {{tag::kReceiptedMessageId, std::string("1A") + '\0'}, {tag::kMessageState, "\x02"}};
  REQUIRE(is_receipt(d));
  auto r = parse_receipt(d, IdBase::kHex);
  REQUIRE(r.has_value());
  CHECK(r->message_id_raw == "1A");
  CHECK(r->message_id == "26");
  CHECK(r->state == MessageState::kDelivered);
  CHECK(r->is_final);
  CHECK(r->error == "001");
}

TEST_CASE("text-only receipt in decimal matches the hex submit id") {
  DeliverSm d;
  d.esm_class = 0x04;
  d.short_message = "id:00000026 sub:001 dlvrd:000 submit date:2611251516 done date:2611251517 stat:EXPIRED err:000 text:";
  auto r = parse_receipt(d, IdBase::kDecimal);
  REQUIRE(r.has_value());
  CHECK(r->message_id == "26");
  CHECK(r->state == MessageState::kExpired);
  CHECK(r->is_final);
  d.short_message = "stat:ENROUTE";
  CHECK(!parse_receipt(d, IdBase::kDecimal).has_value());  // no id anywhere
}

TEST_CASE("intermediate notification is a receipt, ordinary MO is not") {
  DeliverSm d;
  d.esm_class = 0x20;
  CHECK(is_receipt(d));
  d.esm_class = 0x40;
  CHECK(!is_receipt(d));
}

}  // namespace
}  // namespace pintar::smpp
