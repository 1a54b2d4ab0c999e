// `pintar demo`: the README's first command. A real SMS top-up through the real daemons and
// the simulators (cli/world.h), shown as a timeline read back from the ledger and the SMSC.
#include "cli/demo.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "cli/world.h"
#include "common/exit_codes.h"

#ifndef PINTAR_SOURCE_DIR
#define PINTAR_SOURCE_DIR "."
#endif
#ifndef PINTAR_BUILD_DIR
#define PINTAR_BUILD_DIR "."
#endif

namespace pintar::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string self_path() {
  std::error_code ec;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "pintar" : path.string();
}

void say(std::string_view text) { fmt::print("{}\n", text); }

void indent(std::string_view text, std::string_view prefix = "    ") {
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    fmt::print("{}{}\n", prefix, text.substr(start, nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
}

// Sends `text` from `phone`, waits for the reply SMS, and returns its text.
std::string exchange(World& world, const std::string& phone, const std::string& text, size_t& seen) {
  world.send_sms(phone, text);
  const nlohmann::json box = world.wait_inbox(phone, seen, seconds(30));
  seen = box.size();
  return box.back().value("text", std::string());
}

// Waits until the phone's newest purchase reaches an end state; prints its timeline.
void show_purchase(World& world, const std::string& phone) {
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  for (;;) {
    CommandResult shown = world.pintar({"purchases", "show", "--msisdn", phone, "--last"});
    const bool ended = shown.out.find("state: completed") != std::string::npos ||
                       shown.out.find("state: refused") != std::string::npos ||
                       shown.out.find("state: needs_manual") != std::string::npos;
    if (ended || std::chrono::steady_clock::now() > deadline) {
      indent(shown.out);
      if (shown.exit_status != 0) indent(shown.err);
      return;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
}

// Where a running demo (--keep-running) says how to reach its phones.
std::string current_demo_file() { return (std::filesystem::temp_directory_path() / "pintar-demo-current").string(); }

void demo_sms(const std::string& from, const std::string& text) {
  std::ifstream in(current_demo_file());
  int port = 0;
  std::string short_code;
  if (!(in >> port >> short_code)) fail(exit_code::kUnavailable, "no demo is running (start one with 'pintar demo --keep-running')");
  httplib::Client client("127.0.0.1", port);
  const nlohmann::json body = {{"from", from}, {"to", short_code}, {"text", text}};
  const auto result = client.Post("/sms", body.dump(), "application/json");
  if (!result || result->status / 100 != 2) fail(exit_code::kUnavailable, "the demo's phones did not take the SMS");
  fmt::print("sent; watch the answer with: pintar demo inbox {}\n", from);
}

void demo_inbox(const std::string& phone) {
  std::ifstream in(current_demo_file());
  int port = 0;
  if (!(in >> port)) fail(exit_code::kUnavailable, "no demo is running (start one with 'pintar demo --keep-running')");
  httplib::Client client("127.0.0.1", port);
  const auto result = client.Get("/inbox/" + phone);
  if (!result || result->status / 100 != 2) fail(exit_code::kUnavailable, "the demo's phones did not answer");
  for (const auto& sms : nlohmann::json::parse(result->body)) {
    fmt::print("{} -> {}: {}\n", sms.value("from", ""), phone, sms.value("text", ""));
  }
}

// Leaves the world up until SIGINT/SIGTERM, telling the person how to use it.
void keep_world_running(World& world, uint16_t phones_port) {
  {
    std::ofstream out(current_demo_file(), std::ios::trunc);
    out << phones_port << ' ' << world.options().short_code << '\n';
  }
  fmt::print("\nThe world keeps running. From another terminal:\n"
             "  pintar demo sms 6281234567890 \"CEK 11000000004\"\n  pintar demo inbox 6281234567890\n"
             "  pintar -c {} purchases list\nCtrl-C stops everything.\n", world.config_path());
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  int received = 0;
  sigwait(&signals, &received);
  std::error_code ec;
  std::filesystem::remove(current_demo_file(), ec);
  fmt::print("\nstopping the world\n");
}

}  // namespace

void add_demo_command(CLI::App& app, const Context& context) {
  CLI::App* demo = app.add_subcommand(
      "demo", "Run a real SMS top-up through pintar gateway and pintar vending against local simulators");
  auto options = std::make_shared<WorldOptions>();
  options->source_dir = PINTAR_SOURCE_DIR;
  options->build_dir = PINTAR_BUILD_DIR;
  auto keep_running = std::make_shared<bool>(false);
  demo->add_option("--source", options->source_dir, "The source tree (its tests/peers simulators)");
  demo->add_option("--build", options->build_dir, "The build tree (its meter_fleet and phones)");
  demo->add_flag("--keep-running", *keep_running,
                 "Leave the world running after the story; send SMS with 'pintar demo sms FROM TEXT'; Ctrl-C stops");
  CLI::App* sms = demo->add_subcommand("sms", "Send an SMS from a phone of a running demo (--keep-running)");
  CLI::App* inbox = demo->add_subcommand("inbox", "The SMS a phone of a running demo has received");
  auto inbox_phone = std::make_shared<std::string>();
  inbox->add_option("PHONE", *inbox_phone, "The phone (MSISDN)")->required();
  inbox->callback([inbox_phone] { demo_inbox(*inbox_phone); });
  auto sms_from = std::make_shared<std::string>();
  auto sms_text = std::make_shared<std::string>();
  sms->add_option("FROM", *sms_from, "The phone (MSISDN)")->required();
  sms->add_option("TEXT", *sms_text, "The text")->required();
  sms->callback([sms_from, sms_text] { demo_sms(*sms_from, *sms_text); });
  demo->callback([&context, options, keep_running, demo] {
    if (demo->got_subcommand("sms") || demo->got_subcommand("inbox")) return;
    context.load_config();
    options->pintar = self_path();
    options->work_dir =
        (std::filesystem::temp_directory_path() / fmt::format("pintar-demo-{}", ::getpid())).string();
    say("pintar demo: customers buy electricity by SMS, through the real pintar gateway and pintar vending.");
    say("Nothing leaves this machine: every simulator listens on 127.0.0.1 only.");
    say(fmt::format("\n1. The world (everything in {})", options->work_dir));
    std::unique_ptr<World> world;
    try {
      world = std::make_unique<World>(*options);
    } catch (const std::exception& e) {
      fail(exit_code::kUnavailable, e.what());
    }
    indent(world->describe(), "  ");
    const uint16_t phones_port = world->phones_port();
    const WorldCustomer& dewi = options->customers[0];
    const WorldCustomer& budi = options->customers[1];
    size_t dewi_seen = 0;
    size_t budi_seen = 0;
    try {
      say(fmt::format("\n2. {} ({}) buys Rp 50,000 for her own meter {} with her PIN", dewi.name, dewi.phone,
                      dewi.meter));
      const std::string text = fmt::format("TOKEN {} 50000 {}", dewi.meter, dewi.pin);
      fmt::print("  SMS {} -> {}: \"TOKEN {} 50000 ******\"\n", dewi.phone, options->short_code, dewi.meter);
      const std::string receipt = exchange(*world, dewi.phone, text, dewi_seen);
      fmt::print("  SMS {} -> {}: \"{}\"\n", options->short_code, dewi.phone, receipt);
      show_purchase(*world, dewi.phone);

      say(fmt::format("\n3. {} ({}) buys Rp 50,000 for {}'s meter: not his, so pintar asks him to confirm", budi.name,
                      budi.phone, dewi.name));
      fmt::print("  SMS {} -> {}: \"BELI {} 50000\"\n", budi.phone, options->short_code, dewi.meter);
      const std::string question = exchange(*world, budi.phone, fmt::format("BELI {} 50000", dewi.meter), budi_seen);
      fmt::print("  SMS {} -> {}: \"{}\"\n", options->short_code, budi.phone, question);
      fmt::print("  SMS {} -> {}: \"YA ******\"\n", budi.phone, options->short_code);
      const std::string answer = exchange(*world, budi.phone, "YA " + budi.pin, budi_seen);
      fmt::print("  SMS {} -> {}: \"{}\"\n", options->short_code, budi.phone, answer);
      show_purchase(*world, budi.phone);

      say(fmt::format("\n4. A wrong PIN: refused, nothing charged"));
      fmt::print("  SMS {} -> {}: \"TOKEN {} 20000 ******\" (a wrong PIN)\n", dewi.phone, options->short_code,
                 dewi.meter);
      const std::string refusal =
          exchange(*world, dewi.phone, fmt::format("TOKEN {} 20000 000000", dewi.meter), dewi_seen);
      fmt::print("  SMS {} -> {}: \"{}\"\n", options->short_code, dewi.phone, refusal);
    } catch (const std::exception& e) {
      fail(exit_code::kSoftware, std::string("the demo stopped: ") + e.what());
    }
    say("\n5. The ledger keeps every step, hash-chained");
    indent(world->pintar({"ledger", "verify"}).out);
    fmt::print("\nLook at it yourself: pintar -c {} purchases list   (or customers show {})\n", world->config_path(),
               dewi.phone);
    // The helpdesk on this ledger (docs/helpdesk.md): the demo's admin key, made now.
    const CommandResult key = world->pintar({"helpdesk", "keys", "add", "demo", "--role", "admin"});
    if (key.exit_status == 0) {
      fmt::print("The helpdesk: pintar -c {} helpdesk serve   then open http://127.0.0.1:8480/\n"
                 "  and log in with the demo's admin key: {}\n",
                 world->config_path(), key.out.substr(0, key.out.find('\n')));
    }
    if (*keep_running) {
      keep_world_running(*world, phones_port);
    }
  });
}

}  // namespace pintar::cli
