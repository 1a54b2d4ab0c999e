#include "store/verify.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "store/chain.h"
#include "store/rows.h"

namespace pintar::store {
namespace {

std::optional<crypto::Sha256Digest> digest_of(const std::vector<uint8_t>& bytes) {
  crypto::Sha256Digest digest{};
  if (bytes.size() != digest.size()) return std::nullopt;
  std::ranges::copy(bytes, digest.begin());
  return digest;
}

struct Head {
  int64_t seq = 0;
  crypto::Sha256Digest hash{};
  std::optional<int64_t> keyed_from;
  std::optional<std::vector<uint8_t>> mac;
};

Result<std::optional<Head>> read_head(Statements& sql, std::string_view chain) {
  sqlite::Cursor row(sql[Sql::kChainHeadGet].bind(chain));
  auto found = row.next();
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<Head>();
  auto hash = digest_of(row->blob(1));
  if (!hash) return std::optional<Head>();
  Head head{.seq = row->integer(0), .hash = *hash, .keyed_from = std::nullopt, .mac = std::nullopt};
  if (!row->is_null(2)) head.keyed_from = row->integer(2);
  if (!row->is_null(3)) head.mac = row->blob(3);
  return std::optional<Head>(std::move(head));
}

// Walks one chain. `scan` yields `columns` record columns, then seq, row_hash, row_mac;
// canonical(row, seq) is the row's canonical encoding; on_row(row, seq) sees each row.
template <typename Canonical, typename OnRow>
Result<int64_t> walk(Statements& sql, Sql scan, std::string_view chain, int columns, Canonical canonical, OnRow on_row,
                     const ChainKey* key, std::optional<std::string>& problem) {
  auto head = read_head(sql, chain);
  if (!head.ok()) return head.status();
  if (!*head) {
    problem = fmt::format("{}: the chain head is missing or damaged", chain);
    return 0;
  }
  if (key != nullptr && !(*head)->keyed_from) {
    problem = fmt::format(
        "{}: the chain carries no MACs, though a chain key was given: it was never keyed (key it with `pintar ledger "
        "migrate`) or its MACs were stripped",
        chain);
    return 0;
  }
  const int64_t keyed_from = (*head)->keyed_from.value_or(0);
  crypto::Sha256Digest previous = kGenesisHash;
  int64_t last_seq = 0;
  int64_t rows = 0;
  {
    sqlite::Cursor row(sql[scan].bind());
    for (;;) {
      auto more = row.next();
      if (!more.ok()) return more.status();
      if (!*more) break;
      ++rows;
      const int64_t seq = row->integer(columns);
      if (seq != last_seq + 1) {
        problem = fmt::format("row {} of {}: expected row {} (rows missing or renumbered)", seq, chain, last_seq + 1);
        return rows;
      }
      const crypto::Sha256Digest computed = chain_hash(previous, canonical(row.statement(), seq));
      if (!crypto::constant_time_equal(computed, row->blob(columns + 1))) {
        problem = fmt::format("row {} of {}: hash mismatch", seq, chain);
        return rows;
      }
      if (key != nullptr && seq >= keyed_from) {
        if (row->is_null(columns + 2)) {
          problem = fmt::format("row {} of {}: no MAC, though the chain is keyed from row {}", seq, chain, keyed_from);
          return rows;
        }
        if (!crypto::constant_time_equal(key->row_mac(chain, seq, computed), row->blob(columns + 2))) {
          problem = fmt::format("row {} of {}: MAC mismatch (the row was rewritten without the chain key)", seq, chain);
          return rows;
        }
      }
      on_row(row.statement(), seq);
      previous = computed;
      last_seq = seq;
    }
  }
  const Head& h = **head;
  if (h.seq != last_seq || !crypto::constant_time_equal(h.hash, previous)) {
    problem = fmt::format("{}: the chain head (row {}) does not match the last row (row {}); rows were removed or "
                          "added outside pintar",
                          chain, h.seq, last_seq);
  } else if (key != nullptr &&
             (!h.mac || !crypto::constant_time_equal(key->head_mac(chain, h.seq, h.hash, keyed_from), *h.mac))) {
    problem = fmt::format("{}: the chain head's MAC does not match (the head was set back or rewritten without the "
                          "chain key)",
                          chain);
  }
  return rows;
}

// Each p2apst_purchases row must be the last chained version of its id, and every chained id
// must still have its row.
Result<int64_t> match_purchases(Statements& sql, std::map<int64_t, std::pair<int64_t, std::string>>& latest,
                                std::optional<std::string>& problem) {
  int64_t rows = 0;
  sqlite::Cursor row(sql[Sql::kPurchaseScan].bind());
  for (;;) {
    auto more = row.next();
    if (!more.ok()) return more.status();
    if (!*more) break;
    ++rows;
    const int64_t id = row->integer(0);
    auto found = latest.find(id);
    if (found == latest.end()) {
      problem = fmt::format("p2apst_purchases row {}: not in the purchase journal chain (added outside pintar)", id);
      return rows;
    }
    if (purchase_entry(row.statement()) != found->second.second) {
      problem = fmt::format(
          "p2apst_purchases row {}: differs from its last chained version (row {} of {}); changed outside pintar", id,
          found->second.first, kPurchaseJournalChain);
      return rows;
    }
    latest.erase(found);
  }
  if (!latest.empty()) {
    problem = fmt::format("p2apst_purchases row {}: removed outside pintar (row {} of {} remains)",
                          latest.begin()->first, latest.begin()->second.first, kPurchaseJournalChain);
  }
  return rows;
}

Status check_key_id(Statements& sql, const ChainKey& key, std::optional<std::string>& problem) {
  sqlite::Cursor row(sql[Sql::kChainKeyId].bind());
  auto found = row.next();
  if (!found.ok()) return found.status();
  if (!*found) {
    problem = "the ledger records no chain key id (meta chain_key_id): never keyed, or stripped";
  } else if (!crypto::constant_time_equal(crypto::as_bytes(row->text(0)), crypto::as_bytes(key.key_id()))) {
    problem = "the chain key given is not the key this ledger's chains are keyed with";
  }
  return Status::ok_status();
}

Status check(Statements& sql, const ChainKey* key, ChainReport& report) {
  {
    auto heads = read_head(sql, kTransactionsChain);
    if (!heads.ok()) return heads.status();
    report.ledger_keyed = *heads && (*heads)->keyed_from.has_value();
  }
  if (key != nullptr) {
    PINTAR_RETURN_IF_ERROR(check_key_id(sql, *key, report.problem));
    if (report.problem) return Status::ok_status();
  }
  const auto nothing = [](const sqlite::Statement&, int64_t) {};
  auto transactions = walk(
      sql, Sql::kTransactionScan, kTransactionsChain, kTransactionColumns,
      [](const sqlite::Statement& row, int64_t seq) { return canonical_row(seq, read_transaction(row)); }, nothing, key,
      report.problem);
  if (!transactions.ok()) return transactions.status();
  report.transactions_rows = *transactions;
  if (report.problem) return Status::ok_status();

  auto audit = walk(
      sql, Sql::kAuditScan, kAuditChain, kAuditColumns,
      [](const sqlite::Statement& row, int64_t seq) { return canonical_row(seq, read_audit(row)); }, nothing, key,
      report.problem);
  if (!audit.ok()) return audit.status();
  report.audit_rows = *audit;
  if (report.problem) return Status::ok_status();

  std::map<int64_t, std::pair<int64_t, std::string>> latest;  // purchase id -> (chain seq, entry)
  auto versions = walk(
      sql, Sql::kPurchaseChainScan, kPurchaseJournalChain, 2,
      [](const sqlite::Statement& row, int64_t seq) {
        const std::vector<uint8_t> entry = row.blob(1);
        return canonical_entry(kPurchaseJournalChain, seq, std::string(entry.begin(), entry.end()));
      },
      [&latest](const sqlite::Statement& row, int64_t seq) {
        const std::vector<uint8_t> entry = row.blob(1);
        latest[row.integer(0)] = {seq, std::string(entry.begin(), entry.end())};
      },
      key, report.problem);
  if (!versions.ok()) return versions.status();
  report.purchase_versions = *versions;
  if (report.problem) return Status::ok_status();

  auto purchases = match_purchases(sql, latest, report.problem);
  if (!purchases.ok()) return purchases.status();
  report.purchases = *purchases;
  return Status::ok_status();
}

}  // namespace

Result<ChainReport> verify_chains(sqlite::Connection& db, Statements& sql, const ChainKey* key) {
  ChainReport report;
  report.guarantee = key != nullptr ? ChainReport::Guarantee::kKeyed : ChainReport::Guarantee::kPlain;
  PINTAR_RETURN_IF_ERROR(db.exec("BEGIN"));
  Status status = check(sql, key, report);
  (void)db.exec("COMMIT");
  if (!status.ok()) return status;
  return report;
}

}  // namespace pintar::store
