// EngineStub: a stand-in for the vending engine on the gateway's ZeroMQ link (protocol in
// docs/gateway.md), for integration tests and bench/smpp. It connects a DEALER socket,
// sends heartbeats, acknowledges what the gateway sends (unless told not to), records it,
// and sends MTs, repeating each until its mt_ack.
//
// Threads: one internal thread owns the socket; every public method is thread-safe.
#ifndef PINTAR_TESTS_SUPPORT_ENGINE_STUB_H_
#define PINTAR_TESTS_SUPPORT_ENGINE_STUB_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bridge/protocol.h"

namespace pintar::testing {

class EngineStub {
 public:
  struct Options {
    bool ack_mo = true;
    bool ack_results = true;
    bool ack_receipts = true;
    std::chrono::milliseconds mt_retry{1000};
  };
  EngineStub(std::string endpoint, Options options);
  explicit EngineStub(std::string endpoint) : EngineStub(std::move(endpoint), Options{}) {}
  ~EngineStub();
  EngineStub(const EngineStub&) = delete;
  EngineStub& operator=(const EngineStub&) = delete;

  void send_mt(bridge::Mt mt);
  void set_ack_mo(bool ack);

  // Distinct messages by id, in order of first arrival, and how many arrived in all.
  std::vector<bridge::Mo> mos() const;
  size_t mo_arrivals() const;
  std::map<std::string, bridge::MtResult> results() const;  // by mt_id (the last one)
  size_t result_arrivals() const;
  std::vector<bridge::Receipt> receipts() const;
  size_t receipt_count() const;   // receipts().size(), without the copy
  size_t result_count() const;    // results().size(), without the copy
  std::set<std::string> mt_acked() const;
  std::map<std::string, std::string> mt_refused() const;      // mt id -> error

  // Waits until `done()` is true (checked after every change and every 10 ms, without the
  // stub's lock, so it may call the accessors); false on timeout.
  bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) const;
  // Shortcuts for wait_until.
  bool wait_for_mos(size_t n, std::chrono::milliseconds timeout) const;
  bool wait_for_results(size_t n, std::chrono::milliseconds timeout) const;
  bool wait_for_receipts(size_t n, std::chrono::milliseconds timeout) const;
  // Waits for a heartbeat from the gateway that came after this call.
  bool wait_for_gateway(std::chrono::milliseconds timeout) const;

 private:
  void run();
  void handle(const bridge::Message& message, std::vector<bridge::Message>& replies);

  const std::string endpoint_;
  Options options_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stop_ = false;
  std::deque<bridge::Mt> to_send_;
  std::map<std::string, std::pair<bridge::Mt, std::chrono::steady_clock::time_point>> unacked_mts_;
  std::vector<bridge::Mo> mos_;
  std::set<std::string> mo_ids_;
  size_t mo_arrivals_ = 0;
  std::map<std::string, bridge::MtResult> results_;
  size_t result_arrivals_ = 0;
  std::vector<bridge::Receipt> receipts_;
  std::set<std::string> receipt_ids_;
  std::set<std::string> mt_acked_;
  size_t heartbeats_ = 0;
  std::map<std::string, std::string> mt_refused_;
  std::thread thread_;
};

}  // namespace pintar::testing

#endif  // PINTAR_TESTS_SUPPORT_ENGINE_STUB_H_
