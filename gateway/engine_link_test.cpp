#include "gateway/engine_link.h"

#include <thread>

#include <catch2/catch.hpp>

namespace pintar::gateway {
namespace {

using namespace std::chrono_literals;

// An engine's DEALER socket, driven by the test.
struct Engine {
  Engine(zmq::context_t& context, const std::string& endpoint) : socket(context, zmq::socket_type::dealer) {
    socket.set(zmq::sockopt::linger, 0);
    socket.connect(endpoint);
  }
  void send(const Message& message) { socket.send(zmq::buffer(encode(message)), zmq::send_flags::none); }
  std::optional<Message> receive(std::chrono::milliseconds timeout = 2000ms) {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
    zmq::message_t frame;
    (void)socket.recv(frame);
    auto decoded = decode(frame.to_string_view());
    REQUIRE(decoded.ok());
    return *decoded;
  }
  zmq::socket_t socket;
};

// Lets the link read what the engine sent (inproc delivery is asynchronous).
std::vector<EngineLink::Incoming> receive_some(EngineLink& link) {
  for (int i = 0; i < 200; ++i) {
    auto incoming = link.receive();
    if (!incoming.empty()) return incoming;
    std::this_thread::sleep_for(5ms);
  }
  return {};
}

void wait_for_engine(EngineLink& link) {
  for (int i = 0; i < 200 && !link.has_live_engine(); ++i) {
    (void)link.receive();
    std::this_thread::sleep_for(5ms);
  }
  REQUIRE(link.has_live_engine());
}

TEST_CASE("the link answers heartbeats, repeats until acknowledged, and forgets silent engines", "[engine_link]") {
  zmq::context_t context(1);
  ManualClock clock(Clock::WallTime{});
  const EngineLinkOptions options{.endpoint = "inproc://engine-link-test", .retry = 1000ms, .heartbeat = 500ms,
                                  .liveness = 3000ms, .max_unacked = 2};
  auto opened = EngineLink::open(context, options, clock);
  REQUIRE(opened.ok());
  EngineLink& link = **opened;
  Engine engine(context, options.endpoint);

  // Nothing is sent before an engine has spoken; the message waits.
  link.send_reliable(ReliableKind::kMo, 1, Mo{.id = "g-mo-1", .smsc = "sim", .from = "62812", .to = "1234", .text = "SALDO"});
  CHECK_FALSE(engine.receive(50ms));

  engine.send(Heartbeat{});
  wait_for_engine(link);
  auto answer = engine.receive();
  REQUIRE(answer);
  CHECK(std::holds_alternative<Heartbeat>(*answer));

  link.tick();  // heartbeat is due (first tick), and the waiting MO goes out
  bool got_mo = false;
  for (int i = 0; i < 2; ++i) {
    auto m = engine.receive();
    REQUIRE(m);
    if (std::holds_alternative<Mo>(*m)) got_mo = std::get<Mo>(*m).id == "g-mo-1";
  }
  CHECK(got_mo);
  CHECK(link.counters().value(kLinkSent) == 1);

  // Not acknowledged within `retry`: sent again.
  clock.advance(1001ms);
  engine.send(Heartbeat{});  // stays alive
  (void)receive_some(link);
  link.tick();
  bool repeated = false;
  while (auto m = engine.receive(200ms)) repeated |= std::holds_alternative<Mo>(*m);
  CHECK(repeated);
  CHECK(link.counters().value(kLinkRepeated) == 1);

  // Room: max_unacked = 2 per kind.
  CHECK(link.has_room(ReliableKind::kMo));
  link.send_reliable(ReliableKind::kMo, 2, Mo{.id = "g-mo-2"});
  CHECK_FALSE(link.has_room(ReliableKind::kMo));
  CHECK(link.has_room(ReliableKind::kReceipt));
  CHECK(link.acknowledge(ReliableKind::kMo, 1));
  CHECK_FALSE(link.acknowledge(ReliableKind::kMo, 1));  // a repeated ack
  CHECK(link.outstanding(ReliableKind::kMo) == 1);

  // Engine messages other than heartbeats come back to the caller.
  engine.send(MoAck{.id = "g-mo-2"});
  auto incoming = receive_some(link);
  REQUIRE(incoming.size() == 1);
  CHECK(std::get<MoAck>(incoming[0].message).id == "g-mo-2");

  // A malformed frame is dropped and counted.
  engine.socket.send(zmq::str_buffer("{not json"), zmq::send_flags::none);
  for (int i = 0; i < 100 && link.counters().value(kLinkBadFrames) == 0; ++i) {
    (void)link.receive();
    std::this_thread::sleep_for(5ms);
  }
  CHECK(link.counters().value(kLinkBadFrames) == 1);

  clock.advance(3001ms);
  link.tick();
  CHECK_FALSE(link.has_live_engine());
  CHECK(link.counters().value(kLinkEnginesLost) == 1);
}

TEST_CASE("a second gateway cannot bind the same endpoint", "[engine_link]") {
  zmq::context_t context(1);
  const EngineLinkOptions options{.endpoint = "tcp://127.0.0.1:*"};
  auto first = EngineLink::open(context, {.endpoint = "inproc://twice"}, Clock::real());
  REQUIRE(first.ok());
  auto second = EngineLink::open(context, {.endpoint = "inproc://twice"}, Clock::real());
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(second.status().message(), Catch::Contains("inproc://twice"));
  CHECK_FALSE(EngineLink::open(context, {.endpoint = "bogus://x"}, Clock::real()).ok());
  (void)options;
}

}  // namespace
}  // namespace pintar::gateway
