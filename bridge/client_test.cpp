#include "bridge/client.h"

#include <stdlib.h>

#include <condition_variable>
#include <filesystem>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

// libzmq 4.3.4 (Debian 12) leaks its receive buffer (81 octets, allocated on its I/O
// thread) when it drops a connection for a frame over ZMQ_MAXMSGSIZE, which
// "a frame over max_message_bytes ..." provokes on purpose (as in gateway/engine_link_test.cpp).
extern "C" const char* __lsan_default_suppressions() { return "leak:libzmq.so.5\n"; }

namespace pintar::bridge {
namespace {

using namespace std::chrono_literals;

std::string temp_dir() {
  std::string path = (std::filesystem::temp_directory_path() / "bridge-client-XXXXXX").string();
  REQUIRE(::mkdtemp(path.data()) != nullptr);
  return path;
}

// A plain ROUTER playing the gateway, driven by the test (no ZAP: the real gateway's
// handshake checks are in gateway/engine_link_client_test.cpp).
class FakeGateway {
 public:
  FakeGateway(zmq::context_t& context, const std::string& endpoint) : socket_(context, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::router_mandatory, 1);
    socket_.bind(endpoint);
  }
  // The next message that is not a heartbeat (heartbeats only teach the engine's routing id).
  std::optional<Message> receive(std::chrono::milliseconds timeout = 3000ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return std::nullopt;
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, left) == 0) continue;
      zmq::message_t engine, payload;
      (void)socket_.recv(engine);
      (void)socket_.recv(payload);
      engine_ = engine.to_string();
      auto message = decode(payload.to_string_view());
      REQUIRE(message.ok());
      if (!std::holds_alternative<Heartbeat>(*message)) return *message;
    }
  }
  template <typename T>
  std::optional<T> receive_a(std::chrono::milliseconds timeout = 3000ms) {
    auto message = receive(timeout);
    if (!message) return std::nullopt;
    REQUIRE(std::holds_alternative<T>(*message));
    return std::get<T>(*message);
  }
  // Waits for a frame from the engine (its heartbeat), to learn where to send; with
  // `new_connection`, for one from another routing id than the last (a reconnect).
  void await_engine(bool new_connection = false) {
    const std::string old = engine_;
    const auto deadline = std::chrono::steady_clock::now() + 5000ms;
    do {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      REQUIRE(zmq::poll(&item, 1, 100ms) >= 0);
      if (item.revents == 0) continue;
      zmq::message_t engine, payload;
      (void)socket_.recv(engine);
      (void)socket_.recv(payload);
      engine_ = engine.to_string();
    } while ((engine_.empty() || (new_connection && engine_ == old)) && std::chrono::steady_clock::now() < deadline);
    REQUIRE(!engine_.empty());
    if (new_connection) REQUIRE(engine_ != old);
  }
  void send(const Message& message) { send_raw(encode(message)); }
  void send_raw(const std::string& frame) {
    REQUIRE(!engine_.empty());
    socket_.send(zmq::buffer(engine_), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(frame), zmq::send_flags::none);
  }

 private:
  zmq::socket_t socket_;
  std::string engine_;
};

// What the handlers were given, for the test thread to wait on.
struct Recorder {
  std::vector<Mo> mos;
  std::vector<MtResult> results;
  std::vector<Receipt> receipts;
  std::vector<MtAck> mt_acks;
  std::vector<bool> states;

  Client::Handlers handlers() {
    return {.mo = [this](Mo m) { add(mos, std::move(m)); },
            .mt_result = [this](MtResult m) { add(results, std::move(m)); },
            .receipt = [this](Receipt m) { add(receipts, std::move(m)); },
            .mt_ack = [this](MtAck m) { add(mt_acks, std::move(m)); },
            .gateway_state = [this](bool alive) { add(states, alive); }};
  }
  template <typename F>
  bool wait(F done, std::chrono::milliseconds timeout = 3000ms) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, done);
  }
  template <typename T>
  size_t count(const std::vector<T>& v) {
    std::lock_guard lock(mutex);
    return v.size();
  }
  template <typename T>
  void add(std::vector<T>& v, T m) {
    {
      std::lock_guard lock(mutex);
      v.push_back(std::move(m));
    }
    changed.notify_all();
  }
  std::mutex mutex;
  std::condition_variable changed;
};

// A client connected to a FakeGateway at a fresh ipc:// path. Destroyed in reverse: the
// client first (its handlers use the recorder), then the gateway, the context, the path.
struct Rig {
  explicit Rig(ClientOptions options) : dir(temp_dir()), endpoint("ipc://" + dir + "/gateway.sock") {
    gateway = std::make_unique<FakeGateway>(context, endpoint);
    options.endpoint = endpoint;
    auto started = Client::start(std::move(options), recorder.handlers());
    REQUIRE(started.ok());
    client = std::move(started).value();
  }
  ~Rig() {
    client.reset();
    gateway.reset();
    std::filesystem::remove_all(dir);
  }
  const std::string dir;
  const std::string endpoint;
  zmq::context_t context{1};
  std::unique_ptr<FakeGateway> gateway;
  Recorder recorder;
  std::unique_ptr<Client> client;
};

// Polls `done` (a counter, unacked_mts()) until true or timeout.
template <typename F>
bool eventually(F done, std::chrono::milliseconds timeout = 3000ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// The handshake event comes on the monitor socket and may be read after the new pipe has
// already carried a frame; an MT sent in that gap goes out once more when the client reads
// the event (harmless: the gateway keeps one MT per id). Tests that count sends wait for it.
void await_connects(Client& client, uint64_t n) {
  REQUIRE(eventually([&] { return client.counters().value(kClientConnects) == n; }));
}

const Mt kMt{.id = "e-1", .from = "1234", .to = "6281234567890", .text = "Token 5104-3465-4434-2085-6213"};

TEST_CASE("client options and handlers are checked before anything connects", "[bridge][client]") {
  Recorder recorder;
  const auto refused = [&](ClientOptions options) {
    auto started = Client::start(std::move(options), recorder.handlers());
    REQUIRE_FALSE(started.ok());
    CHECK(started.status().code() == StatusCode::kInvalidArgument);
    return started.status().message();
  };
  CHECK_THAT(refused({.endpoint = "tcp://127.0.0.1:5555"}), Catch::Contains("tcp:// needs CURVE"));
  CHECK_THAT(refused({.endpoint = "inproc://x"}), Catch::Contains("ipc://PATH or tcp://"));
  CHECK_THAT(refused({.endpoint = "ipc:///tmp/x", .heartbeat = 1000ms, .gateway_timeout = 1000ms}),
             Catch::Contains("longer than heartbeat"));
  CHECK_THAT(refused({.endpoint = "ipc:///tmp/x", .repeat = 0ms}), Catch::Contains("repeat"));
  CHECK_THAT(refused({.endpoint = "ipc:///tmp/x", .max_message_bytes = 100}), Catch::Contains("under 4096"));
  CHECK_THAT(refused({.endpoint = "ipc:///tmp/x", .remembered_acks = 0}), Catch::Contains("remembered_acks"));

  // A key pair mixed up from two files fails here, not silently in the handshake.
  auto ours = generate_curve_keypair();
  auto other = generate_curve_keypair();
  auto server = generate_curve_keypair();
  REQUIRE((ours.ok() && other.ok() && server.ok()));
  const CurveClientKeys mixed{.public_key = z85(other->public_key), .secret_key = z85_secret(ours->secret_key),
                              .server_public_key = z85(server->public_key)};
  const std::string message = refused({.endpoint = "tcp://127.0.0.1:5555", .curve = mixed});
  CHECK_THAT(message, Catch::Contains("does not belong to the secret key"));
  const Secret secret_text = z85_secret(ours->secret_key);
  CHECK(message.find(std::string(secret_text.bytes().begin(), secret_text.bytes().end())) == std::string::npos);
  const CurveClientKeys bad_server{.public_key = z85(ours->public_key), .secret_key = ours->secret_key,
                                   .server_public_key = "short"};
  CHECK_THAT(refused({.endpoint = "tcp://127.0.0.1:5555", .curve = bad_server}), Catch::Contains("server_public_key"));

  auto no_receipts = recorder.handlers();
  no_receipts.receipt = nullptr;
  auto started = Client::start({.endpoint = "ipc:///tmp/x"}, no_receipts);
  REQUIRE_FALSE(started.ok());
  CHECK_THAT(started.status().message(), Catch::Contains("handlers are required"));
}

TEST_CASE("each gateway id reaches its handler once; a repeat after the ack is acked again", "[bridge][client]") {
  Rig rig(ClientOptions{});
  Client& client = *rig.client;
  Recorder& recorder = rig.recorder;
  FakeGateway& gateway = *rig.gateway;
  gateway.await_engine();

  const Mo mo{.id = "g-mo-1", .smsc = "sim", .from = "6281234567890", .to = "1234", .text = "SALDO"};
  const MtResult result{.id = "g-res-1", .mt_id = "e-1", .submitted = true, .message_ids = {"26"}};
  const Receipt receipt{.id = "g-dlr-1", .mt_id = "e-1", .part = 1, .smsc = "sim", .message_id = "26",
                        .state = "DELIVERED"};
  // Unacked: the repeats are dropped.
  for (int i = 0; i < 3; ++i) {
    gateway.send(mo);
    gateway.send(result);
    gateway.send(receipt);
  }
  REQUIRE(eventually([&] { return client.counters().value(kClientReceiptRepeatsUnacked) == 2; }));
  CHECK(recorder.count(recorder.mos) == 1);
  CHECK(recorder.count(recorder.results) == 1);
  CHECK(recorder.count(recorder.receipts) == 1);
  CHECK(recorder.mos[0].text == "SALDO");
  CHECK(recorder.results[0].message_ids == std::vector<std::string>{"26"});
  CHECK(recorder.receipts[0].state == "DELIVERED");
  CHECK(client.counters().value(kClientMoRepeatsUnacked) == 2);
  CHECK(client.counters().value(kClientResultRepeatsUnacked) == 2);
  CHECK_FALSE(gateway.receive(100ms));  // nothing acked by itself

  client.ack_mo(mo.id);
  client.ack_mt_result(result.id);
  client.ack_receipt(receipt.id);
  CHECK(gateway.receive_a<MoAck>()->id == mo.id);
  CHECK(gateway.receive_a<MtResultAck>()->id == result.id);
  CHECK(gateway.receive_a<ReceiptAck>()->id == receipt.id);

  // Acked: a repeat (the ack was lost) is answered with the ack again, not handed over.
  gateway.send(receipt);
  gateway.send(mo);
  gateway.send(result);
  CHECK(gateway.receive_a<ReceiptAck>()->id == receipt.id);
  CHECK(gateway.receive_a<MoAck>()->id == mo.id);
  CHECK(gateway.receive_a<MtResultAck>()->id == result.id);
  CHECK(client.counters().value(kClientMoRepeatsAcked) == 1);
  CHECK(client.counters().value(kClientResultRepeatsAcked) == 1);
  CHECK(client.counters().value(kClientReceiptRepeatsAcked) == 1);
  CHECK(recorder.count(recorder.mos) == 1);
  CHECK(recorder.count(recorder.results) == 1);
  CHECK(recorder.count(recorder.receipts) == 1);
  // The client counts an ack once its send returned, which may be after the gateway read it.
  for (int i = 0; i < 400 && client.counters().value(kClientAcksSent) < 6; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(client.counters().value(kClientAcksSent) == 6);

  // A new id is new; garbage and messages only an engine sends are dropped and counted.
  gateway.send_raw("{not json");
  gateway.send(Mt{.id = "x", .from = "1", .to = "2", .text = "t"});
  gateway.send(Mo{.id = "g-mo-2", .text = "BELI"});
  REQUIRE(recorder.wait([&] { return recorder.mos.size() == 2; }));
  CHECK(recorder.mos[1].id == "g-mo-2");
  CHECK(client.counters().value(kClientBadFrames) == 1);
  CHECK(client.counters().value(kClientUnexpected) == 1);
}

TEST_CASE("the oldest acked ids are forgotten past remembered_acks", "[bridge][client]") {
  Rig rig(ClientOptions{.remembered_acks = 2});
  Client& client = *rig.client;
  Recorder& recorder = rig.recorder;
  FakeGateway& gateway = *rig.gateway;
  gateway.await_engine();
  for (const char* id : {"a", "b", "c"}) {
    gateway.send(Mo{.id = id});
    REQUIRE(recorder.wait([&] { return !recorder.mos.empty() && recorder.mos.back().id == id; }));
    client.ack_mo(id);
    CHECK(gateway.receive_a<MoAck>()->id == id);
  }
  gateway.send(Mo{.id = "c"});  // remembered: acked again
  CHECK(gateway.receive_a<MoAck>()->id == "c");
  gateway.send(Mo{.id = "a"});  // forgotten: handed over again
  REQUIRE(recorder.wait([&] { return recorder.mos.size() == 4; }));
  CHECK(recorder.mos[3].id == "a");
}

TEST_CASE("an MT is repeated every `repeat` until its mt_ack; liveness follows what is heard", "[bridge][client]") {
  ManualClock clock(Clock::WallTime{});
  Rig rig(ClientOptions{.heartbeat = 1000ms, .repeat = 1000ms, .gateway_timeout = 3500ms, .clock = &clock});
  Client& client = *rig.client;
  Recorder& recorder = rig.recorder;
  FakeGateway& gateway = *rig.gateway;
  gateway.await_engine();
  await_connects(client, 1);
  CHECK_FALSE(client.gateway_alive());

  // Refused before anything is sent.
  Mt bad = kMt;
  bad.to = "0812\n";
  const Status refusal = client.send_mt(bad);
  CHECK(refusal.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(refusal.message(), Catch::Contains("\"to\""));
  CHECK(client.unacked_mts() == 0);

  REQUIRE(client.send_mt(kMt).ok());
  CHECK(client.unacked_mts() == 1);
  auto first = gateway.receive_a<Mt>();
  REQUIRE(first);
  CHECK(first->text == kMt.text);
  clock.advance(999ms);
  CHECK_FALSE(gateway.receive(100ms));
  clock.advance(1ms);
  CHECK(gateway.receive_a<Mt>()->id == kMt.id);
  clock.advance(1000ms);
  CHECK(gateway.receive_a<Mt>()->id == kMt.id);
  CHECK(eventually([&] { return client.counters().value(kClientMtRepeated) == 2; }));  // counted after the send
  CHECK(client.counters().value(kClientMtSent) == 1);

  // Anything from the gateway makes it alive; the first mt_ack ends the repeats.
  gateway.send(MtAck{.id = kMt.id});
  REQUIRE(recorder.wait([&] { return recorder.mt_acks.size() == 1; }));
  CHECK(recorder.mt_acks[0].stored);
  CHECK(client.unacked_mts() == 0);
  CHECK(client.gateway_alive());
  gateway.send(MtAck{.id = kMt.id});  // the answer to a repeat
  REQUIRE(eventually([&] { return client.counters().value(kClientMtAcksIgnored) == 1; }));
  CHECK(recorder.count(recorder.mt_acks) == 1);
  clock.advance(2000ms);
  CHECK_FALSE(gateway.receive(100ms));

  // A refusal is final too.
  REQUIRE(client.send_mt(Mt{.id = "e-2", .smsc = "xl", .from = "1234", .to = "628", .text = "x"}).ok());
  CHECK(gateway.receive_a<Mt>()->id == "e-2");
  gateway.send(MtAck{.id = "e-2", .stored = false, .error = "unknown smsc \"xl\""});
  REQUIRE(recorder.wait([&] { return recorder.mt_acks.size() == 2; }));
  CHECK_FALSE(recorder.mt_acks[1].stored);
  CHECK(recorder.mt_acks[1].error == "unknown smsc \"xl\"");
  CHECK(client.counters().value(kClientMtRefused) == 1);

  // Silence for gateway_timeout: not alive, and the handler hears both changes once.
  clock.advance(3499ms);
  std::this_thread::sleep_for(100ms);
  CHECK(client.gateway_alive());
  clock.advance(1ms);
  REQUIRE(eventually([&] { return !client.gateway_alive(); }));
  CHECK(client.counters().value(kClientGatewayLost) == 1);
  CHECK(client.counters().value(kClientReopens) == 1);  // on a fresh socket: a new routing id
  gateway.await_engine(/*new_connection=*/true);
  gateway.send(Heartbeat{});
  REQUIRE(eventually([&] { return client.gateway_alive(); }));
  REQUIRE(recorder.wait([&] { return recorder.states.size() == 3; }));
  CHECK(recorder.states == std::vector<bool>{true, false, true});
  CHECK(client.counters().value(kClientHeartbeatsReceived) == 1);
}

TEST_CASE("after a reconnect every unacked MT is sent again at once", "[bridge][client]") {
  // A repeat far beyond the test: only the reconnect can send the MT again.
  Rig rig(ClientOptions{.repeat = 600s});
  Client& client = *rig.client;
  rig.gateway->await_engine();
  await_connects(client, 1);
  // In send_mt() order, not the ids' order.
  REQUIRE(client.send_mt(Mt{.id = "e-9", .from = "1234", .to = "628", .text = "first"}).ok());
  REQUIRE(client.send_mt(Mt{.id = "e-10", .from = "1234", .to = "628", .text = "second"}).ok());
  CHECK(rig.gateway->receive_a<Mt>()->id == "e-9");
  CHECK(rig.gateway->receive_a<Mt>()->id == "e-10");

  rig.gateway.reset();  // the gateway restarts
  rig.gateway = std::make_unique<FakeGateway>(rig.context, rig.endpoint);
  std::vector<std::string> again;
  for (int i = 0; i < 2; ++i) {
    auto mt = rig.gateway->receive_a<Mt>(5000ms);
    REQUIRE(mt);
    again.push_back(mt->id);
  }
  CHECK(again == std::vector<std::string>{"e-9", "e-10"});
  CHECK(client.counters().value(kClientConnects) == 2);
  CHECK(eventually([&] { return client.counters().value(kClientMtRepeated) == 2; }));  // counted after the send
  CHECK(client.unacked_mts() == 2);
}

TEST_CASE("a frame over max_message_bytes drops the connection, which comes back", "[bridge][client][security]") {
  Rig rig(ClientOptions{.heartbeat = 100ms, .gateway_timeout = 1000ms, .max_message_bytes = 4096});
  Client& client = *rig.client;
  Recorder& recorder = rig.recorder;
  FakeGateway& gateway = *rig.gateway;
  gateway.await_engine();
  gateway.send(Mo{.id = "g-mo-big", .text = std::string(5000, 'x')});
  // libzmq drops the connection for good; after gateway_timeout of silence the client opens
  // a new socket: a second handshake, and the big MO is gone.
  REQUIRE(eventually([&] { return client.counters().value(kClientConnects) == 2; }, 5000ms));
  CHECK(client.counters().value(kClientReopens) == 1);
  gateway.await_engine(/*new_connection=*/true);
  gateway.send(Mo{.id = "g-mo-small", .text = std::string(3000, 'x')});
  REQUIRE(recorder.wait([&] { return recorder.mos.size() == 1; }));
  CHECK(recorder.mos[0].id == "g-mo-small");
}

}  // namespace
}  // namespace pintar::bridge
