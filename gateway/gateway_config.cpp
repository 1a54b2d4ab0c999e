#include "gateway/gateway_config.h"

#include <charconv>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "bridge/curve.h"
#include "common/secret.h"

namespace pintar::gateway {
namespace {

using config::Key;
using config::Type;

constexpr int64_t kDay = 24 * 3600;

constexpr Key kGatewayKeys[] = {
    {.path = "gateway.zmq_endpoint", .type = Type::kString, .default_value = "ipc:///run/pintar-gateway/engine.sock",
     .description = "ZeroMQ ROUTER endpoint the gateway binds and the vending engines connect to: ipc:// (its "
                    "directory must be the gateway user's and 0700; only that user's processes are admitted) or "
                    "tcp:// (needs zmq_curve_secret and zmq_engine_keys); docs/gateway.md."},
    {.path = "gateway.zmq_curve_secret", .type = Type::kString, .default_value = "",
     .description = "Where the gateway's CURVE secret key is kept (credential:NAME, file:, env:, hex:; 32 octets or "
                    "40 Z85 characters; `pintar keys zmq` makes one). Set: the link is a CURVE server. Empty = no "
                    "CURVE (ipc:// only)."},
    {.path = "gateway.zmq_engine_keys", .type = Type::kStringList, .default_value = "",
     .description = "Public keys (40 Z85 characters each) of the vending engines admitted over CURVE; any other "
                    "client is refused at the handshake."},
    {.path = "gateway.zmq_max_message_bytes", .type = Type::kInteger, .default_value = "65536",
     .description = "A frame from an engine larger than this drops its connection (ZMQ_MAXMSGSIZE).",
     .min = 1024, .max = 16 * 1024 * 1024},
    {.path = "gateway.queue_path", .type = Type::kString, .default_value = "gateway-queue.db",
     .description = "SQLite file holding every MO, MT and receipt the gateway has not yet handed over."},
    {.path = "gateway.queue_synchronous", .type = Type::kString, .default_value = "FULL",
     .description = "FULL: a message is acknowledged only after fsync (survives power loss); NORMAL: survives a "
                    "crash of the process, not of the machine.",
     .choices = "FULL|NORMAL"},
    {.path = "gateway.engine_retry_ms", .type = Type::kInteger, .default_value = "2000",
     .description = "An MO, MT result or receipt not acknowledged by the engine is sent again after this long.",
     .min = 10, .max = 3600000},
    {.path = "gateway.engine_heartbeat_ms", .type = Type::kInteger, .default_value = "1000",
     .description = "Interval of the gateway's heartbeat to each connected engine.", .min = 10, .max = 600000},
    {.path = "gateway.engine_liveness_ms", .type = Type::kInteger, .default_value = "5000",
     .description = "An engine not heard from for this long is considered gone; its unacknowledged messages go to "
                    "another engine.",
     .min = 10, .max = 3600000},
    {.path = "gateway.max_unacked", .type = Type::kInteger, .default_value = "1000",
     .description = "Messages of each kind (mo, mt_result, receipt) sent to the engines and not yet acknowledged.",
     .min = 1, .max = 1000000},
    {.path = "gateway.receipt_match_wait_s", .type = Type::kInteger, .default_value = "600",
     .description = "A receipt whose message id matches no MT waits this long for the MT's submit_sm_resp, then "
                    "goes to the engine without mt_id.",
     .min = 1, .max = 30 * kDay},
    {.path = "gateway.retention_days", .type = Type::kInteger, .default_value = "7",
     .description = "Finished MTs are kept this long to match late receipts, then forgotten.", .min = 1, .max = 3650},
    {.path = "gateway.mo_dedup_window_s", .type = Type::kInteger, .default_value = "120",
     .description = "A deliver_sm identical to one stored this recently (same SMSC, source, destination, esm_class "
                    "and user data with its UDH) is an SMSC redelivery: answered ESME_ROK and not stored again. A "
                    "customer repeating the very same SMS within it is taken as one request too, so keep it near the SMSC's "
                    "redelivery time (docs/gateway.md).",
     .min = 1, .max = 7 * kDay},
    {.path = "gateway.mo_incomplete_per_source", .type = Type::kInteger, .default_value = "4",
     .description = "Long MOs from one sender whose parts are not all in yet; a part opening one more is answered "
                    "0x14 ESME_RMSGQFUL (the SMSC retries later).",
     .min = 1, .max = 1000},
    {.path = "gateway.mo_incomplete_bytes", .type = Type::kInteger, .default_value = "1048576",
     .description = "Octets of user data held for all incomplete long MOs together; a part past it is answered "
                    "0x14 ESME_RMSGQFUL.",
     .min = 1024, .max = 1073741824},

    {.path = "smsc[].name", .type = Type::kString, .default_value = "",
     .description = "Name of this SMSC connection (logs, the mo/mt \"smsc\" member). The first [[smsc]] is the "
                    "default route for MTs.",
     .required = true},
    {.path = "smsc[].host", .type = Type::kString, .default_value = "", .description = "SMSC host name or address.",
     .required = true},
    {.path = "smsc[].port", .type = Type::kInteger, .default_value = "2775", .description = "SMSC TCP port.",
     .min = 1, .max = 65535},
    {.path = "smsc[].system_id", .type = Type::kString, .default_value = "",
     .description = "bind system_id (at most 15 characters).", .required = true},
    {.path = "smsc[].password_secret", .type = Type::kString, .default_value = "",
     .description = "Where the bind password is kept (credential:NAME, file:, env:, hex:); at most 8 octets. Empty "
                    "= no password."},
    {.path = "smsc[].system_type", .type = Type::kString, .default_value = "", .description = "bind system_type."},
    {.path = "smsc[].address_range", .type = Type::kString, .default_value = "",
     .description = "bind address_range (usually empty)."},
    {.path = "smsc[].mode", .type = Type::kString, .default_value = "transceiver",
     .description = "transceiver: one bind_transceiver per bind; transmitter_receiver: a transmitter and a receiver.",
     .choices = "transceiver|transmitter_receiver"},
    {.path = "smsc[].binds", .type = Type::kInteger, .default_value = "1",
     .description = "Simultaneous binds to this SMSC.", .min = 1, .max = smpp::kMaxBinds},
    {.path = "smsc[].window", .type = Type::kInteger, .default_value = "10",
     .description = "Outstanding requests per bind (the SMSC's window).", .min = 1, .max = smpp::kMaxWindow},
    {.path = "smsc[].tps", .type = Type::kInteger, .default_value = "0",
     .description = "submit_sm per second per bind allowed by the operator; 0 = unlimited.", .min = 0,
     .max = 100000},
    {.path = "smsc[].enquire_link_interval_ms", .type = Type::kInteger, .default_value = "30000",
     .description = "An idle link is probed with enquire_link after this long.", .min = 100, .max = 3600000},
    {.path = "smsc[].response_timeout_ms", .type = Type::kInteger, .default_value = "10000",
     .description = "A request unanswered this long means the link is dead (it is reconnected).", .min = 10,
     .max = 600000},
    {.path = "smsc[].connect_timeout_ms", .type = Type::kInteger, .default_value = "10000",
     .description = "TCP connect + TLS handshake + bind response.", .min = 10, .max = 600000},
    {.path = "smsc[].reconnect_min_ms", .type = Type::kInteger, .default_value = "1000",
     .description = "First reconnect delay; doubles (with jitter) up to reconnect_max_ms.", .min = 1,
     .max = 3600000},
    {.path = "smsc[].reconnect_max_ms", .type = Type::kInteger, .default_value = "60000",
     .description = "Longest reconnect delay.", .min = 1, .max = 3600000},
    {.path = "smsc[].bind_failure_retry_ms", .type = Type::kInteger, .default_value = "300000",
     .description = "After the SMSC refuses a bind (alert), try again after this long; 0 = never.", .min = 0,
     .max = 86400000},
    {.path = "smsc[].throttle_pause_ms", .type = Type::kInteger, .default_value = "1000",
     .description = "Pause of a bind's submits after ESME_RTHROTTLED (0x58) or ESME_RMSGQFUL (0x14).", .min = 1,
     .max = 3600000},
    {.path = "smsc[].retry_delay_ms", .type = Type::kInteger, .default_value = "2000",
     .description = "First retry after a temporary error (doubles each time).", .min = 1, .max = 3600000},
    {.path = "smsc[].max_retries", .type = Type::kInteger, .default_value = "3",
     .description = "Retries of a part after temporary errors before the MT fails.", .min = 0, .max = 100},
    {.path = "smsc[].tls", .type = Type::kBoolean, .default_value = "false",
     .description = "SMPP over TLS (the server certificate is verified)."},
    {.path = "smsc[].tls_ca_file", .type = Type::kString, .default_value = "",
     .description = "PEM CA bundle for TLS; empty = the system store."},
    {.path = "smsc[].tls_verify_hostname", .type = Type::kBoolean, .default_value = "true",
     .description = "Check that the SMSC's certificate names host."},
    {.path = "smsc[].vendor_status", .type = Type::kStringMap, .default_value = "",
     .description = "Operator command_status codes and their class: { \"0x400\" = \"throttle\", \"0x401\" = "
                    "\"permanent\" } (throttle|temporary|permanent)."},
    {.path = "smsc[].id_format_resp", .type = Type::kString, .default_value = "opaque",
     .description = "How the SMSC prints message ids in submit_sm_resp.", .choices = "hex|decimal|opaque"},
    {.path = "smsc[].id_format_receipt", .type = Type::kString, .default_value = "opaque",
     .description = "How the SMSC prints message ids in receipts (often decimal when resp is hex).",
     .choices = "hex|decimal|opaque"},
    {.path = "smsc[].mo_reassembly_timeout_ms", .type = Type::kInteger, .default_value = "60000",
     .description = "How long the parts of a long MO are awaited before it is passed on incomplete.", .min = 1,
     .max = 86400000},
    {.path = "smsc[].source_addr_ton", .type = Type::kInteger, .default_value = "1",
     .description = "TON of MT source addresses that are digits (alphanumeric ones use 5).", .min = 0, .max = 6},
    {.path = "smsc[].source_addr_npi", .type = Type::kInteger, .default_value = "1",
     .description = "NPI of MT source addresses.", .min = 0, .max = 18},
    {.path = "smsc[].dest_addr_ton", .type = Type::kInteger, .default_value = "1",
     .description = "TON of MT destination addresses.", .min = 0, .max = 6},
    {.path = "smsc[].dest_addr_npi", .type = Type::kInteger, .default_value = "1",
     .description = "NPI of MT destination addresses.", .min = 0, .max = 18},
    {.path = "smsc[].service_type", .type = Type::kString, .default_value = "",
     .description = "submit_sm service_type (usually empty)."},
    {.path = "smsc[].max_command_length", .type = Type::kInteger, .default_value = "65535",
     .description = "Larger PDUs from the SMSC are refused before any allocation.",
     .min = smpp::kMinCommandLength, .max = smpp::kMaxCommandLength},
};

smpp::IdBase id_base(const std::string& text) {
  if (text == "hex") return smpp::IdBase::kHex;
  if (text == "decimal") return smpp::IdBase::kDecimal;
  return smpp::IdBase::kOpaque;
}

Result<uint32_t> parse_status_code(std::string_view text) {
  int base = 10;
  if (text.starts_with("0x") || text.starts_with("0X")) {
    text.remove_prefix(2);
    base = 16;
  }
  uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Status::invalid_argument("not a command_status number");
  }
  return value;
}

Result<smpp::BindOptions> smsc_options(const config::Config& config, size_t index) {
  const auto key = [index](std::string_view name) { return fmt::format("smsc[{}].{}", index, name); };
  const auto ms = [&](std::string_view name) { return std::chrono::milliseconds(config.integer(key(name))); };
  smpp::BindOptions o;
  o.name = config.string(key("name"));
  o.host = config.string(key("host"));
  o.port = static_cast<uint16_t>(config.integer(key("port")));
  o.system_id = config.string(key("system_id"));
  if (const auto spec = config.string(key("password_secret")); !spec.empty()) {
    auto secret = Secret::load_text(spec);  // a password, often written with echo
    if (!secret.ok()) return secret.status().with_context(key("password_secret"));
    o.password = std::move(secret).value();
  }
  o.system_type = config.string(key("system_type"));
  o.address_range = config.string(key("address_range"));
  o.mode = config.string(key("mode")) == "transmitter_receiver" ? smpp::BindMode::kTransmitterReceiver
                                                                 : smpp::BindMode::kTransceiver;
  o.binds = static_cast<int>(config.integer(key("binds")));
  o.window = static_cast<int>(config.integer(key("window")));
  o.tps = static_cast<int>(config.integer(key("tps")));
  o.enquire_link_interval = ms("enquire_link_interval_ms");
  o.response_timeout = ms("response_timeout_ms");
  o.connect_timeout = ms("connect_timeout_ms");
  o.reconnect_min = ms("reconnect_min_ms");
  o.reconnect_max = ms("reconnect_max_ms");
  o.bind_failure_retry = ms("bind_failure_retry_ms");
  o.throttle_pause = ms("throttle_pause_ms");
  o.retry_delay = ms("retry_delay_ms");
  o.max_retries = static_cast<int>(config.integer(key("max_retries")));
  o.tls = config.boolean(key("tls"));
  o.tls_ca_file = config.string(key("tls_ca_file"));
  o.tls_verify_hostname = config.boolean(key("tls_verify_hostname"));
  for (const auto& [code_text, class_text] : config.string_map(key("vendor_status"))) {
    auto code = parse_status_code(code_text);
    auto status_class = smpp::parse_status_class(class_text);
    if (!code.ok() || !status_class) {
      return Status::invalid_argument(fmt::format("{}: \"{}\" = \"{}\": want \"0x400\" = "
                                                  "\"throttle|temporary|permanent\"",
                                                  key("vendor_status"), code_text, class_text));
    }
    o.vendor_status[*code] = *status_class;
  }
  o.id_format = {.submit_resp = id_base(config.string(key("id_format_resp"))),
                 .receipt = id_base(config.string(key("id_format_receipt")))};
  o.mo_reassembly_timeout = ms("mo_reassembly_timeout_ms");
  o.source_addr_ton = static_cast<uint8_t>(config.integer(key("source_addr_ton")));
  o.source_addr_npi = static_cast<uint8_t>(config.integer(key("source_addr_npi")));
  o.dest_addr_ton = static_cast<uint8_t>(config.integer(key("dest_addr_ton")));
  o.dest_addr_npi = static_cast<uint8_t>(config.integer(key("dest_addr_npi")));
  o.service_type = config.string(key("service_type"));
  o.max_command_length = static_cast<uint32_t>(config.integer(key("max_command_length")));
  PINTAR_RETURN_IF_ERROR(smpp::validate(o));
  return o;
}

}  // namespace

std::span<const config::Key> config_keys() { return kGatewayKeys; }

Result<GatewayOptions> options_from(const config::Config& config) {
  GatewayOptions options;
  const std::filesystem::path state_dir = config.string("state_dir");
  options.queue_path = (state_dir / config.string("gateway.queue_path")).string();
  // The schema admits only FULL and NORMAL, names parse_synchronous() knows.
  options.queue_synchronous =
      sqlite::parse_synchronous(config.string("gateway.queue_synchronous")).value_or(sqlite::Synchronous::kFull);
  options.engine = {.endpoint = config.string("gateway.zmq_endpoint"),
                    .retry = std::chrono::milliseconds(config.integer("gateway.engine_retry_ms")),
                    .heartbeat = std::chrono::milliseconds(config.integer("gateway.engine_heartbeat_ms")),
                    .liveness = std::chrono::milliseconds(config.integer("gateway.engine_liveness_ms")),
                    .max_unacked = static_cast<size_t>(config.integer("gateway.max_unacked")),
                    .engine_keys = config.strings("gateway.zmq_engine_keys"),
                    .max_message_bytes = static_cast<size_t>(config.integer("gateway.zmq_max_message_bytes"))};
  if (const auto spec = config.string("gateway.zmq_curve_secret"); !spec.empty()) {
    auto loaded = Secret::load(spec);
    if (!loaded.ok()) return loaded.status().with_context("gateway.zmq_curve_secret");
    auto key = bridge::curve_secret_key(*loaded);
    if (!key.ok()) return key.status().with_context("gateway.zmq_curve_secret");
    options.engine.curve_secret_key = std::move(key).value();
  }
  for (size_t i = 0; i < options.engine.engine_keys.size(); ++i) {
    if (auto key = bridge::parse_z85_key(options.engine.engine_keys[i]); !key.ok()) {
      return key.status().with_context(fmt::format("gateway.zmq_engine_keys[{}]", i));
    }
  }
  const std::string_view endpoint = options.engine.endpoint;
  if (!endpoint.starts_with("ipc://") && !endpoint.starts_with("tcp://")) {
    return Status::invalid_argument(
        fmt::format("gateway.zmq_endpoint: \"{}\" is neither ipc:// nor tcp://", options.engine.endpoint));
  }
  if (endpoint.starts_with("tcp://") && !options.engine.curve_secret_key) {
    return Status::invalid_argument(
        "gateway.zmq_endpoint: tcp:// is open to every process and host that reaches it; set "
        "gateway.zmq_curve_secret and gateway.zmq_engine_keys, or use ipc://");
  }
  if (options.engine.curve_secret_key && options.engine.engine_keys.empty()) {
    return Status::invalid_argument("gateway.zmq_engine_keys: CURVE is on but no engine key is pinned");
  }
  options.receipt_match_wait = std::chrono::seconds(config.integer("gateway.receipt_match_wait_s"));
  options.retention = std::chrono::hours(24 * config.integer("gateway.retention_days"));
  options.mo_dedup_window = std::chrono::seconds(config.integer("gateway.mo_dedup_window_s"));
  options.mo_incomplete_per_source = static_cast<size_t>(config.integer("gateway.mo_incomplete_per_source"));
  options.mo_incomplete_bytes = static_cast<size_t>(config.integer("gateway.mo_incomplete_bytes"));
  std::set<std::string> names;
  for (size_t i = 0; i < config.count("smsc"); ++i) {
    auto smsc = smsc_options(config, i);
    if (!smsc.ok()) return smsc.status();
    if (!names.insert(smsc->name).second) {
      return Status::invalid_argument(fmt::format("smsc[{}].name: \"{}\" is used twice", i, smsc->name));
    }
    options.smscs.push_back(std::move(smsc).value());
  }
  if (options.smscs.empty()) return Status::invalid_argument("no [[smsc]] configured: the gateway has nothing to bind to");
  return options;
}

}  // namespace pintar::gateway
