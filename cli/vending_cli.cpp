// `pintar vending`: the vending engine daemon (docs/vending.md). This file only wires the
// parts together: the ledger, the P2APST link and purchase journal, the token maker and the
// modem link, the engine, and the ZeroMQ client on the gateway's ROUTER. All state is in the
// ledger, so a restart resumes from it alone.
#include "cli/vending_cli.h"

#include <atomic>
#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bridge/client.h"
#include "bridge/curve.h"
#include "cli/stats_cli.h"
#include "common/daemon.h"
#include "common/exit_codes.h"
#include "common/secret.h"
#include "metrics/registry.h"
#include "metrics/server.h"
#include "report/daily_schedule.h"
#include "report/report_config.h"
#include "store/ledger_config.h"
#include "vending/engine/ledger_purchase_journal.h"
#include "store/sqlite_ledger.h"
#include "vending/engine/engine.h"
#include "vending/engine/engine_keys.h"
#include "vending/engine/modem_link.h"
#include "vending/engine/token_maker.h"
#include "vending/engine/vending_config.h"
#include "vending/p2apst/link.h"
#include "vending/p2apst/p2apst_config.h"
#include "vending/p2apst/prepaid.h"
#include "vending/p2apst/stan.h"

namespace pintar::cli {
namespace {

// The engine's door to the gateway. The client starts after the engine (its handlers call
// the engine), so until attach() an MT is refused as Unavailable: the engine keeps it pending
// in the ledger and sends it again (start() and on_gateway_state).
class ClientPort final : public engine::GatewayPort {
 public:
  void attach(bridge::Client* client) { client_.store(client); }
  Status send_mt(bridge::Mt mt) override {
    bridge::Client* client = client_.load();
    if (client == nullptr) return Status::unavailable("the gateway link is not up yet");
    return client->send_mt(std::move(mt));
  }
  void ack_mo(std::string id) override {
    if (bridge::Client* client = client_.load()) client->ack_mo(std::move(id));
  }
  void ack_mt_result(std::string id) override {
    if (bridge::Client* client = client_.load()) client->ack_mt_result(std::move(id));
  }
  void ack_receipt(std::string id) override {
    if (bridge::Client* client = client_.load()) client->ack_receipt(std::move(id));
  }

 private:
  std::atomic<bridge::Client*> client_{nullptr};
};

// Everything the daemon holds, in the order it is built (and destroyed in reverse).
struct Vending {
  explicit Vending(config::Config loaded) : config(std::move(loaded)) {}
  config::Config config;
  engine::VendingOptions options;
  p2apst::Options p2apst;
  metrics::MetricsOptions metrics_options;
  std::unique_ptr<store::Ledger> ledger;
  std::unique_ptr<p2apst::StanSequence> stans;
  std::unique_ptr<p2apst::PurchaseJournal> journal;
  std::unique_ptr<p2apst::Link> link;
  std::unique_ptr<p2apst::Prepaid> prepaid;
  std::optional<store::PinHasher> pins;
  std::unique_ptr<meters::ModemKeyring> modem_keys;
  std::unique_ptr<engine::TokenMaker> tokens;
  std::unique_ptr<engine::ModemLink> modems;
  ClientPort port;
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<bridge::Client> client;
};

// Loads and checks everything a start needs except the network: configuration, secrets,
// keys. Shared by --check and the daemon.
void load(Vending& v) {
  v.options = must(engine::options_from(v.config), exit_code::kConfig, "vending configuration");
  v.p2apst = must(p2apst::options_from(v.config), exit_code::kConfig, "p2apst configuration");
  v.pins.emplace(must(store::pin_hasher(v.config), exit_code::kConfig, "ledger.pin_key_secret"));
  v.modem_keys = must(engine::load_modem_keyring(v.options.modem_keys_source), exit_code::kConfig, "vending.modem_keys");
  v.metrics_options = metrics_options_or_fail(v.config);
}

// What /metrics exports (docs/metrics.md; the same list as declared_metrics(kVending)).
void add_sources(const Vending& v, metrics::Registry& registry) {
  registry.add(v.engine->counters());
  registry.add(v.link->counters());
  registry.add(v.modems->counters());
  registry.add(v.modems->auth_counters());
  registry.add(v.ledger->counters());
  registry.add(v.client->counters());
  registry.add(v.engine->mo_to_token());
  registry.add(v.link->round_trip());
}

// The gateway link: this file's gateway.zmq_endpoint unless vending.gateway_endpoint names
// another; CURVE with the engine's secret key and the gateway's pinned public key.
Result<bridge::ClientOptions> client_options(const Vending& v) {
  bridge::ClientOptions options;
  options.endpoint = v.options.gateway_endpoint.empty() ? v.config.string("gateway.zmq_endpoint")
                                                          : v.options.gateway_endpoint;
  if (!v.options.zmq_curve_secret_source.empty()) {
    auto loaded = Secret::load(v.options.zmq_curve_secret_source);
    if (!loaded.ok()) return loaded.status().with_context("vending.zmq_curve_secret");
    auto secret = bridge::curve_secret_key(*loaded);
    if (!secret.ok()) return secret.status().with_context("vending.zmq_curve_secret");
    auto public_key = bridge::curve_public_key(*secret);
    if (!public_key.ok()) return public_key.status().with_context("vending.zmq_curve_secret");
    options.curve = bridge::CurveClientKeys{.public_key = bridge::z85(*public_key),
                                            .secret_key = std::move(*secret),
                                            .server_public_key = v.options.gateway_public_key};
  }
  if (Status status = bridge::validate(options); !status.ok()) return status;
  return options;
}

void run(const Context& context, daemon::ShutdownSignal& shutdown) {
  Vending v(context.load_config());
  load(v);
  std::optional<sts::VendingKey> vending_key;
  if (v.options.token_source == engine::TokenSource::kLocal) {
    vending_key = must(engine::load_vending_key(v.options.vending_key_source, v.options.kek_source), exit_code::kConfig,
                       "vending.vending_key");
  }
  store::LedgerOptions ledger_options = store::ledger_options(v.config);
  ledger_options.chain_key = must(store::chain_key(v.config), exit_code::kConfig, "ledger.chain_key_secret");
  v.ledger = must(store::open_ledger(ledger_options), exit_code::kIoError, "ledger");
  // The STAN file's lock is also what keeps a second engine from resuming this one's
  // in-flight purchases (docs/p2apst.md, "One process at a time").
  v.stans = must(p2apst::FileStanSequence::open(v.p2apst.stan_file), exit_code::kTempFail, "p2apst.stan_file");
  v.journal = must(engine::LedgerPurchaseJournal::open(ledger_options), exit_code::kIoError, "purchase journal");
  v.link = std::make_unique<p2apst::Link>(v.p2apst.link, v.p2apst.partner, *v.stans, Clock::real());
  v.link->start();
  // Serve only once signed on, or after a bounded wait: MOs the gateway holds for us (a restart
  // mid-traffic) would otherwise all be refused as "P2APST down" in the first second. Past the
  // wait the engine serves anyway and customers are told while P2APST is down.
  if (!v.link->wait_signed_on(v.p2apst.link.connect_timeout + v.p2apst.link.request_timeout)) {
    spdlog::warn("vending: not signed on to P2APST yet ({}); serving, purchases are refused until it is",
                 v.link->last_problem());
  }
  v.prepaid = std::make_unique<p2apst::Prepaid>(*v.link, *v.journal, v.p2apst);
  v.tokens = engine::make_token_maker(v.options.token_source, *v.ledger, std::move(vending_key), Clock::real());
  v.modems = std::make_unique<engine::ModemLink>(*v.ledger, *v.modem_keys, v.options.replay_window);
  v.engine = std::make_unique<engine::Engine>(
      engine::EngineDeps{.ledger = *v.ledger, .prepaid = *v.prepaid, .tokens = *v.tokens, .modems = *v.modems,
                         .pins = *v.pins, .gateway = v.port, .clock = Clock::real()},
      v.options);
  engine::Engine& eng = *v.engine;
  bridge::Client::Handlers handlers{
      .mo = [&eng](bridge::Mo mo) { eng.on_mo(std::move(mo)); },
      .mt_result = [&eng](bridge::MtResult result) { eng.on_mt_result(std::move(result)); },
      .receipt = [&eng](bridge::Receipt receipt) { eng.on_receipt(std::move(receipt)); },
      .mt_ack = [&eng](bridge::MtAck ack) { eng.on_mt_ack(std::move(ack)); },
      .mo_repeat = [&eng](bridge::MoRepeat repeat) { eng.on_mo_repeat(std::move(repeat)); },
      .gateway_state = [&eng](bool alive) { eng.on_gateway_state(alive); },
  };
  bridge::ClientOptions link = must(client_options(v), exit_code::kConfig, "gateway link");
  const std::string endpoint = link.endpoint;
  v.client = must(bridge::Client::start(std::move(link), std::move(handlers)), exit_code::kConfig, "gateway link");
  v.port.attach(v.client.get());
  if (Status status = eng.start(); !status.ok()) fail(exit_code::for_status(status), status.to_string());
  metrics::Registry registry;
  add_sources(v, registry);
  auto metrics_server = metrics::start_or_warn("vending", v.metrics_options.listen, v.metrics_options.vending_port, registry);
  spdlog::info("vending: serving (gateway {}, P2APST {}:{}, tokens {})", endpoint,
               v.p2apst.link.host, v.p2apst.link.port,
               v.options.token_source == engine::TokenSource::kLocal ? "local" : "p2apst");
  // The daily PLN file (docs/pln-daily.md): its own thread, so a slow write never delays
  // the watchdog or a sale; it reads through a read-only connection of its own.
  auto daily_file = std::make_unique<report::DailySchedule>(
      ledger_options, must(report::report_options(v.config), exit_code::kConfig, "report configuration"),
      Clock::real());
  daemon::notify_ready();
  const auto watchdog = daemon::watchdog_interval();
  const auto tick = watchdog ? std::chrono::duration_cast<std::chrono::milliseconds>(*watchdog)
                             : std::chrono::milliseconds(1000);
  while (!shutdown.wait_for(tick)) {
    if (watchdog) daemon::notify_watchdog();
  }
  daemon::notify_stopping();
  spdlog::info("vending: stopping");
  metrics_server.reset();  // it reads the parts stopped below
  daily_file.reset();
  // No new work, then no link: the engine finishes its current steps (each durable before it
  // acts), and whatever is left is resumed from the ledger by the next start.
  v.engine->stop();
  v.port.attach(nullptr);
  v.client.reset();
  v.link->stop();
  spdlog::info("vending: stopped\n{}{}", v.engine->counters().to_text(), v.client ? "" : "");
}

}  // namespace

void add_vending_command(CLI::App& app, const Context& context) {
  CLI::App* command = app.add_subcommand(
      "vending", "Run the vending engine: customers' SMS from the gateway become P2APST purchases and STS tokens");
  auto check = std::make_shared<bool>(false);
  command->add_flag("--check", *check,
                    "Load the configuration, its secrets and keys as a start would, then exit: 0 when "
                    "they are usable, 78 when not. Opens no ledger, connects nothing");
  command->callback([&context, check] {
    if (*check) {
      Vending v(context.load_config());
      load(v);
      if (v.options.token_source == engine::TokenSource::kLocal) {
        must(engine::load_vending_key(v.options.vending_key_source, v.options.kek_source), exit_code::kConfig,
             "vending.vending_key");
      }
      must(client_options(v), exit_code::kConfig, "gateway link");
      fmt::print("vending configuration: OK\n");
      return;
    }
    // Block SIGTERM/SIGINT before any thread starts, so every thread inherits the mask.
    auto shutdown = daemon::ShutdownSignal::install();
    if (!shutdown.ok()) fail(exit_code::for_status(shutdown.status()), shutdown.status().to_string());
    run(context, *shutdown);
  });
}

}  // namespace pintar::cli
