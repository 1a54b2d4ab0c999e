// `pintar helpdesk ...`: wiring only. The server, look-ups, diagnosis and keys are in
// helpdesk/ and store/helpdesk_keys.h; this file opens the ledger the configuration names,
// loads the vending key for diagnosis and the PIN key for registry changes, and prints.
#include "cli/helpdesk_cli.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/output.h"
#include "cli/purchases_cli.h"
#include "cli/stats_cli.h"
#include "common/daemon.h"
#include "common/exit_codes.h"
#include "helpdesk/access.h"
#include "helpdesk/diagnosis.h"
#include "helpdesk/helpdesk_config.h"
#include "helpdesk/lookups.h"
#include "helpdesk/registry_actions.h"
#include "helpdesk/server.h"
#include "helpdesk/views.h"
#include "metrics/registry.h"
#include "metrics/server.h"
#include "store/helpdesk_keys.h"
#include "store/ledger_config.h"
#include "store/p2apst_journal.h"
#include "store/sqlite_ledger.h"
#include "store/subscriber_csv.h"
#include "vending/engine/engine_keys.h"

namespace pintar::cli {
namespace {

// The CLI's user holds the ledger file: everything is shown whole.
constexpr helpdesk::Role kWhole = helpdesk::Role::kAdmin;

void must_ok(const Status& s, std::string_view what) {
  if (!s.ok()) fail(exit_code::for_status(s), fmt::format("{}: {}", what, s.message()));
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The vending key for diagnosis: helpdesk.vending_key/kek, else vending.vending_key/kek;
// nullopt (diagnosis then refuses) when none is configured.
std::optional<sts::VendingKey> load_vending_key(const config::Config& config, const helpdesk::HelpdeskOptions& o) {
  const std::string vk = o.vending_key_source.empty() ? config.string("vending.vending_key") : o.vending_key_source;
  const std::string kek = o.kek_source.empty() ? config.string("vending.kek") : o.kek_source;
  if (vk.empty() || kek.empty()) return std::nullopt;
  return must(engine::load_vending_key(vk, kek), exit_code::kConfig, "helpdesk.vending_key");
}

// Everything a helpdesk command reads, opened from the configuration.
struct Opened {
  config::Config config;
  store::LedgerOptions ledger_options;
  std::unique_ptr<store::Ledger> ledger;

  explicit Opened(const Context& context) : config(context.load_config()) {
    ledger_options = store::ledger_options(config);
    ledger_options.chain_key = must(store::chain_key(config), exit_code::kConfig, "ledger.chain_key_secret");
    ledger = must(store::open_ledger(ledger_options), exit_code::kIoError, "ledger");
  }

  // The vending key for diagnosis; nullopt (diagnosis then refuses) when none is configured.
  std::optional<sts::VendingKey> vending_key(const helpdesk::HelpdeskOptions& o) const {
    return load_vending_key(config, o);
  }

  // The PIN key (ledger.pin_key_secret) for the registry changes that make a PIN; nullopt
  // when it does not load (those changes then answer 409), so that a helpdesk without the
  // vending engine's credential still serves its look-ups.
  std::optional<store::PinHasher> pins() const {
    auto hasher = store::pin_hasher(config);
    if (hasher.ok()) return std::move(hasher).value();
    spdlog::warn("helpdesk: no PIN key ({}): new connections, added phones, PIN resets and imports refuse",
                 hasher.status().message());
    return std::nullopt;
  }
};

// helpdesk.web_root, or the installed page, or (a build tree) the source folder's.
std::string web_root(const helpdesk::HelpdeskOptions& o) {
  if (!o.web_root.empty()) return o.web_root;
  for (const std::string& candidate : {std::string("/usr/share/pintar/helpdesk/web"),
                                      std::string(PINTAR_SOURCE_DIR) + "/helpdesk/web"}) {
    if (std::filesystem::is_directory(candidate)) return candidate;
  }
  return "";
}

void serve(const Context& context, daemon::ShutdownSignal& shutdown) {
  Opened opened(context);
  helpdesk::HelpdeskOptions options =
      must(helpdesk::helpdesk_options(opened.config), exit_code::kConfig, "helpdesk configuration");
  options.web_root = web_root(options);
  const metrics::MetricsOptions metrics_options = metrics_options_or_fail(opened.config);
  auto journal = must(store::P2apstPurchases::open(opened.ledger_options), exit_code::kIoError, "purchase journal");
  auto keys = must(store::HelpdeskKeyStore::open(opened.ledger_options), exit_code::kIoError, "helpdesk keys");
  helpdesk::Lookups lookups(*opened.ledger, journal.get());
  helpdesk::TokenDiagnoser diagnoser(*opened.ledger, opened.vending_key(options));
  helpdesk::Actions actions(*opened.ledger, Clock::real());
  helpdesk::Access access(*keys, Clock::real(), options.rate_limit_per_minute);
  const std::optional<store::PinHasher> pins = opened.pins();
  helpdesk::RegistryActions registry(*opened.ledger, Clock::real(), pins ? &*pins : nullptr);
  auto server = must(helpdesk::Server::start(options, {lookups, diagnoser, actions, access, registry}),
                     exit_code::kIoError, "helpdesk");
  // Tests and the demo read the port from this line.
  fmt::print("helpdesk listening on {}://{}:{}\n", server->tls() ? "https" : "http", options.listen, server->port());
  std::fflush(stdout);
  spdlog::info("helpdesk: serving on {}:{} ({}), web page {}", options.listen, server->port(),
               server->tls() ? "TLS" : "plain HTTP", options.web_root.empty() ? "not found" : options.web_root);
  metrics::Registry exported;
  exported.add(server->counters());
  auto metrics_server = metrics::start_or_warn("helpdesk", metrics_options.listen, metrics_options.helpdesk_port, exported);
  daemon::notify_ready();
  while (!shutdown.wait_for(std::chrono::milliseconds(1000))) {
    if (daemon::watchdog_interval()) daemon::notify_watchdog();
  }
  daemon::notify_stopping();
  metrics_server.reset();
  server->stop();
  spdlog::info("helpdesk: stopped");
}

void add_keys(CLI::App& helpdesk, const Context& context) {
  CLI::App* keys = helpdesk.add_subcommand("keys", "The helpdesk's API keys: add, list, revoke");
  keys->require_subcommand(1);
  struct KeyArgs {
    std::string name, role = "viewer", format = "text";
  };
  auto a = std::make_shared<KeyArgs>();
  CLI::App* add = keys->add_subcommand("add", "Make a key; prints it once (only its hash is kept)");
  add->add_option("NAME", a->name, "Who holds it (unique)")->required();
  add->add_option("--role", a->role, "viewer, operator or admin")->check(CLI::IsMember({"viewer", "operator", "admin"}));
  add->callback([&context, a] {
    Opened opened(context);
    auto store = must(store::HelpdeskKeyStore::open(opened.ledger_options), exit_code::kIoError, "helpdesk keys");
    auto key = must(helpdesk::make_key(a->name, *helpdesk::parse_role(a->role), now_ms()), exit_code::kUsage, "key");
    must_ok(store->add(key.row), "helpdesk keys");
    store::WriteSet audit;
    audit.append_audit({.at_ms = now_ms(), .actor = "cli", .action = "helpdesk.key_add",
                        .subject = "helpdesk-key:" + a->name, .detail = fmt::format("role {}, id {}", a->role, key.row.key_id)});
    must_ok(opened.ledger->write(std::move(audit)), "audit");
    fmt::print("{}\n", key.text);
    fmt::print(stderr, "key '{}' ({}) added; it is shown only now: give it to its holder\n", a->name, a->role);
  });
  CLI::App* list = keys->add_subcommand("list", "Every key: name, role, id, created, revoked (never a secret)");
  cli::add_format_option(*list, a->format);
  list->callback([&context, a] {
    Opened opened(context);
    auto store = must(store::HelpdeskKeyStore::open(opened.ledger_options), exit_code::kIoError, "helpdesk keys");
    auto all = must(store->list(), exit_code::kIoError, "helpdesk keys");
    nlohmann::json out = nlohmann::json::array();
    for (const auto& k : all) {
      if (a->format == "json") {
        out.push_back({{"name", k.name}, {"role", k.role}, {"key_id", k.key_id}, {"created_ms", k.created_ms},
                       {"revoked_ms", k.revoked_ms ? nlohmann::json(*k.revoked_ms) : nlohmann::json(nullptr)}});
      } else {
        fmt::print("{:<24} {:<8} {}  created {}{}\n", k.name, k.role, k.key_id, helpdesk::date_time_text(k.created_ms),
                   k.revoked_ms ? "  REVOKED " + helpdesk::date_time_text(*k.revoked_ms) : "");
      }
    }
    if (a->format == "json") fmt::print("{}\n", out.dump(2));
  });
  CLI::App* revoke = keys->add_subcommand("revoke", "Revoke a key: it stops working at its next request");
  revoke->add_option("NAME", a->name, "The key's name")->required();
  revoke->callback([&context, a] {
    Opened opened(context);
    auto store = must(store::HelpdeskKeyStore::open(opened.ledger_options), exit_code::kIoError, "helpdesk keys");
    must_ok(store->revoke(a->name, now_ms()), "revoke");
    store::WriteSet audit;
    audit.append_audit({.at_ms = now_ms(), .actor = "cli", .action = "helpdesk.key_revoke",
                        .subject = "helpdesk-key:" + a->name, .detail = ""});
    must_ok(opened.ledger->write(std::move(audit)), "audit");
    fmt::print("key '{}' revoked\n", a->name);
  });
}

// --since/--until: milliseconds since 1970, or "2026-12-03T05:00:00Z" / "2026-12-03T05:00Z".
Result<int64_t> parse_time(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) return std::stoll(text);
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &consumed) != 5) {
    return Status::invalid_argument(fmt::format("'{}': not a time (2026-12-03T05:00:00Z or milliseconds)", text));
  }
  std::string rest = text.substr(static_cast<size_t>(consumed));
  if (rest.size() == 4 && rest[0] == ':') {
    tm.tm_sec = std::atoi(rest.substr(1, 2).c_str());
    rest = rest.substr(3);
  }
  if (rest != "Z") return Status::invalid_argument(fmt::format("'{}': times are UTC and end in Z", text));
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

struct FindArgs {
  std::string meter, idpel, msisdn, reference, token, state, since, until, cursor, txn, key, format = "text";
  size_t limit = 20;
};

void print_page(const helpdesk::SearchPage& page, const std::string& format) {
  if (format == "json") return fmt::print("{}\n", helpdesk::page_json(page, kWhole).dump(2));
  for (const auto& t : page.purchases) {
    fmt::print("{}  {}  {:<22} meter {} phone {} Rp {}{}\n", helpdesk::date_time_text(t.created_ms), t.txn_id, t.state,
               t.meter_no, t.msisdn, t.amount_rupiah, t.token ? " token " + *t.token : "");
  }
  if (page.next_cursor) fmt::print("more: --cursor '{}'\n", *page.next_cursor);
}

void add_find(CLI::App& helpdesk, const Context& context) {
  CLI::App* find = helpdesk.add_subcommand("find", "The helpdesk's look-ups on the ledger (as the API answers them)");
  find->require_subcommand(1);
  auto a = std::make_shared<FindArgs>();
  auto format = [a](CLI::App* c) {
    cli::add_format_option(*c, a->format);
  };
  CLI::App* purchases = find->add_subcommand("purchases", "Purchases, newest first, a page at a time");
  purchases->add_option("--meter", a->meter, "Meter number (11 digits)");
  purchases->add_option("--idpel", a->idpel, "Customer IDPEL (12 digits): all its meters");
  purchases->add_option("--msisdn", a->msisdn, "The customer's phone (62...)");
  purchases->add_option("--reference", a->reference, "P2APST/PLN reference");
  purchases->add_option("--token", a->token, "The 20 digits");
  purchases->add_option("--state", a->state, "Purchase states, comma separated (needs_manual,sent)");
  purchases->add_option("--since", a->since, "Made at or after (2026-12-03T05:00Z or ms)");
  purchases->add_option("--until", a->until, "Made before");
  purchases->add_option("--cursor", a->cursor, "Next page: the cursor the previous page printed");
  purchases->add_option("--limit", a->limit, "Page size")->check(CLI::Range(size_t{1}, helpdesk::kMaxPageSize));
  format(purchases);
  purchases->callback([&context, a] {
    Opened opened(context);
    helpdesk::Lookups lookups(*opened.ledger, nullptr);
    helpdesk::SearchRequest r;
    auto set = [](const std::string& v) { return v.empty() ? std::nullopt : std::optional<std::string>(v); };
    r.meter = set(a->meter);
    r.idpel = set(a->idpel);
    r.msisdn = set(a->msisdn);
    r.reference = set(a->reference);
    r.token = set(a->token);
    r.cursor = set(a->cursor);
    if (!a->state.empty()) r.states = helpdesk::split_commas(a->state);
    if (!a->since.empty()) r.since_ms = must(parse_time(a->since), exit_code::kUsage, "--since");
    if (!a->until.empty()) r.until_ms = must(parse_time(a->until), exit_code::kUsage, "--until");
    r.limit = a->limit;
    auto page = lookups.search(r);
    if (!page.ok()) fail(exit_code::for_status(page.status()), page.status().message());
    print_page(*page, a->format);
  });
  CLI::App* purchase = find->add_subcommand("purchase", "One purchase's whole timeline");
  purchase->add_option("TXN", a->txn, "The purchase id")->required();
  format(purchase);
  purchase->callback([&context, a] {
    Opened opened(context);
    auto journal = must(store::P2apstPurchases::open(opened.ledger_options), exit_code::kIoError, "journal");
    helpdesk::Lookups lookups(*opened.ledger, journal.get());
    auto timeline = lookups.timeline(a->txn);
    if (!timeline.ok()) fail(exit_code::for_status(timeline.status()), timeline.status().message());
    if (a->format == "json") return fmt::print("{}\n", helpdesk::timeline_json(*timeline, kWhole).dump(2));
    print_timeline(*timeline, kWhole);
  });
  CLI::App* records = find->add_subcommand("records", "A meter's records: customer, modem, phones, credit, events");
  records->add_option("KEY", a->key, "Meter number, IDPEL or MSISDN")->required();
  format(records);
  records->callback([&context, a] {
    Opened opened(context);
    helpdesk::Lookups lookups(*opened.ledger, nullptr);
    auto found = lookups.records(a->key);
    if (!found.ok()) fail(exit_code::for_status(found.status()), found.status().message());
    // The records are nested; text is the same JSON, indented.
    fmt::print("{}\n", helpdesk::records_json(*found, kWhole).dump(a->format == "json" ? 2 : 1));
  });
}

void add_diagnose(CLI::App& helpdesk, const Context& context) {
  auto a = std::make_shared<FindArgs>();
  CLI::App* diagnose = helpdesk.add_subcommand("diagnose", "What a token is for a meter, and what the meter made of it");
  diagnose->add_option("METER", a->meter, "The meter number")->required();
  diagnose->add_option("TOKEN", a->token, "The 20 digits (spaces, dashes allowed)")->required();
  cli::add_format_option(*diagnose, a->format);
  diagnose->callback([&context, a] {
    Opened opened(context);
    helpdesk::HelpdeskOptions options =
        must(helpdesk::helpdesk_options(opened.config), exit_code::kConfig, "helpdesk configuration");
    helpdesk::TokenDiagnoser diagnoser(*opened.ledger, opened.vending_key(options));
    auto d = diagnoser.diagnose(a->meter, a->token);
    if (!d.ok()) fail(exit_code::for_status(d.status()), d.status().message());
    if (a->format == "json") return fmt::print("{}\n", helpdesk::diagnosis_json(*d).dump(2));
    fmt::print("{}: {}\n", d->verdict, d->summary);
  });
}

// `pintar helpdesk registry ...`: the API's registry changes on the ledger file, audited as
// "helpdesk:cli:<login>" (the CLI has no key: whoever holds the ledger file is admin).
void add_registry(CLI::App& helpdesk, const Context& context) {
  CLI::App* registry = helpdesk.add_subcommand(
      "registry",
      "Registry changes (new connection, migration to two-way, power, modem swap, phones, PIN reset), each audited");
  registry->require_subcommand(1);
  struct RegistryArgs {
    helpdesk::RegistryFields fields;
    std::string meter, msisdn, idpel, tariff, power_va, modem_msisdn, key_id, one_way_meter, language = "id", reason,
        format = "text";
  };
  auto a = std::make_shared<RegistryArgs>();
  auto common = [a](CLI::App* c) {
    c->add_option("--reason", a->reason, "Why (3 to 200 characters): written to the audit log")->required();
    cli::add_format_option(*c, a->format);
  };
  // Runs `change` with the registry actions on the opened ledger; prints `done` or fails.
  auto run = [&context, a](const std::function<Result<nlohmann::json>(helpdesk::RegistryActions&,
                                                                      const helpdesk::Caller&)>& change) {
    Opened opened(context);
    const std::optional<store::PinHasher> pins = opened.pins();
    helpdesk::RegistryActions actions(*opened.ledger, Clock::real(), pins ? &*pins : nullptr);
    const char* login = std::getenv("USER");
    const helpdesk::Caller caller{.key_id = "", .name = fmt::format("cli:{}", login ? login : "?"),
                                  .role = helpdesk::Role::kAdmin};
    auto done = change(actions, caller);
    if (!done.ok()) fail(exit_code::for_status(done.status()), done.status().message());
    if (a->format == "json") return fmt::print("{}\n", done->dump(2));
    for (const auto& [name, value] : done->items()) {
      fmt::print("{}: {}\n", name, value.is_string() ? value.get<std::string>() : value.dump());
    }
  };
  auto pin_sms = [](const std::string& meter, Result<std::string> sms) -> Result<nlohmann::json> {
    if (!sms.ok()) return sms.status();
    return nlohmann::json{{"meter", meter}, {"pin_sms", *sms}};
  };

  // A new connection's fields: the import file's columns but the PIN, which is made here.
  auto connection_fields = [a](CLI::App* c) {
    for (std::string_view column : store::SubscriberCsvParser::column_names()) {
      if (column == "pin") continue;
      std::string flag = "--" + std::string(column);
      std::ranges::replace(flag, '_', '-');
      c->add_option_function<std::string>(
           flag, [a, name = std::string(column)](const std::string& v) { a->fields[name] = v; },
           fmt::format("The import file's {} column (store/README.md)", column))
          ->required();
    }
  };
  CLI::App* connect = registry->add_subcommand(
      "connect", "A new connection: a meter, its modem and a first phone (the phone gets a one-time PIN by SMS)");
  connection_fields(connect);
  common(connect);
  connect->callback([run, a, pin_sms] {
    run([&](helpdesk::RegistryActions& r, const helpdesk::Caller& c) {
      return pin_sms(a->fields["meter_no"], r.new_connection(c, a->fields, a->reason));
    });
  });

  CLI::App* migrate = registry->add_subcommand(
      "migrate", "A migration to two-way: a new connection whose meter replaces a one-way (keypad-only) meter");
  connection_fields(migrate);
  migrate->add_option("--one-way-meter", a->one_way_meter, "The one-way meter it replaces (11 digits)")->required();
  common(migrate);
  migrate->callback([run, a, pin_sms] {
    run([&](helpdesk::RegistryActions& r, const helpdesk::Caller& c) -> Result<nlohmann::json> {
      auto done = pin_sms(a->fields["meter_no"], r.two_way_migration(c, a->fields, a->one_way_meter, a->reason));
      if (done.ok()) (*done)["migrated_from"] = a->one_way_meter;
      return done;
    });
  });

  CLI::App* power = registry->add_subcommand("power", "A power change: the customer's tariff and VA");
  power->add_option("IDPEL", a->idpel, "The customer")->required();
  power->add_option("TARIFF", a->tariff, "Tariff class (R1, R1M, B2...)")->required();
  power->add_option("VA", a->power_va, "Contracted power in VA")->required();
  common(power);
  power->callback([run, a] {
    run([&](helpdesk::RegistryActions& r, const helpdesk::Caller& c) -> Result<nlohmann::json> {
      PINTAR_RETURN_IF_ERROR(r.power_change(c, a->idpel, a->tariff, a->power_va, a->reason));
      return nlohmann::json{{"idpel", a->idpel}, {"tariff", a->tariff}, {"power_va", a->power_va}};
    });
  });

  CLI::App* modem = registry->add_subcommand("modem-swap", "The meter's modem: a new MSISDN and/or key id");
  modem->add_option("METER", a->meter, "The meter number")->required();
  modem->add_option("MODEM_MSISDN", a->modem_msisdn, "The modem's number (62...)")->required();
  modem->add_option("KEY_ID", a->key_id, "The modem key's id")->required();
  common(modem);
  modem->callback([run, a] {
    run([&](helpdesk::RegistryActions& r, const helpdesk::Caller& c) -> Result<nlohmann::json> {
      PINTAR_RETURN_IF_ERROR(r.modem_swap(c, a->meter, a->modem_msisdn, a->key_id, a->reason));
      return nlohmann::json{{"meter", a->meter}, {"modem_msisdn", a->modem_msisdn}, {"key_id", a->key_id}};
    });
  });

  auto phone_args = [a](CLI::App* c) {
    c->add_option("METER", a->meter, "The meter number")->required();
    c->add_option("MSISDN", a->msisdn, "The customer's phone (62...)")->required();
  };
  CLI::App* add_phone = registry->add_subcommand("add-phone", "A phone more for the meter (a one-time PIN by SMS)");
  phone_args(add_phone);
  add_phone->add_option("--language", a->language, "id or en: the language of its SMS");
  common(add_phone);
  add_phone->callback([run, a, pin_sms] {
    run([&](helpdesk::RegistryActions& r, const helpdesk::Caller& c) {
      return pin_sms(a->meter, r.add_phone(c, a->meter, a->msisdn, a->language, a->reason));
    });
  });
  CLI::App* remove_phone = registry->add_subcommand("remove-phone", "A phone no longer allowed to buy for the meter");
  phone_args(remove_phone);
  common(remove_phone);
  remove_phone->callback([run, a] {
    run([&](helpdesk::RegistryActions& r, const helpdesk::Caller& c) -> Result<nlohmann::json> {
      PINTAR_RETURN_IF_ERROR(r.remove_phone(c, a->meter, a->msisdn, a->reason));
      return nlohmann::json{{"meter", a->meter}, {"removed", true}};
    });
  });
  CLI::App* reset = registry->add_subcommand("reset-pin", "A new one-time PIN by SMS for (meter, phone); clears a lock");
  phone_args(reset);
  common(reset);
  reset->callback([run, a, pin_sms] {
    run([&](helpdesk::RegistryActions& r, const helpdesk::Caller& c) {
      return pin_sms(a->meter, r.reset_pin(c, a->meter, a->msisdn, a->reason));
    });
  });
}

}  // namespace

void add_helpdesk_commands(CLI::App& app, const Context& context) {
  CLI::App* helpdesk = app.add_subcommand("helpdesk", "The helpdesk: HTTP API and web page, keys, look-ups");
  helpdesk->require_subcommand(1);
  CLI::App* serve_cmd = helpdesk->add_subcommand("serve", "Serve the API and web page ([helpdesk] keys)");
  auto check = std::make_shared<bool>(false);
  serve_cmd->add_flag("--check", *check,
                      "Load the configuration and the keys a start needs (chain key, vending key), then exit: 0 "
                      "when usable, 78 when not. Opens no ledger, listens on nothing");
  serve_cmd->callback([&context, check] {
    if (*check) {
      const config::Config config = context.load_config();
      helpdesk::HelpdeskOptions options =
          must(helpdesk::helpdesk_options(config), exit_code::kConfig, "helpdesk configuration");
      must(store::chain_key(config), exit_code::kConfig, "ledger.chain_key_secret");
      load_vending_key(config, options);
      metrics_options_or_fail(config);
      fmt::print("helpdesk configuration: OK\n");
      return;
    }
    auto shutdown = daemon::ShutdownSignal::install();
    if (!shutdown.ok()) fail(exit_code::for_status(shutdown.status()), shutdown.status().to_string());
    serve(context, *shutdown);
  });
  add_keys(*helpdesk, context);
  add_find(*helpdesk, context);
  add_diagnose(*helpdesk, context);
  add_registry(*helpdesk, context);
}

}  // namespace pintar::cli
