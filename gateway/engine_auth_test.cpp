#include "gateway/engine_auth.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>

#include <catch2/catch.hpp>

namespace pintar::gateway {
namespace {

// A ZAP 1.0 request as libzmq sends it (RFC 27), after the REP envelope.
std::vector<std::string> request(std::string address, std::string mechanism, std::string credentials = {}) {
  std::vector<std::string> frames = {"1.0", "7", "pintar-engine", std::move(address), "", std::move(mechanism)};
  if (!credentials.empty()) frames.push_back(std::move(credentials));
  return frames;
}

std::string raw(const bridge::CurveKey& key) { return std::string(key.begin(), key.end()); }

TEST_CASE("the ZAP handler admits pinned CURVE keys and the gateway's own uid only", "[engine_auth][security]") {
  auto pinned = bridge::generate_curve_keypair();
  auto stranger = bridge::generate_curve_keypair();
  REQUIRE(pinned.ok());
  REQUIRE(stranger.ok());
  const ZapPolicy curve{.curve = true, .engine_keys = {pinned->public_key}};

  auto ok = decide(curve, request("127.0.0.1", "CURVE", raw(pinned->public_key)));
  CHECK(ok.admitted);
  CHECK(ok.status_code == "200");
  CHECK(ok.user_id == "curve:" + bridge::z85(pinned->public_key));

  auto wrong = decide(curve, request("127.0.0.1", "CURVE", raw(stranger->public_key)));
  CHECK_FALSE(wrong.admitted);
  CHECK(wrong.status_code == "400");
  CHECK_THAT(wrong.status_text, Catch::Contains("not in gateway.zmq_engine_keys"));
  CHECK_FALSE(decide(curve, request("127.0.0.1", "NULL")).admitted);
  CHECK_FALSE(decide(curve, request("127.0.0.1", "PLAIN", "user")).admitted);
  CHECK_FALSE(decide(curve, std::vector<std::string>{"2.0", "7", "d", "a", "", "CURVE", raw(pinned->public_key)}).admitted);
  CHECK_FALSE(decide(curve, std::vector<std::string>{"1.0", "7"}).admitted);

  // ipc://: libzmq appends the peer's SO_PEERCRED ":uid:gid:pid" to the address.
  const ZapPolicy ipc{.ipc_uid = 1000};
  auto same = decide(ipc, request(":1000:1000:4242", "NULL"));
  CHECK(same.admitted);
  CHECK(same.user_id == "uid:1000");
  auto other = decide(ipc, request(":1001:1000:4242", "NULL"));
  CHECK_FALSE(other.admitted);
  CHECK_THAT(other.status_text, Catch::Contains("uid 1001, not 1000"));
  CHECK_FALSE(decide(ipc, request("", "NULL")).admitted);  // no credentials: refused
  CHECK_FALSE(decide(ipc, request(":x:1000:4242", "NULL")).admitted);
  CHECK_FALSE(decide(ipc, request(":1000:1000:4242", "CURVE", raw(pinned->public_key))).admitted);

  // Both: the uid and the key.
  const ZapPolicy both{.curve = true, .engine_keys = {pinned->public_key}, .ipc_uid = 1000};
  CHECK(decide(both, request(":1000:1:2", "CURVE", raw(pinned->public_key))).admitted);
  CHECK_FALSE(decide(both, request(":1001:1:2", "CURVE", raw(pinned->public_key))).admitted);
  CHECK_FALSE(decide(both, request(":1000:1:2", "CURVE", raw(stranger->public_key))).admitted);

  CHECK_FALSE(decide(ZapPolicy{}, request("x", "NULL")).admitted);  // nothing configured admits nothing
}

TEST_CASE("an ipc:// socket's directory must be this user's and closed to others", "[engine_auth][security]") {
  std::string base = (std::filesystem::temp_directory_path() / "engine-auth-XXXXXX").string();
  REQUIRE(::mkdtemp(base.data()) != nullptr);

  // Absent: created 0700.
  REQUIRE(prepare_ipc_directory(base + "/run/engine.sock").ok());
  struct stat st {};
  REQUIRE(::stat((base + "/run").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);

  // Open to the group or to others: refused, with the mode named.
  REQUIRE(::chmod((base + "/run").c_str(), 0750) == 0);
  auto open_dir = prepare_ipc_directory(base + "/run/engine.sock");
  REQUIRE_FALSE(open_dir.ok());
  CHECK(open_dir.code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(open_dir.message(), Catch::Contains("mode 0750") && Catch::Contains("0700"));

  CHECK_FALSE(prepare_ipc_directory(base + "/absent/run/engine.sock").ok());  // the parent must exist
  std::filesystem::remove_all(base);
}

}  // namespace
}  // namespace pintar::gateway
