#include "smpp/bind_machine.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

namespace pintar::smpp {
namespace {

using enum LinkState;
using E = BindEvent;

// Captures what the default logger writes while a test runs.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64)), previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("capture", sink_);
    logger->set_level(spdlog::level::debug);
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>("%l %v", spdlog::pattern_time_type::local, ""));
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::vector<std::string> lines() { return sink_->last_formatted(); }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

// docs/smpp.md, "Bind state machine": every row, written out again so a change to the
// table in bind_machine.cpp has to be made here (and in the doc) as well.
const std::map<std::pair<LinkState, BindEvent>, LinkState> kExpected = {
    {{kIdle, E::kReconnectDue}, kConnecting},
    {{kIdle, E::kStop}, kStopped},
    {{kConnecting, E::kEstablished}, kBinding},
    {{kConnecting, E::kLinkLost}, kIdle},
    {{kConnecting, E::kClosedForStop}, kStopped},
    {{kBinding, E::kBindOk}, kBound},
    {{kBinding, E::kBindRefused}, kBindFailed},
    {{kBinding, E::kLinkLost}, kIdle},
    {{kBinding, E::kClosedForStop}, kStopped},
    {{kBound, E::kThrottle}, kThrottled},
    {{kBound, E::kLinkLost}, kIdle},
    {{kBound, E::kStop}, kUnbinding},
    {{kBound, E::kClosedForStop}, kStopped},
    {{kThrottled, E::kThrottle}, kThrottled},
    {{kThrottled, E::kPauseOver}, kBound},
    {{kThrottled, E::kLinkLost}, kIdle},
    {{kThrottled, E::kStop}, kUnbinding},
    {{kThrottled, E::kClosedForStop}, kStopped},
    {{kUnbinding, E::kThrottle}, kUnbinding},
    {{kUnbinding, E::kClosedForStop}, kStopped},
    {{kBindFailed, E::kReconnectDue}, kConnecting},
    {{kBindFailed, E::kStop}, kStopped},
};

TEST_CASE("bind machine: the table has exactly the documented rows") {
  std::set<std::pair<LinkState, BindEvent>> seen;
  for (const BindTransition& row : bind_transitions()) {
    INFO(link_state_name(row.from) << " + " << bind_event_name(row.event));
    CHECK(seen.insert({row.from, row.event}).second);  // one row per (state, event)
    auto expected = kExpected.find({row.from, row.event});
    REQUIRE(expected != kExpected.end());
    CHECK(row.to == expected->second);
  }
  CHECK(seen.size() == kExpected.size());
}

TEST_CASE("bind machine: every row is allowed and logged; every other pair refused and logged") {
  for (size_t s = 0; s < kLinkStateCount; ++s) {
    for (size_t e = 0; e < kBindEventCount; ++e) {
      const auto state = static_cast<LinkState>(s);
      const auto event = static_cast<BindEvent>(e);
      INFO(link_state_name(state) << " + " << bind_event_name(event));
      LogCapture capture;
      const std::optional<LinkState> to = bind_transition("sim#0", state, event, "why");
      CHECK(to == next_link_state(state, event));
      const std::vector<std::string> lines = capture.lines();
      REQUIRE(lines.size() == 1);
      auto expected = kExpected.find({state, event});
      if (expected != kExpected.end()) {
        REQUIRE(to.has_value());
        CHECK(*to == expected->second);
        CHECK(lines[0] == fmt::format("debug smpp sim#0: {} -> {} on {} (why)", link_state_name(state),
                                      link_state_name(*to), bind_event_name(event)));
      } else {
        CHECK(!to.has_value());
        CHECK(lines[0] == fmt::format("warning smpp sim#0: {} refused in state {} (why)", bind_event_name(event),
                                      link_state_name(state)));
      }
    }
  }
}

TEST_CASE("bind machine: a stopped bind takes no event; every state but stopped can reach stopped") {
  for (size_t e = 0; e < kBindEventCount; ++e) {
    CHECK(!next_link_state(kStopped, static_cast<BindEvent>(e)).has_value());
  }
  for (size_t s = 0; s < kLinkStateCount; ++s) {
    const auto state = static_cast<LinkState>(s);
    if (state == kStopped) continue;
    INFO(link_state_name(state));
    const auto stop = next_link_state(state, E::kStop);
    const auto closed = next_link_state(state, E::kClosedForStop);
    const bool reaches = (stop && (*stop == kStopped || next_link_state(*stop, E::kClosedForStop) == kStopped)) ||
                         closed == kStopped;
    CHECK(reaches);
  }
}

TEST_CASE("bind machine: states are named as in docs/smpp.md and report the public BindState") {
  REQUIRE(link_states().size() == kLinkStateCount);
  CHECK(std::string(link_state_name(kBindFailed)) == "bind_failed");
  CHECK(std::string(link_state_name(kThrottled)) == "throttled");
  CHECK(link_states()[static_cast<size_t>(kIdle)].reported == BindState::kDisconnected);
  CHECK(link_states()[static_cast<size_t>(kBinding)].reported == BindState::kConnecting);
  CHECK(link_states()[static_cast<size_t>(kThrottled)].reported == BindState::kThrottled);
  CHECK(!link_states()[static_cast<size_t>(kUnbinding)].reported.has_value());
  for (const LinkStateSpec& spec : link_states()) {
    if (spec.state != kStopped) CHECK(std::string(spec.timer) != "");
  }
}

}  // namespace
}  // namespace pintar::smpp
