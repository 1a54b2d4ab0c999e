// The canonical row encoding and chain hash, pinned to bytes so that another
// implementation (an auditor's script, a PostgreSQL backend) can be checked against them.
#include "store/chain.h"

#include <catch2/catch.hpp>

#include "common/hex.h"

namespace pintar::store {
namespace {

TEST_CASE("fields are length-prefixed big-endian; NULL is FFFFFFFF", "[store][chain]") {
  CanonicalRow row;
  row.add(std::string_view("ab")).add(int64_t{-12}).add(std::optional<std::string>()).add(std::string_view(""));
  CHECK(hex_encode(row.bytes()) == "000000026162" "000000032D3132" "FFFFFFFF" "00000000");
}

TEST_CASE("the encoding does not let field boundaries move", "[store][chain]") {
  CanonicalRow a;
  a.add(std::string_view("ab")).add(std::string_view("c"));
  CanonicalRow b;
  b.add(std::string_view("a")).add(std::string_view("bc"));
  CHECK(a.bytes() != b.bytes());
  // NULL and the empty string differ too.
  CanonicalRow null_row;
  null_row.add(std::optional<std::string>());
  CanonicalRow empty_row;
  empty_row.add(std::optional<std::string>(""));
  CHECK(null_row.bytes() != empty_row.bytes());
}

TEST_CASE("an audit row hashes to SHA-256(previous || canonical)", "[store][chain]") {
  const AuditEntry entry{.at_ms = 5, .actor = "cli", .action = "x", .subject = "", .detail = "d"};
  const std::string canonical = canonical_row(1, entry);
  CHECK(hex_encode(canonical) ==
        "00000005" "6175646974"  // "audit"
        "00000001" "31"          // seq 1
        "00000001" "35"          // at_ms 5
        "00000003" "636C69"      // "cli"
        "00000001" "78"          // "x"
        "00000000"               // ""
        "00000001" "64");        // "d"
  // Computed independently with printf and sha256sum over 32 zero bytes and the bytes above.
  CHECK(hex_encode(chain_hash(kGenesisHash, canonical)) ==
        "D4DCB64B9AABA6D3455A5E4575633106F28A9F04EE2E36DF3C120CDD8B728147");
}

TEST_CASE("every transaction field is covered by the hash", "[store][chain]") {
  const TransactionRecord base{.txn_id = "t1", .version = 1, .idempotency_key = "k", .meter_no = "14012345678",
                               .msisdn = "6281234567890", .amount_rupiah = 20000, .energy_deci_kwh = 154,
                               .token = "12345678901234567890", .state = "token_issued", .reference = "ref",
                               .reason = std::nullopt, .created_ms = 1, .recorded_ms = 2};
  const auto base_hash = chain_hash(kGenesisHash, canonical_row(1, base));
  std::vector<TransactionRecord> changed(13, base);
  changed[0].txn_id = "t2";
  changed[1].version = 2;
  changed[2].idempotency_key = "k2";
  changed[3].meter_no = "14012345679";
  changed[4].msisdn = "6281234567891";
  changed[5].amount_rupiah = 20001;
  changed[6].energy_deci_kwh = 155;
  changed[7].token = std::nullopt;
  changed[8].state = "delivered";
  changed[9].reference = std::nullopt;
  changed[10].reason = "x";
  changed[11].created_ms = 3;
  changed[12].recorded_ms = 3;
  for (const auto& row : changed) CHECK(chain_hash(kGenesisHash, canonical_row(1, row)) != base_hash);
  CHECK(chain_hash(kGenesisHash, canonical_row(2, base)) != base_hash);
}

}  // namespace
}  // namespace pintar::store
