// API keys on a real ledger file: made, checked in constant time, revoked at once, limited.
#include "helpdesk/access.h"

#include "common/hex.h"
#include "helpdesk/test_support.h"

namespace pintar::helpdesk {
namespace {

using namespace std::chrono;

struct World {
  std::string dir = store::testing::make_temp_dir();
  store::LedgerOptions options = store::testing::options_in(dir);
  std::unique_ptr<store::HelpdeskKeyStore> keys = store::HelpdeskKeyStore::open(options).value();
  ManualClock clock{Clock::WallTime(sys_days(2027y / 1 / 1))};
  Access access{*keys, clock, 5};

  std::string add(std::string name, Role role) {
    auto key = make_key(name, role, 1);
    REQUIRE(key.ok());
    const Status added = keys->add(key->row);
    INFO(added.to_string());
    REQUIRE(added.ok());
    return key->text;
  }
};

TEST_CASE("a key is stored as a hash and works for its role and below", "[helpdesk][access]") {
  World w;
  const std::string op = w.add("budi", Role::kOperator);
  CHECK(op.size() == 4 + 16 + 1 + 64);
  auto listed = w.keys->list().value();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].name == "budi");
  CHECK(listed[0].role == "operator");
  CHECK(op.find(hex_encode(listed[0].secret_hash)) == std::string::npos);  // the hash is not the secret

  auto ok = w.access.check(op, Role::kViewer);
  CHECK(ok.verdict == Verdict::kAllowed);
  REQUIRE(ok.caller);
  CHECK(ok.caller->actor() == "helpdesk:budi");
  CHECK(w.access.check(op, Role::kOperator).verdict == Verdict::kAllowed);
  CHECK(w.access.check(op, Role::kAdmin).verdict == Verdict::kForbidden);
}

TEST_CASE("missing, malformed, unknown and wrong keys are all unauthorized", "[helpdesk][access]") {
  World w;
  const std::string key = w.add("siti", Role::kAdmin);
  std::string wrong_secret = key;
  wrong_secret.back() = wrong_secret.back() == '0' ? '1' : '0';
  std::string unknown_id = key;
  unknown_id[5] = unknown_id[5] == 'a' ? 'b' : 'a';
  for (const std::string& presented :
       {std::string(), std::string("phk_"), key.substr(0, key.size() - 1), wrong_secret, unknown_id,
        std::string("Bearer ") + key, std::string(key.size(), 'x')}) {
    CHECK(w.access.check(presented, Role::kViewer).verdict == Verdict::kUnauthorized);
  }
}

TEST_CASE("a revoked key stops at once, also when another process revoked it", "[helpdesk][access]") {
  World w;
  const std::string key = w.add("ops", Role::kViewer);
  CHECK(w.access.check(key, Role::kViewer).verdict == Verdict::kAllowed);
  auto other = store::HelpdeskKeyStore::open(w.options).value();  // `pintar helpdesk keys revoke`
  REQUIRE(other->revoke("ops", 2).ok());
  CHECK(w.access.check(key, Role::kViewer).verdict == Verdict::kUnauthorized);
  CHECK(other->revoke("ops", 3).code() == StatusCode::kFailedPrecondition);
  CHECK(other->revoke("nobody", 3).code() == StatusCode::kNotFound);
}

TEST_CASE("names are unique and checked", "[helpdesk][access]") {
  World w;
  w.add("ops", Role::kViewer);
  auto again = make_key("ops", Role::kAdmin, 1);
  REQUIRE(again.ok());
  CHECK(w.keys->add(again->row).code() == StatusCode::kAlreadyExists);
  CHECK(make_key("", Role::kViewer, 1).status().code() == StatusCode::kInvalidArgument);
  CHECK(make_key("two words", Role::kViewer, 1).status().code() == StatusCode::kInvalidArgument);
  CHECK(make_key(std::string(65, 'a'), Role::kViewer, 1).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("each key has its own rate limit, refilled over time", "[helpdesk][access]") {
  World w;  // 5 a minute
  const std::string a = w.add("a", Role::kViewer);
  const std::string b = w.add("b", Role::kViewer);
  for (int i = 0; i < 5; ++i) CHECK(w.access.check(a, Role::kViewer).verdict == Verdict::kAllowed);
  CHECK(w.access.check(a, Role::kViewer).verdict == Verdict::kRateLimited);
  CHECK(w.access.check(b, Role::kViewer).verdict == Verdict::kAllowed);
  w.clock.advance(seconds(12));  // one more token
  CHECK(w.access.check(a, Role::kViewer).verdict == Verdict::kAllowed);
  CHECK(w.access.check(a, Role::kViewer).verdict == Verdict::kRateLimited);
}

}  // namespace
}  // namespace pintar::helpdesk
