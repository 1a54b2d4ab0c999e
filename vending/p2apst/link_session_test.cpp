#include "vending/p2apst/link_session.h"

#include <catch2/catch.hpp>

namespace pintar::p2apst {
namespace {

using namespace std::chrono_literals;
using enum LinkEvent;
using enum LinkState;

LinkOptions options() {
  LinkOptions o;
  o.request_timeout = 40s;
  o.echo_interval = 60s;
  o.reconnect_min = 1s;
  o.reconnect_max = 60s;
  return o;
}

// A session signed on at the clock's time.
LinkSession signed_on(ManualClock& clock) {
  LinkSession s(options(), 1);
  CHECK(s.handle(kStart, clock.steady_now()).connect);
  const LinkActions connected = s.handle(kConnected, clock.steady_now());
  CHECK(connected.send_network == LinkSession::kSignOnCode);
  CHECK(connected.timer == clock.steady_now() + 40s);
  clock.advance(100ms);
  const LinkActions up = s.handle(kSignOnApproved, clock.steady_now());
  CHECK(up.signed_on);
  CHECK(s.state() == kSignedOn);
  CHECK(s.last_problem().empty());
  return s;
}

TEST_CASE("link session: sign-on, then an echo after echo_interval of silence") {
  ManualClock clock(Clock::WallTime{});
  LinkSession s = signed_on(clock);
  // Traffic 30 s in moves the echo on: the timer that fires at 60 s re-arms to 90 s.
  clock.advance(30s);
  s.traffic(clock.steady_now());
  clock.advance(30s);
  const LinkActions early = s.handle(kTimerExpired, clock.steady_now());
  CHECK_FALSE(early.send_network);
  CHECK(early.rearm);
  CHECK(early.timer == clock.steady_now() + 30s);
  CHECK(s.state() == kSignedOn);
  clock.advance(30s);
  const LinkActions echo = s.handle(kTimerExpired, clock.steady_now());
  CHECK(echo.send_network == LinkSession::kEchoCode);
  CHECK(echo.echo_sent);
  CHECK(s.state() == kEchoing);
  CHECK(is_signed_on(s.state()));  // financial traffic goes on during the echo
  s.traffic(clock.steady_now());
  CHECK(s.handle(kEchoAnswered, clock.steady_now()).timer == clock.steady_now() + 60s);
  CHECK(s.state() == kSignedOn);
}

TEST_CASE("link session: an unanswered echo closes the link and backs off") {
  ManualClock clock(Clock::WallTime{});
  LinkSession s = signed_on(clock);
  clock.advance(60s);
  s.handle(kTimerExpired, clock.steady_now());
  clock.advance(40s);
  const LinkActions lost = s.handle(kTimerExpired, clock.steady_now());
  CHECK(lost.close);
  CHECK(lost.link_lost);
  CHECK(lost.signed_off);
  CHECK(s.state() == kBackoff);
  CHECK(s.last_problem() == "echo test not answered in time");
  REQUIRE(lost.timer);
  CHECK(*lost.timer - clock.steady_now() >= 500ms);
  CHECK(*lost.timer - clock.steady_now() <= 1000ms);
  clock.advance_to(*lost.timer);
  CHECK(s.handle(kTimerExpired, clock.steady_now()).connect);
  CHECK(s.state() == kConnecting);
}

TEST_CASE("link session: refused sign-ons back off longer each time") {
  ManualClock clock(Clock::WallTime{});
  LinkSession s(options(), 1);
  s.handle(kStart, clock.steady_now());
  std::vector<Millis> delays;
  for (int i = 0; i < 5; ++i) {
    s.handle(kConnected, clock.steady_now());
    const LinkActions refused = s.handle(kSignOnRefused, clock.steady_now(), "sign-on refused with 0005");
    CHECK(refused.close);
    CHECK(refused.sign_on_refused);
    CHECK_FALSE(refused.link_lost);  // never signed on
    CHECK(s.last_problem() == "sign-on refused with 0005");
    delays.push_back(std::chrono::duration_cast<Millis>(*refused.timer - clock.steady_now()));
    clock.advance_to(*refused.timer);
    s.handle(kTimerExpired, clock.steady_now());
  }
  for (size_t i = 0; i < delays.size(); ++i) {
    const Millis full = Millis(1000 << i);
    CHECK(delays[i] >= full / 2);
    CHECK(delays[i] <= full);
  }
}

TEST_CASE("link session: 0011 signs on again on the same connection; sign-on timeout closes") {
  ManualClock clock(Clock::WallTime{});
  LinkSession s = signed_on(clock);
  const LinkActions again = s.handle(kSignOnFirst, clock.steady_now());
  CHECK(again.send_network == LinkSession::kSignOnCode);
  CHECK(again.signed_off);
  CHECK_FALSE(again.close);
  CHECK(s.state() == kSigningOn);
  clock.advance(40s);
  const LinkActions timed_out = s.handle(kTimerExpired, clock.steady_now());
  CHECK(timed_out.close);
  CHECK(timed_out.sign_on_refused);
  CHECK(timed_out.link_lost);  // this connection had been signed on
  CHECK(s.last_problem() == "sign-on not answered in time");
}

TEST_CASE("link session: stop signs off when signed on, waits at most 2 s, and ignores what it does not expect") {
  ManualClock clock(Clock::WallTime{});
  LinkSession s = signed_on(clock);
  const LinkActions off = s.handle(kStop, clock.steady_now());
  CHECK(off.send_network == LinkSession::kSignOffCode);
  CHECK(off.timer == clock.steady_now() + 2s);
  const LinkActions ignored = s.handle(kEchoAnswered, clock.steady_now());
  CHECK_FALSE(ignored.rearm);
  CHECK(s.state() == kSigningOff);
  clock.advance(2s);
  const LinkActions closed = s.handle(kTimerExpired, clock.steady_now());
  CHECK(closed.close);
  CHECK_FALSE(closed.timer);
  CHECK(s.state() == kStopped);

  LinkSession never(options(), 1);
  never.handle(kStart, clock.steady_now());
  never.handle(kConnectFailed, clock.steady_now(), "connect 127.0.0.1:1: Connection refused");
  CHECK(never.state() == kBackoff);
  const LinkActions stopped = never.handle(kStop, clock.steady_now());
  CHECK_FALSE(stopped.send_network);  // nothing to sign off
  CHECK(never.state() == kStopped);
}

}  // namespace
}  // namespace pintar::p2apst
