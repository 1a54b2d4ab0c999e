// bridge::Client (the engine's end) against the gateway's real EngineLink and its ZAP
// handler (gateway/engine_auth.h): the two ends of one link, over real sockets.
#include <stdlib.h>

#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "bridge/client.h"
#include "gateway/engine_link.h"

namespace pintar::gateway {
namespace {

using namespace std::chrono_literals;

// Runs the link as the gateway loop would (receive, acknowledge, tick) until `done`.
template <typename F>
bool drive(EngineLink& link, std::vector<EngineLink::Incoming>& incoming, F done,
           std::chrono::milliseconds timeout = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    for (auto& m : link.receive()) {
      if (const auto* ack = std::get_if<bridge::MoAck>(&m.message)) {
        (void)link.acknowledge(m.engine, ReliableKind::kMo, ack->id == "g-mo-1" ? 1 : -1);
      } else if (const auto* mt = std::get_if<bridge::Mt>(&m.message)) {
        link.reply(m.engine, bridge::MtAck{.id = mt->id});
      }
      incoming.push_back(std::move(m));
    }
    link.tick();
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

struct Seen {
  std::mutex mutex;
  std::vector<bridge::Mo> mos;
  std::vector<bridge::MtAck> mt_acks;
  size_t mo_count() {
    std::lock_guard lock(mutex);
    return mos.size();
  }
  size_t mt_ack_count() {
    std::lock_guard lock(mutex);
    return mt_acks.size();
  }
};

bridge::Client::Handlers handlers(Seen& seen, bridge::Client*& client) {
  return {.mo =
              [&seen, &client](bridge::Mo mo) {
                client->ack_mo(mo.id);
                std::lock_guard lock(seen.mutex);
                seen.mos.push_back(std::move(mo));
              },
          .mt_result = [](bridge::MtResult) {},
          .receipt = [](bridge::Receipt) {},
          .mt_ack =
              [&seen](bridge::MtAck ack) {
                std::lock_guard lock(seen.mutex);
                seen.mt_acks.push_back(std::move(ack));
              }};
}

TEST_CASE("bridge::Client over CURVE: the gateway's ZAP handler admits a pinned key and refuses an unknown one",
          "[engine_link][bridge][security]") {
  zmq::context_t context(1);
  auto gateway_keys = bridge::generate_curve_keypair();
  auto pinned = bridge::generate_curve_keypair();
  auto stranger = bridge::generate_curve_keypair();
  REQUIRE((gateway_keys.ok() && pinned.ok() && stranger.ok()));
  const EngineLinkOptions options{.endpoint = "tcp://127.0.0.1:*", .retry = 300ms, .heartbeat = 200ms,
                                  .curve_secret_key = gateway_keys->secret_key,
                                  .engine_keys = {bridge::z85(pinned->public_key)}};
  auto opened = EngineLink::open(context, options, Clock::real());
  REQUIRE(opened.ok());
  EngineLink& link = **opened;
  const std::string endpoint = link.socket().get(zmq::sockopt::last_endpoint);
  std::vector<EngineLink::Incoming> incoming;
  const auto client_options = [&](const bridge::CurveKeypair& own) {
    return bridge::ClientOptions{
        .endpoint = endpoint,
        .curve = bridge::CurveClientKeys{.public_key = bridge::z85(own.public_key),
                                         .secret_key = bridge::z85_secret(own.secret_key),
                                         .server_public_key = bridge::z85(gateway_keys->public_key)},
        .heartbeat = 200ms,
        .gateway_timeout = 1000ms};
  };

  // The unknown key: ZAP refuses every handshake; nothing it sends reaches the gateway.
  Seen refused_seen;
  bridge::Client* refused_client = nullptr;
  auto refused = bridge::Client::start(client_options(*stranger), handlers(refused_seen, refused_client));
  REQUIRE(refused.ok());
  refused_client = refused->get();
  REQUIRE(refused_client->send_mt(bridge::Mt{.id = "x-1", .from = "1234", .to = "628123", .text = "free token"}).ok());
  REQUIRE(drive(link, incoming, [&] {
    return link.counters().value(kLinkAuthRefused) >= 1 &&
           refused_client->counters().value(bridge::kClientHandshakesFailed) >= 1;
  }));
  CHECK_FALSE(link.has_live_engine());
  CHECK(incoming.empty());

  // The pinned key: admitted, hears the gateway, gets the MO once, its MT acknowledged.
  Seen seen;
  bridge::Client* client = nullptr;
  auto admitted = bridge::Client::start(client_options(*pinned), handlers(seen, client));
  REQUIRE(admitted.ok());
  client = admitted->get();
  REQUIRE(drive(link, incoming, [&] { return link.has_live_engine() && client->gateway_alive(); }));
  CHECK(link.counters().value(kLinkAuthAdmitted) == 1);
  link.send_reliable(ReliableKind::kMo, 1, bridge::Mo{.id = "g-mo-1", .text = "BELI 1234"});
  REQUIRE(client->send_mt(bridge::Mt{.id = "e-1", .from = "1234", .to = "628123", .text = "token"}).ok());
  REQUIRE(drive(link, incoming, [&] {
    return link.outstanding(ReliableKind::kMo) == 0 && seen.mt_ack_count() == 1 && client->unacked_mts() == 0;
  }));
  CHECK(seen.mo_count() == 1);
  CHECK(link.counters().value(kLinkAcked) == 1);

  // The refused client got nothing and is still refused.
  CHECK_FALSE(refused_client->gateway_alive());
  CHECK(refused_seen.mo_count() == 0);
  CHECK(refused_client->unacked_mts() == 1);
  for (const auto& m : incoming) {
    if (const auto* mt = std::get_if<bridge::Mt>(&m.message)) CHECK(mt->id != "x-1");
  }
}

TEST_CASE("bridge::Client over ipc://: the gateway admits its own uid", "[engine_link][bridge][security]") {
  std::string dir = (std::filesystem::temp_directory_path() / "engine-link-client-XXXXXX").string();
  REQUIRE(::mkdtemp(dir.data()) != nullptr);
  zmq::context_t context(1);
  const EngineLinkOptions options{.endpoint = "ipc://" + dir + "/run/engine.sock", .heartbeat = 200ms};
  auto opened = EngineLink::open(context, options, Clock::real());
  REQUIRE(opened.ok());
  EngineLink& link = **opened;
  std::vector<EngineLink::Incoming> incoming;
  Seen seen;
  bridge::Client* client = nullptr;
  auto started = bridge::Client::start({.endpoint = options.endpoint, .heartbeat = 200ms, .gateway_timeout = 1000ms},
                                       handlers(seen, client));
  REQUIRE(started.ok());
  client = started->get();
  REQUIRE(drive(link, incoming, [&] { return link.has_live_engine() && client->gateway_alive(); }));
  CHECK(link.counters().value(kLinkAuthAdmitted) == 1);
  CHECK(client->counters().value(bridge::kClientConnects) == 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pintar::gateway
