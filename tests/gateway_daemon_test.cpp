// `pintar gateway` as a daemon (docs/gateway.md, docs/deploy.md): systemd's READY, WATCHDOG
// and STOPPING, a watchdog kept fed while the queue file is locked, and kill -9 with MO and
// MT in flight.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "sqlite/connection.h"
#include "tests/support/engine_stub.h"
#include "tests/support/gateway_process.h"
#include "tests/support/process.h"
#include "tests/support/smsc_sim.h"

namespace pintar::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// The end of sd_notify(3) that systemd listens on: a datagram socket named by $NOTIFY_SOCKET,
// read all the time on a thread of its own, as systemd does (an unread socket fills after
// about ten datagrams and then blocks the daemon's sendmsg).
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path), fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(path.size() < sizeof address.sun_path);
    std::copy(path.begin(), path.end(), address.sun_path);
    REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    reader_ = std::thread([this] { read_all(); });
  }
  ~NotifySocket() {
    done_ = true;
    reader_.join();
    ::close(fd_);
  }
  const std::string& path() const { return path_; }
  std::vector<std::string> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  size_t count(const std::string& message) {
    const auto all = messages();
    return static_cast<size_t>(std::count(all.begin(), all.end(), message));
  }
  // When each message arrived, in order; (arrival, message).
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::string>> arrivals() {
    std::lock_guard lock(mutex_);
    return arrivals_;
  }

 private:
  void read_all() {
    while (!done_) {
      pollfd fds{fd_, POLLIN, 0};
      if (::poll(&fds, 1, 50) <= 0) continue;
      char buffer[512];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) continue;
      std::lock_guard lock(mutex_);
      messages_.emplace_back(buffer, static_cast<size_t>(n));
      arrivals_.emplace_back(std::chrono::steady_clock::now(), messages_.back());
    }
  }

  std::string path_;
  int fd_;
  std::atomic<bool> done_{false};
  std::mutex mutex_;
  std::vector<std::string> messages_;
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::string>> arrivals_;
  std::thread reader_;
};

TEST_CASE("under systemd: READY once serving, WATCHDOG while running, STOPPING on SIGTERM", "[gateway][integration]") {
  SmscSim sim(default_sim_config());
  GatewayProcess gateway(sim);
  NotifySocket notify(make_temp_dir("notify") + "/notify.sock");
  // The child inherits them, as from systemd: WatchdogSec=400ms asks for a ping every 200 ms.
  ::setenv("NOTIFY_SOCKET", notify.path().c_str(), 1);
  ::setenv("WATCHDOG_USEC", "400000", 1);
  gateway.start();
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  EngineStub engine(gateway.endpoint());
  REQUIRE(engine.wait_for_gateway(10s));
  for (int i = 0; i < 200 && notify.count("WATCHDOG=1") < 4; ++i) std::this_thread::sleep_for(50ms);
  const auto running = notify.messages();
  REQUIRE(!running.empty());
  CHECK(running.front() == "READY=1");
  CHECK(notify.count("READY=1") == 1);
  CHECK(notify.count("WATCHDOG=1") >= 4);
  CHECK(notify.count("STOPPING=1") == 0);
  CHECK(gateway.stop() == 0);
  for (int i = 0; i < 40 && notify.count("STOPPING=1") == 0; ++i) std::this_thread::sleep_for(25ms);
  CHECK(notify.count("STOPPING=1") == 1);
}

TEST_CASE("housekeeping on a locked queue file does not stall the loop: the watchdog keeps being fed",
          "[gateway][integration]") {
  SmscSim sim(default_sim_config());
  GatewayProcess gateway(sim);
  NotifySocket notify(make_temp_dir("notify") + "/notify.sock");
  ::setenv("NOTIFY_SOCKET", notify.path().c_str(), 1);
  ::setenv("WATCHDOG_USEC", "400000", 1);  // a ping every 200 ms
  gateway.start();
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  EngineStub engine(gateway.endpoint());
  REQUIRE(engine.wait_for_gateway(10s));
  const auto arrivals = notify.arrivals();
  REQUIRE(!arrivals.empty());
  REQUIRE(arrivals.front().second == "READY=1");
  const auto ready = arrivals.front().first;

  // Another process (a backup, the sqlite3 shell) holds the queue's write lock across the
  // first housekeeping, 10 s after READY, and longer than the queue's busy timeout (5 s):
  // its two commits wait for the lock. On the loop they held it for as long, no heartbeat and
  // no watchdog ping went out, and systemd (WatchdogSec=) would have killed the gateway.
  auto other = sqlite::Connection::open(gateway.dir() + "/gateway-queue.db", {.busy_timeout_ms = 5000, .create = false});
  REQUIRE(other.ok());
  REQUIRE(other->exec("BEGIN IMMEDIATE").ok());
  const auto locked = std::chrono::steady_clock::now();
  std::this_thread::sleep_until(ready + 17s);  // the lock's duration, not an assertion
  REQUIRE(other->exec("COMMIT").ok());
  other = sqlite::Connection();
  const auto unlocked = std::chrono::steady_clock::now();
  // The watchdog pings after the unlock: the last gap closes with the first of them.
  REQUIRE(engine.wait_until([&] {
    const auto all = notify.arrivals();
    return all.back().first > unlocked && all.back().second == "WATCHDOG=1";
  }, 10s));

  std::chrono::steady_clock::duration longest{};
  std::optional<std::chrono::steady_clock::time_point> previous;
  size_t pings = 0;
  for (const auto& [at, message] : notify.arrivals()) {
    if (message != "WATCHDOG=1" || at < locked) continue;
    if (previous) longest = std::max(longest, at - *previous);
    previous = at;
    ++pings;
  }
  INFO("longest gap between watchdog pings while the file was locked: "
       << std::chrono::duration_cast<std::chrono::milliseconds>(longest).count() << " ms over " << pings << " pings");
  CHECK(longest < 3s);
  CHECK(gateway.stop() == 0);
}

TEST_CASE("kill -9 of the gateway with MO and MT in flight: everything arrives after restart", "[gateway][integration]") {
  json config = default_sim_config();
  config["resp_delay_ms"] = 10;
  SmscSim sim(config);
  GatewayProcess gateway(sim);
  gateway.start();
  EngineStub engine(gateway.endpoint(), {.ack_mo = false});
  REQUIRE(engine.wait_for_gateway(10s));

  constexpr int kMo = 40, kMt = 300;
  for (int i = 0; i < kMo / 2; ++i) {
    sim.post("/mo", {{"from", "6281200"}, {"to", "1234"}, {"text", fmt::format("mo {:03}", i)}});
  }
  REQUIRE(engine.wait_for_mos(kMo / 2, 20s));  // stored by the gateway, never acknowledged
  for (int i = 0; i < kMt; ++i) engine.send_mt(mt(fmt::format("k{}", i), fmt::format("kill {:03}", i)));
  for (int i = kMo / 2; i < kMo; ++i) {
    sim.post("/mo", {{"from", "6281200"}, {"to", "1234"}, {"text", fmt::format("mo {:03}", i)}});
  }
  REQUIRE(engine.wait_until([&] { return engine.results().size() >= 50; }, 20s));
  CHECK(gateway.stop(SIGKILL) == 128 + SIGKILL);

  gateway.start();
  engine.set_ack_mo(true);
  REQUIRE(engine.wait_for_results(kMt, 60s));
  CHECK(submitted_count(engine) == kMt);
  // Each MO the SMSC sent arrives, whether it was stored before the kill (sent again by the
  // restarted gateway) or left unanswered by it (sent again by the SMSC), and under one id
  // only: engine.mos() holds one entry per id, so a text counted twice was stored twice.
  const auto mo_texts = [&] {
    std::map<std::string, int> texts;
    for (const auto& mo : engine.mos()) ++texts[mo.text];
    return texts;
  };
  CHECK(engine.wait_until([&] { return mo_texts().size() >= kMo; }, 30s));
  const auto counted = mo_texts();
  CHECK(counted.size() == kMo);
  for (const auto& [text, count] : counted) {
    INFO(text);
    // Nothing lost, nothing doubled: when the kill falls between the commit and the
    // deliver_sm_resp, the SMSC delivers again and the queue knows the deliver_sm's key.
    CHECK(count == 1);
  }

  // Every MT reached the SMSC; repeats are bounded by 2 × window × binds.
  const auto texts = sim_texts(sim);
  size_t duplicates = 0;
  for (int i = 0; i < kMt; ++i) {
    const size_t n = texts.count(fmt::format("kill {:03}", i));
    CHECK(n >= 1);
    duplicates += n > 1 ? n - 1 : 0;
  }
  CHECK(duplicates <= 20);
  CHECK(gateway.stop() == 0);
}

}  // namespace
}  // namespace pintar::testing
