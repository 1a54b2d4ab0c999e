// A scratch deployment for the CLI tests that run the real `pintar` on a ledger file: a
// folder as state_dir, a configuration with a test PIN key, and the import file the tests
// load with `pintar customers import` (two customers, two meters, three phones).
#ifndef PINTAR_TESTS_SUPPORT_CLI_SCRATCH_H_
#define PINTAR_TESTS_SUPPORT_CLI_SCRATCH_H_

#include <fstream>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace pintar::testing {

inline constexpr char kImportHeader[] =
    "idpel,name,tariff,power_va,region,meter_no,sgc,ti,krn,kt,ea,dkga,base_date,kdpm,modem_msisdn,modem_key_id,"
    "msisdn,language,pin\n";
inline constexpr char kImportLines[] =
    "511288007004,\"SANTOSO, BUDI\",R1,900,JKT,01428800700,600675,01,1,2,07,02,1993,ABC,6281100000001,modem-1,"
    "6281234567890,id,135790\n"
    "511288007004,\"SANTOSO, BUDI\",R1,900,JKT,01428800700,600675,01,1,2,07,02,1993,ABC,6281100000001,modem-1,"
    "6281234567891,en,654321\n"
    "511288007005,SITI,R1M,1300,BDG,01428800701,600675,01,1,2,07,02,1993,ABC,6281100000002,modem-1,"
    "6281234567892,id,111111\n";

struct CliScratch {
  std::string dir;  // first: the two below are made from it
  std::string config = dir + "/pintar.toml";
  std::string db = dir + "/ledger.db";
  explicit CliScratch(const std::string& name) : dir(make_temp_dir(name)) {
    std::ofstream(config) << "state_dir = \"" << dir << "\"\n[ledger]\n"
                          << "pin_key_secret = \"hex:000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\"\n";
  }
  // Writes `text` to `name` in the folder; returns its path.
  std::string file(const std::string& name, const std::string& text) const {
    const std::string path = dir + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  // `pintar --config <config> ARGS...`, to completion.
  RunResult pintar(std::vector<std::string> args) const {
    args.insert(args.begin(), {pintar_binary(), "--config", config});
    return run(args);
  }
};

}  // namespace pintar::testing

#endif  // PINTAR_TESTS_SUPPORT_CLI_SCRATCH_H_
