#include "smpp/session.h"

#include <catch2/catch.hpp>

namespace pintar::smpp {
namespace {

BindOptions good_options() {
  BindOptions o;
  o.name = "sim";
  o.system_id = "pintar";
  o.password = Secret(std::vector<uint8_t>{'s', 'e', 'c', 'r', 'e', 't'});
  return o;
}

TEST_CASE("validate accepts defaults and names the bad key") {
  CHECK(validate(good_options()).ok());
  BindOptions o = good_options();
  o.window = 0;
  Status s = validate(o);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message().find("window") != std::string::npos);
  o = good_options();
  o.system_id = std::string(16, 'x');
  CHECK(!validate(o).ok());
  o = good_options();
  o.vendor_status[0x400] = StatusClass::kOk;
  CHECK(!validate(o).ok());
  o = good_options();
  o.max_command_length = 15;
  CHECK(!validate(o).ok());
}

struct NullListener final : SessionListener {
  void on_mo(const MoMessage&, DeliverReply reply) override { reply(Status()); }
  void on_receipt(const DeliveryReceipt&, DeliverReply reply) override { reply(Status()); }
  void on_submitted(uint64_t, const std::vector<std::string>&) override {}
  void on_failed(uint64_t, uint32_t, const std::string&) override {}
  void on_bind_state(const std::string&, BindState, const std::string&) override {}
};

TEST_CASE("binds are named per slot and mode; a stopped session refuses MT") {
  NullListener listener;
  BindOptions o = good_options();
  o.mode = BindMode::kTransmitterReceiver;
  o.binds = 2;
  Session session(o, listener);
  REQUIRE(session.bind_count() == 4);
  CHECK(session.bind_name(0) == "sim#0-tx");
  CHECK(session.bind_name(3) == "sim#1-rx");
  CHECK(session.counters(2).value(kCounterSubmitSm) == 0);
  CHECK(!session.submit(OutboundSms{.id = 1, .source_addr = "1", .destination_addr = "2", .text_utf8 = "x"}));
  CHECK(session.in_flight() == 0);
  o.window = 0;
  Session invalid(o, listener);
  CHECK(invalid.start().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pintar::smpp
