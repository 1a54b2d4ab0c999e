// EngineStub: a stand-in for the vending engine on the gateway's ZeroMQ link, for
// integration tests and bench/smpp. It is a bridge::Client (bridge/client.h: heartbeats,
// de-duplication of the gateway's repeats, MTs repeated until their mt_ack, resent after a
// reconnect) that acknowledges what the gateway sends (unless told not to) and records it.
//
// Threads: the client's thread runs the handlers; every public method is thread-safe.
// Construction throws std::runtime_error when the client cannot start (a test bug).
#ifndef PINTAR_TESTS_SUPPORT_ENGINE_STUB_H_
#define PINTAR_TESTS_SUPPORT_ENGINE_STUB_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "bridge/client.h"
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

  void send_mt(bridge::Mt mt);  // an MT that fails validate() is recorded as refused at once
  // true: acknowledges the MOs held unacked so far, and every later one.
  void set_ack_mo(bool ack);

  // Distinct messages by id, in order of first arrival, and how many arrived in all
  // (repeats included: the client's counters of the repeats it dropped or re-acked).
  std::vector<bridge::Mo> mos() const;
  size_t mo_arrivals() const;
  std::vector<bridge::MoRepeat> mo_repeats() const;  // every one, in order of arrival
  std::map<std::string, bridge::MtResult> results() const;  // by mt_id (the last new id for it)
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
  bridge::Client::Handlers handlers();
  // The repeats the client dropped or answered itself, for the *_arrivals() counts.
  size_t repeats(bridge::BridgeClientCounter unacked, bridge::BridgeClientCounter acked) const;

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  Options options_;
  std::vector<std::string> unacked_mos_;  // handed over while ack_mo was false
  std::vector<bridge::Mo> mos_;
  std::vector<bridge::MoRepeat> mo_repeats_;
  std::set<std::string> mo_ids_;
  std::map<std::string, bridge::MtResult> results_;
  std::vector<bridge::Receipt> receipts_;
  std::set<std::string> mt_acked_;
  std::map<std::string, std::string> mt_refused_;
  std::unique_ptr<bridge::Client> client_;  // last: its thread stops before the rest goes
};

}  // namespace pintar::testing

#endif  // PINTAR_TESTS_SUPPORT_ENGINE_STUB_H_
