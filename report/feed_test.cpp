// The feed's pump, wire form and HTTP sink. The sink is driven against a real HTTP server on
// loopback (cpp-httplib's); the pump's failures come from a sink that refuses on cue, the
// one fault a real receiver cannot be asked to make at an exact batch.
#include "report/feed.h"

#include <atomic>
#include <thread>

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "report/feed_json.h"
#include "report/feed_sinks.h"
#include "store/test_support.h"

namespace pintar::report {
namespace {

using store::testing::sample_transaction;

struct World {
  std::string dir = store::testing::make_temp_dir();
  store::LedgerOptions options = store::testing::options_in(dir);
  std::unique_ptr<store::Ledger> ledger = store::open_ledger(options).value();
  std::unique_ptr<store::FeedStore> feed = store::FeedStore::open(options).value();

  // n purchases, each received then completed: n feed records.
  void completed(int first, int count) {
    for (int n = first; n < first + count; ++n) {
      store::TransactionRecord t = sample_transaction(n);
      store::WriteSet w;
      w.append_transaction(t);
      t.version = 2;
      t.state = "completed";
      t.reference = fmt::format("REF{}", n);
      w.append_transaction(t);
      REQUIRE(ledger->write(std::move(w)).ok());
    }
  }
};

// Takes batches, refusing the next `refuse` of them.
class CountingSink final : public FeedSink {
 public:
  std::string consumer() const override { return "test"; }
  Status deliver(std::span<const store::FeedRecord> batch) override {
    if (refuse > 0) {
      --refuse;
      return Status::unavailable("refused on cue");
    }
    for (const auto& r : batch) seqs.push_back(r.seq);
    return Status::ok_status();
  }
  int refuse = 0;
  std::vector<int64_t> seqs;
};

TEST_CASE("feed pump: batches in order from the cursor; a refused batch leaves the cursor", "[report][feed]") {
  World w;
  w.completed(1, 7);
  CountingSink sink;
  FeedPump pump(*w.feed, sink, {.batch = 3}, Clock::real());
  sink.refuse = 2;
  CHECK(pump.step().status().code() == StatusCode::kUnavailable);
  CHECK(pump.step().status().code() == StatusCode::kUnavailable);
  CHECK(w.feed->cursor("test")->delivered_seq == 0);
  CHECK(*pump.step() == 3);
  CHECK(*pump.step() == 3);
  CHECK(w.feed->cursor("test")->delivered_seq == 6);
  CHECK(*pump.step() == 1);
  CHECK(*pump.step() == 0);
  w.completed(8, 2);
  CHECK(*pump.step() == 2);
  CHECK(sink.seqs == std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9});  // each once, no gap
  CHECK(pump.counters().value(kFeedDelivered) == 9);
  CHECK(pump.counters().value(kFeedBatches) == 4);
  CHECK(pump.counters().value(kFeedFailures) == 2);

  // A second pump on the same cursor (a restart) goes on from it.
  CountingSink again;
  FeedPump restarted(*w.feed, again, {.batch = 3}, Clock::real());
  CHECK(*restarted.step() == 0);
  w.completed(10, 1);
  CHECK(*restarted.step() == 1);
  CHECK(again.seqs == std::vector<int64_t>{10});
}

TEST_CASE("feed pump: run() retries after a backoff and stops when asked", "[report][feed]") {
  World w;
  w.completed(1, 5);
  CountingSink sink;
  sink.refuse = 3;
  FeedPump pump(*w.feed, sink,
                {.batch = 2, .poll = std::chrono::milliseconds(10), .backoff_min = std::chrono::milliseconds(5),
                 .backoff_max = std::chrono::milliseconds(20)},
                Clock::real());
  std::jthread runner([&](std::stop_token stop) { pump.run(stop); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (w.feed->cursor("test")->delivered_seq < 5 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  runner.request_stop();
  runner.join();
  CHECK(w.feed->cursor("test")->delivered_seq == 5);
  CHECK(pump.counters().value(kFeedFailures) == 3);
  CHECK(pump.counters().value(kFeedDelivered) == 5);
}

TEST_CASE("feed wire form: the record's fields, and HMAC-SHA256 signatures (RFC 4231)", "[report][feed]") {
  World w;
  w.completed(1, 1);
  const auto records = w.feed->records_after(0, 10).value();
  REQUIRE(records.size() == 1);
  const nlohmann::json body = nlohmann::json::parse(batch_body(records));
  CHECK(body["feed"] == "pintar");
  CHECK(body["schema"] == 1);
  REQUIRE(body["records"].size() == 1);
  const nlohmann::json& r = body["records"][0];
  CHECK(r["seq"] == 1);
  CHECK(r["txn_id"] == "txn-1");
  CHECK(r["version"] == 2);
  CHECK(r["state"] == "completed");
  CHECK(r["resolved"] == false);
  CHECK(r["meter_no"] == "14012345678");
  CHECK(r["msisdn"] == "6281234567890");
  CHECK(r["amount_rupiah"] == 20001);
  CHECK(r["reference"] == "REF1");
  CHECK(r["token"].is_null());
  CHECK(r["created_ms"] == 1'700'000'000'001);
  CHECK(r.size() == 15);

  // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
  const Secret jefe(std::vector<uint8_t>{'J', 'e', 'f', 'e'});
  CHECK(signature(jefe, "what do ya want for nothing?") ==
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("feed URLs: scheme, host, port and path, or a clear error", "[report][feed]") {
  auto t = parse_http_url("https://pln.example:8443/feed/v1").value();
  CHECK(t.scheme == "https");
  CHECK(t.host == "pln.example");
  CHECK(t.port == 8443);
  CHECK(t.path == "/feed/v1");
  CHECK(parse_http_url("http://127.0.0.1")->port == 80);
  CHECK(parse_http_url("http://127.0.0.1")->path == "/");
  CHECK(parse_http_url("https://[::1]:9000/x")->host == "::1");
  for (const char* bad : {"ftp://x/", "pln.example/feed", "http://:80/", "http://x:0/", "http://x:99999/",
                          "http://x:8a/", "http://[::1/"}) {
    INFO(bad);
    CHECK(parse_http_url(bad).status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("feed HTTP sink: signed POSTs; anything but 2xx or no answer is Unavailable", "[report][feed]") {
  World w;
  w.completed(1, 4);
  const Secret secret(std::vector<uint8_t>(32, 's'));
  httplib::Server receiver;
  std::atomic<int> answer{503};
  std::vector<std::string> bodies;
  std::mutex mutex;
  receiver.Post("/feed", [&](const httplib::Request& request, httplib::Response& response) {
    const bool signed_right = request.get_header_value(kSignatureHeader) == signature(secret, request.body);
    response.status = signed_right ? answer.load() : 401;
    if (signed_right && response.status == 200) {
      std::lock_guard lock(mutex);
      bodies.push_back(request.body);
    }
  });
  const int port = receiver.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { receiver.listen_after_bind(); });
  while (!receiver.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  auto sink = HttpFeedSink::create({.url = fmt::format("http://127.0.0.1:{}/feed", port)}, secret).value();
  const auto records = w.feed->records_after(0, 10).value();
  CHECK(sink->deliver(records).code() == StatusCode::kUnavailable);  // 503
  answer = 200;
  CHECK(sink->deliver(records).ok());
  CHECK(sink->deliver(std::span(records).subspan(2)).ok());
  // Signed with another secret: the receiver refuses it.
  auto stranger = HttpFeedSink::create({.url = fmt::format("http://127.0.0.1:{}/feed", port)},
                                       Secret(std::vector<uint8_t>(32, 'x')))
                      .value();
  CHECK(stranger->deliver(records).code() == StatusCode::kUnavailable);
  receiver.stop();
  serving.join();
  REQUIRE(bodies.size() == 2);
  CHECK(nlohmann::json::parse(bodies[0])["records"].size() == 4);
  CHECK(nlohmann::json::parse(bodies[1])["records"][0]["seq"] == 3);
  // Nobody listening.
  CHECK(sink->deliver(records).code() == StatusCode::kUnavailable);
  CHECK(HttpFeedSink::create({.url = "http://127.0.0.1:1/feed"}, Secret(std::vector<uint8_t>(8, 'k')))
            .status()
            .code() == StatusCode::kInvalidArgument);  // a secret too short to sign with
}

}  // namespace
}  // namespace pintar::report
