#include "cli/world.h"

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "common/crypto.h"
#include "common/hex.h"
#include "common/private_file.h"
#include "common/secret.h"
#include "vending/engine/engine_keys.h"
#include "vending/engine/token_maker.h"

namespace pintar::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The published DKGA02 test vending key (docs/sts.md); never a real one.
constexpr std::string_view kTestVendingKey = "ABABABABABABABAB";
// Throwaway keys of this world: the PIN HMAC key and the KEK that wraps the vending key.
constexpr std::string_view kPinKey = "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF";
constexpr std::string_view kKek = "0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C4B5A69788796A5B4C3D2E1F0";

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

// A modem key of this world: SHA-256 of its key id (throwaway, reproducible for a rerun).
std::string modem_key_hex(const std::string& key_id) {
  const std::string seed = "pintar world modem key " + key_id;
  const auto digest = crypto::sha256({reinterpret_cast<const uint8_t*>(seed.data()), seed.size()});
  return hex_encode(digest);
}

void write_private(const std::string& path, std::string_view content) {
  if (Status status = create_private_file(path); !status.ok()) fail(status.to_string());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

}  // namespace

std::vector<WorldCustomer> demo_customers() {
  return {
      {.meter = "11000000004", .idpel = "511000000004", .name = "DEWI LESTARI", .tariff = "R1", .power_va = 1300,
       .modem_msisdn = "6281100000004", .key_id = "M11000000004", .phone = "6281234567890", .language = "id",
       .pin = "123456"},
      {.meter = "11000000002", .idpel = "511000000002", .name = "BUDI SANTOSO", .tariff = "R1", .power_va = 900,
       .modem_msisdn = "6281100000002", .key_id = "M11000000002", .phone = "6281234567891", .language = "en",
       .pin = "654321"},
  };
}

std::vector<WorldCustomer> numbered_customers(size_t n) {
  std::vector<WorldCustomer> out;
  for (size_t i = 1; i <= n; ++i) {
    out.push_back({.meter = fmt::format("140{:08}", i), .idpel = fmt::format("5140{:08}", i),
                   .name = fmt::format("PELANGGAN {}", i), .tariff = "R1", .power_va = 1300,
                   .modem_msisdn = fmt::format("62811{:08}", i), .key_id = fmt::format("M{:08}", i),
                   .phone = fmt::format("62812{:08}", i), .language = "id", .pin = "123456"});
  }
  return out;
}

World::World(WorldOptions options) : options_(std::move(options)) {
  std::filesystem::create_directories(options_.work_dir + "/run");
  std::filesystem::permissions(options_.work_dir + "/run", std::filesystem::perms::owner_all);
  const nlohmann::json smsc_config = {
      {"esmes",
       {{{"system_id", "pintar"}, {"password", "secret"}, {"routes", {options_.short_code}}, {"max_binds", 8}},
        {{"system_id", "meters"}, {"password", "secret"}, {"routes", {"62811*"}}, {"max_binds", 4}},
        {{"system_id", "phones"}, {"password", "secret"}, {"routes", {"62812*"}}, {"max_binds", 4}}}},
      {"deliver_timeout_ms", 2000},
      {"deliver_retry_ms", 200},
      {"deliver_window", 100}};
  std::ofstream(options_.work_dir + "/smsc-sim.json") << smsc_config.dump(2);
  smsc_ = start_node("smsc-sim/smsc-sim.js", {"--config", options_.work_dir + "/smsc-sim.json"}, smsc_smpp_,
                     smsc_control_);
  nlohmann::json p2apst_config = {{"cutoff", nullptr}};
  p2apst_config.update(options_.p2apst_config);
  std::ofstream(options_.work_dir + "/p2apst-sim.json") << p2apst_config.dump(2);
  start_p2apst();
  write_files();
  fleet_ = start_peer(options_.build_dir + "/tests/peers/meter_fleet",
                      {"--fleet", options_.work_dir + "/fleet.json", "--smsc-port", std::to_string(smsc_smpp_),
                       "--system-id", "meters", "--password", "secret"},
                      fleet_http_);
  phones_ = start_peer(options_.build_dir + "/tests/peers/phones",
                       {"--smsc-port", std::to_string(smsc_smpp_), "--system-id", "phones", "--password", "secret"},
                       phones_http_);
  CommandResult imported = pintar({"customers", "import", options_.work_dir + "/subscribers.csv"});
  if (imported.exit_status != 0) fail("pintar customers import failed: " + imported.err);
  start_gateway();
  start_vending();
}

void World::start_p2apst() {
  std::vector<std::string> args = {"--config", options_.work_dir + "/p2apst-sim.json"};
  if (p2apst_iso_ != 0) {  // a restart: the ports the configuration and the tests know
    args.insert(args.end(), {"--port", std::to_string(p2apst_iso_), "--control-port", std::to_string(p2apst_control_)});
  }
  p2apst_ = start_node("p2apst-sim/p2apst-sim.js", args, p2apst_iso_, p2apst_control_);
  // Accounts the simulator does not have by default (numbered customers).
  nlohmann::json accounts = nlohmann::json::array();
  for (const WorldCustomer& c : options_.customers) {
    if (c.meter.starts_with("110000000")) continue;
    accounts.push_back({{"meter", c.meter}, {"idpel", c.idpel}, {"name", c.name}, {"tariff", c.tariff},
                        {"power_va", c.power_va}});
  }
  if (!accounts.empty()) p2apst("POST", "/accounts", accounts);
}

void World::stop_p2apst() {
  if (p2apst_) p2apst_->stop(SIGTERM, seconds(10));
  p2apst_.reset();
}

World::~World() {
  for (auto* process : {&vending_, &gateway_, &phones_, &fleet_, &p2apst_, &smsc_}) {
    if (*process) (*process)->stop(SIGTERM, seconds(10));
  }
}

void World::write_files() {
  const std::string& w = options_.work_dir;
  std::string keyring = "# key id, meter, modem key (hex): this world's throwaway keys\n";
  nlohmann::json fleet = {{"meters", nlohmann::json::array()}};
  std::string csv =
      "idpel,name,tariff,power_va,region,meter_no,sgc,ti,krn,kt,ea,dkga,base_date,kdpm,modem_msisdn,modem_key_id,"
      "msisdn,language,pin\n";
  for (const WorldCustomer& c : options_.customers) {
    const std::string key = modem_key_hex(c.key_id);
    keyring += fmt::format("{} {} {}\n", c.key_id, c.meter, key);
    const std::string pan = engine::meter_pan(c.meter);  // as the engine derives the decoder key
    fleet["meters"].push_back({{"meter", c.meter}, {"msisdn", c.modem_msisdn}, {"key_id", c.key_id}, {"key", key},
                               {"vending_key", kTestVendingKey}, {"dkga", "02"}, {"pan", pan}, {"sgc", 123456},
                               {"ti", 1}, {"krn", 1}, {"kt", 2}, {"ea", "07"},
                               {"base_date", fmt::format("{:02}", c.base_date % 100)},
                               {"engine", options_.short_code}});
    csv += fmt::format("{},{},{},{},default,{},123456,01,1,2,07,02,{},S,{},{},{},{},{}\n", c.idpel, c.name, c.tariff,
                       c.power_va, c.meter, c.base_date, c.modem_msisdn, c.key_id, c.phone, c.language, c.pin);
  }
  write_private(w + "/modem-keys", keyring);
  std::ofstream(w + "/fleet.json") << fleet.dump(2);
  write_private(w + "/subscribers.csv", csv);
  auto kek = Secret::load(std::string("hex:") + std::string(kKek));
  auto vk = hex_decode(kTestVendingKey);
  if (!kek.ok() || !vk.ok()) fail("world keys");
  auto wrapped = engine::wrap_vending_key(*kek, *vk);
  if (!wrapped.ok()) fail(wrapped.status().to_string());
  write_private(w + "/vending-key", std::string(wrapped->begin(), wrapped->end()));

  config_path_ = w + "/pintar.toml";
  std::ofstream(config_path_) << fmt::format(
      R"(state_dir = "{w}"

[log]
level = "{level}"

[ledger]
pin_key_secret = "hex:{pin}"

[p2apst]
port = {iso}
switcher_id = "SIM0001"
bank_code = "4510017"
partner_central_id = "4512017"
cutoff_start = "00:00"
cutoff_end = "00:00"
{p2apst_extra}

[gateway]
zmq_endpoint = "ipc://{w}/run/engine.sock"
{gateway_extra}

[[smsc]]
name = "sim"
host = "127.0.0.1"
port = {smpp}
system_id = "pintar"
password_secret = "hex:736563726574"

[vending]
short_code = "{short}"
token_source = "{source}"
vending_key = "file:{w}/vending-key"
kek = "hex:{kek}"
modem_keys = "file:{w}/modem-keys"
# PLN's published non-subsidised household price per kWh, to quote kWh before a purchase.
tariffs = {{ "R1" = "1444.70", "R1M" = "1444.70", "R2" = "1699.53", "R3" = "1699.53" }}
pbjt_bp = {{ "default" = "1000", "JKT" = "240" }}
ppn_bp = {{ "R3" = "1100" }}
{extra}

# Worlds share a host with other worlds and tests: no fixed /metrics ports.
[metrics]
gateway_port = 0
vending_port = 0
helpdesk_port = 0
)",
      fmt::arg("w", w), fmt::arg("level", options_.log_level), fmt::arg("pin", kPinKey), fmt::arg("iso", p2apst_iso_),
      fmt::arg("smpp", smsc_smpp_), fmt::arg("short", options_.short_code), fmt::arg("source", options_.token_source),
      fmt::arg("kek", kKek), fmt::arg("extra", options_.vending_extra), fmt::arg("gateway_extra", options_.gateway_extra),
      fmt::arg("p2apst_extra", options_.p2apst_extra));
}

std::unique_ptr<ChildProcess> World::start_node(const std::string& script, const std::vector<std::string>& args,
                                                uint16_t& main_port, uint16_t& control_port) {
  std::vector<std::string> argv = {"node", options_.source_dir + "/tests/peers/" + script};
  argv.insert(argv.end(), args.begin(), args.end());
  auto process = std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{}, true);
  const auto ready = process->wait_for_line("READY ", seconds(30));
  std::smatch m;
  static const std::regex kReady(R"(READY \w+=(\d+) control=(\d+))");
  if (!ready || !std::regex_search(*ready, m, kReady)) {
    fail(fmt::format("{} did not start (is node installed? deploy/install.sh)", script));
  }
  main_port = static_cast<uint16_t>(std::stoi(m[1]));
  control_port = static_cast<uint16_t>(std::stoi(m[2]));
  return process;
}

std::unique_ptr<ChildProcess> World::start_peer(const std::string& binary, const std::vector<std::string>& args,
                                                uint16_t& http_port) {
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), args.begin(), args.end());
  auto process = std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{}, true);
  const auto ready = process->wait_for_line("READY ", seconds(30));
  std::smatch m;
  static const std::regex kReady(R"(READY http=(\d+))");
  if (!ready || !std::regex_search(*ready, m, kReady)) fail(binary + " did not start (build it: ninja -C <build>)");
  http_port = static_cast<uint16_t>(std::stoi(m[1]));
  return process;
}

CommandResult World::pintar(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {options_.pintar, "-c", config_path_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, seconds(120));
}

std::string World::describe() const {
  const std::string& w = options_.work_dir;
  return fmt::format(
      "SMSC simulator    127.0.0.1:{} (SMPP 3.4; accounts pintar -> {}, meters -> 62811*, phones -> 62812*)\n"
      "P2APST simulator  127.0.0.1:{} (ISO 8583, PLN 2xxx dialect)\n"
      "meter fleet       {} two-way meters (STS EA07 with the IEC sample tables, DKGA02 test key)\n"
      "phones            the customers' handsets\n"
      "pintar gateway    bound to the SMSC; engine link ipc://{}/run/engine.sock\n"
      "pintar vending    the engine; ledger {}/ledger.db\n"
      "subscribers       {} imported from {}/subscribers.csv (PINs hashed at once)",
      smsc_smpp_, options_.short_code, p2apst_iso_, options_.customers.size(), w, w, options_.customers.size(), w);
}

// A daemon with its log (stderr) appended to <work>/<role>.log; exec keeps its pid ours.
std::unique_ptr<ChildProcess> World::start_daemon(const std::string& role) const {
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{"/bin/sh", "-c", "exec \"$0\" -c \"$1\" \"$2\" 2>>\"$3\"", options_.pintar,
                               config_path_, role, options_.work_dir + "/" + role + ".log"});
}

void World::start_gateway() { gateway_ = start_daemon("gateway"); }

void World::start_vending() { vending_ = start_daemon("vending"); }

int World::stop_gateway(int signal_number) {
  const int status = gateway_ ? gateway_->stop(signal_number) : 0;
  gateway_.reset();
  return status;
}

int World::stop_vending(int signal_number) {
  const int status = vending_ ? vending_->stop(signal_number) : 0;
  vending_.reset();
  return status;
}

nlohmann::json World::http(uint16_t port, const std::string& method, const std::string& path,
                           const nlohmann::json& body) const {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(30);
  client.set_tcp_nodelay(true);
  const auto result = method == "GET"      ? client.Get(path)
                      : method == "DELETE" ? client.Delete(path)
                                           : client.Post(path, body.dump(), "application/json");
  if (!result) fail(fmt::format("{} {} on port {}: no answer", method, path, port));
  if (result->status / 100 != 2) fail(fmt::format("{} {}: HTTP {} {}", method, path, result->status, result->body));
  return result->body.empty() ? nlohmann::json{} : nlohmann::json::parse(result->body);
}

nlohmann::json World::smsc(const std::string& m, const std::string& p, const nlohmann::json& b) const {
  return http(smsc_control_, m, p, b);
}
nlohmann::json World::p2apst(const std::string& m, const std::string& p, const nlohmann::json& b) const {
  return http(p2apst_control_, m, p, b);
}
nlohmann::json World::fleet(const std::string& m, const std::string& p, const nlohmann::json& b) const {
  return http(fleet_http_, m, p, b);
}
nlohmann::json World::phones(const std::string& m, const std::string& p, const nlohmann::json& b) const {
  return http(phones_http_, m, p, b);
}

void World::send_sms(const std::string& from, const std::string& text) const {
  phones("POST", "/sms", {{"from", from}, {"to", options_.short_code}, {"text", text}});
}

nlohmann::json World::inbox(const std::string& phone) const { return phones("GET", "/inbox/" + phone); }

nlohmann::json World::wait_inbox(const std::string& phone, size_t seen, milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    nlohmann::json box = inbox(phone);
    const nlohmann::json& list = box.is_array() ? box : box["messages"];
    if (list.size() > seen) return list;
    if (std::chrono::steady_clock::now() > deadline) fail(fmt::format("no new SMS for {} within the timeout", phone));
    std::this_thread::sleep_for(milliseconds(50));
  }
}

}  // namespace pintar::cli
