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

}  // namespace
}  // namespace pintar::smpp
