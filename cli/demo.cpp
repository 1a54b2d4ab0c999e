#include "cli/demo.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/child_process.h"
#include "common/clock.h"
#include "common/exit_codes.h"
#include "common/hex.h"
#include "vending/sts/decoder_key.h"
#include "vending/sts/meter.h"
#include "vending/sts/tid.h"
#include "vending/sts/token.h"

#ifndef PINTAR_SOURCE_DIR
#define PINTAR_SOURCE_DIR "."
#endif

namespace pintar::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The demo customer: a P2APST simulator account (tests/peers/p2apst-sim/lib/defaults.json)
// whose meter holds a DKGA02/EA07 key from the STS conformance parameters.
constexpr const char* kMeter = "11000000004";
constexpr const char* kMeterPan = "600727000000000009";  // the STS conformance test PAN
constexpr const char* kDemoVendingKey = "ABABABABABABABAB";  // published test key, never a real one
constexpr int64_t kAmountRupiah = 102500;
constexpr const char* kCustomerMsisdn = "6281234567890";

// The demo's subscriber file (format: store/README.md): the customer, her meter, the
// meter's SMS modem and her phone's subscription with a PIN.
constexpr const char* kSubscribersCsv =
    "idpel,name,tariff,power_va,region,meter_no,sgc,ti,krn,kt,ea,dkga,base_date,kdpm,modem_msisdn,modem_key_id,"
    "msisdn,language,pin\n"
    "511000000004,DEWI LESTARI,R1,1300,default,11000000004,123456,01,1,2,07,02,2014,S,6281100000004,modem-4,"
    "6281234567890,id,123456\n"
    "511000000002,BUDI SANTOSO,R1,900,default,11000000002,123456,01,1,2,07,02,2014,S,6281100000002,modem-2,"
    "6281234567891,en,654321\n";

std::string self_path() {
  std::error_code ec;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "pintar" : path.string();
}

void say(std::string_view text) { fmt::print("{}\n", text); }

void indent(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    fmt::print("    {}\n", text.substr(start, nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
}

// A simulator from tests/peers, started on ephemeral loopback ports.
struct Peer {
  std::unique_ptr<ChildProcess> process;
  int main_port = 0;
  int control_port = 0;
};

Peer start_peer(const std::string& peers_dir, const std::string& script, const std::string& main_key,
                std::vector<std::string> extra_args) {
  std::vector<std::string> argv = {"node", peers_dir + "/" + script};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  Peer peer;
  peer.process = std::make_unique<ChildProcess>(argv);
  const auto ready = peer.process->wait_for_line("READY ", seconds(30));
  if (!ready) fail(exit_code::kUnavailable, fmt::format("{} did not start (is node installed? deploy/install.sh)", script));
  std::smatch m;
  const std::regex pattern(main_key + "=(\\d+) control=(\\d+)");
  if (!std::regex_search(*ready, m, pattern)) fail(exit_code::kSoftware, fmt::format("{}: unexpected '{}'", script, *ready));
  peer.main_port = std::stoi(m[1]);
  peer.control_port = std::stoi(m[2]);
  return peer;
}

// Runs `pintar ARGS...` as a child, shows its output, and fails the demo if it fails.
CommandResult pintar(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {self_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  fmt::print("  $ pintar {}\n", fmt::join(args, " "));
  CommandResult result = run_command(argv, seconds(120));
  indent(result.out);
  if (result.exit_status != 0) {
    indent(result.err);
    fail(exit_code::kSoftware, fmt::format("the demo step failed (exit {})", result.exit_status));
  }
  return result;
}

std::string field(const std::string& output, const std::string& name) {
  std::smatch m;
  const std::regex pattern("(^|\n)" + name + ": ([^\n]*)");
  return std::regex_search(output, m, pattern) ? m[2].str() : std::string();
}

// Step: vend the kWh P2APST sold as an STS token, and let a simulated meter accept it.
void sts_step(int64_t kwh_tenths) {
  say("\n4. STS token (IEC 62055-41) for the energy bought, and what the meter does with it");
  auto vk_bytes = hex_decode(kDemoVendingKey);
  auto vk = sts::VendingKey::import(sts::KeyDerivation::kDkga02, *vk_bytes);
  const sts::KeyParameters params{.pan = kMeterPan, .key_type = 2, .sgc = 123456, .tariff_index = 1, .krn = 1};
  auto dk = sts::derive_decoder_key(*vk, params);
  if (!vk.ok() || !dk.ok()) fail(exit_code::kSoftware, "demo key derivation failed");
  auto cipher = sts::TokenCipher::create(*dk, sts::StaTables::sample());
  // Base date 1993 ran out on 2024-11-24; keys now in use count TIDs from 2014.
  auto tid = sts::tid_from_time(Clock::real().wall_now(), sts::BaseDate::k2014);
  auto data = sts::credit_token(sts::CreditRegister::kElectricity, 5, *tid, static_cast<uint64_t>(kwh_tenths));
  if (!cipher.ok() || !tid.ok() || !data.ok()) fail(exit_code::kSoftware, "demo token generation failed");
  const sts::TokenNumber token = sts::encode_token(*cipher, *data);
  fmt::print("  decoder key: DKGA02 from a published test vending key (KT 2, SGC 123456, TI 01, KRN 1)\n");
  fmt::print("  encryption: EA07 with the IEC 62055-41 SAMPLE tables (tests and demo only)\n");
  if (cipher->uses_sample_tables()) spdlog::warn("{}", sts::kSampleTablesWarning);  // as every issuer must
  fmt::print("  token for {}.{} kWh, TID {} (minutes since 2014-01-01): {}\n", kwh_tenths / 10, kwh_tenths % 10, *tid,
             sts::display_form(token));

  auto meter = sts::MeterDecoder::create({.key = *dk, .tables = sts::StaTables::sample()});
  if (!meter.ok()) fail(exit_code::kSoftware, "demo meter failed");
  const std::string digits = sts::to_string(token);
  const auto first = meter->enter(digits);
  fmt::print("  meter, first entry:  {} (credit now {}.{} kWh)\n", sts::meter_result_name(first.result),
             meter->credit(sts::CreditRegister::kElectricity) / 10, meter->credit(sts::CreditRegister::kElectricity) % 10);
  const auto again = meter->enter(digits);
  fmt::print("  meter, same token again: {} (a token credits once)\n", sts::meter_result_name(again.result));
}

}  // namespace

void add_demo_command(CLI::App& app, const Context& context) {
  CLI::App* demo = app.add_subcommand("demo", "Run a local demonstration against simulated P2APST and SMSC");
  auto peers_dir = std::make_shared<std::string>(std::string(PINTAR_SOURCE_DIR) + "/tests/peers");
  demo->add_option("--peers", *peers_dir, "Directory of the simulators (tests/peers)");
  demo->callback([&context, peers_dir] {
    context.load_config();
    say("pintar demo: a prepaid electricity purchase against local simulators.");
    say("Nothing leaves this machine: the simulators listen on 127.0.0.1 only.");

    std::error_code ec;
    const std::string work = (std::filesystem::temp_directory_path() / fmt::format("pintar-demo-{}", ::getpid())).string();
    std::filesystem::create_directories(work, ec);
    say(fmt::format("\n1. Simulators (state in {})", work));
    // PLN's cut-off (23:30-00:30 WIB) would refuse the purchase at that hour; the demo's
    // simulated PLN lives at 10:00 WIB on today's date, and the demo switches the local
    // pre-check off so the flow can be shown at any hour.
    const std::chrono::year_month_day today{
        std::chrono::floor<std::chrono::days>(Clock::real().wall_now() + std::chrono::hours(7))};
    const std::string sim_clock = fmt::format("{:04}-{:02}-{:02}T10:00:00+07:00", static_cast<int>(today.year()),
                                              static_cast<unsigned>(today.month()), static_cast<unsigned>(today.day()));
    Peer p2apst = start_peer(*peers_dir, "p2apst-sim/p2apst-sim.js", "iso", {"--clock", sim_clock});
    fmt::print("  P2APST simulator (ISO 8583, PLN 2xxx dialect) on 127.0.0.1:{}, clock {}\n", p2apst.main_port, sim_clock);

    // The PIN key would come from a systemd credential; the demo uses a throwaway one.
    const std::string config_path = work + "/pintar.toml";
    std::ofstream(config_path) << fmt::format(
        "state_dir = \"{}\"\n\n[log]\nlevel = \"warn\"\n\n"
        "[ledger]\npin_key_secret = \"hex:00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF\"\n\n"
        "[p2apst]\nport = {}\nswitcher_id = \"SIM0001\"\n"
        "bank_code = \"4510017\"\npartner_central_id = \"4512017\"\ncutoff_start = \"00:00\"\ncutoff_end = \"00:00\"\n",
        work, p2apst.main_port);

    say("\n2. Ledger: import the subscriber file (PINs are hashed at once) and look the customer up");
    const std::string csv_path = work + "/subscribers.csv";
    std::ofstream(csv_path) << kSubscribersCsv;
    pintar({"--config", config_path, "customers", "import", csv_path});
    pintar({"--config", config_path, "customers", "show", kCustomerMsisdn});

    say(fmt::format("\n3. P2APST: inquiry, then a purchase of Rp {} for meter {}", kAmountRupiah, kMeter));
    say("  (the simulator answers with its own PLN-side token number; pintar vends the STS token in step 4)");
    const CommandResult purchase =
        pintar({"--config", config_path, "p2apst", "purchase", "--meter", kMeter, "--amount", std::to_string(kAmountRupiah)});
    const std::string tenths = field(purchase.out, "kwh_tenths");
    if (tenths.empty()) fail(exit_code::kSoftware, "the purchase reported no energy");
    sts_step(std::stoll(tenths));

    say("\n5. Ledger integrity: every row carries SHA-256(previous hash | row); verify walks the chain");
    pintar({"--config", config_path, "ledger", "verify"});

    p2apst.process->stop();
    std::filesystem::remove_all(work, ec);
    say("\nDone. See README.md for what each part does and docs/ for the details.");
  });
}

}  // namespace pintar::cli
