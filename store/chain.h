// Tamper evidence: the hash chains over the append-only tables (transactions, audit).
//
// Each row carries row_hash = SHA-256(previous row_hash ‖ canonical row); the first row of a
// chain uses 32 zero bytes as its previous hash. Changing, inserting, removing or reordering
// a row breaks the hash of that row or of the one after it; cutting rows off the end is
// caught by comparing with chain_heads, which moves in the same SQLite transaction.
//
// Canonical row encoding (version 1), the exact bytes hashed after the previous hash:
//   field(chain name) ‖ field(seq) ‖ field(column 1) ‖ ... ‖ field(column n)
// in the column order listed in chain.cpp, where
//   field(text)    = 4-byte big-endian byte length ‖ the UTF-8 bytes
//   field(integer) = field(text) of its decimal form: optional '-', no leading zeros
//   field(NULL)    = FF FF FF FF (no bytes follow)
// The length prefix makes the encoding unambiguous ("ab"+"c" differs from "a"+"bc"); the
// chain name and seq bind a row to its table and position. Any other implementation
// (a PostgreSQL backend, an auditor's script) reproduces the hash from this description.
// Pure functions, thread-safe.
#ifndef PINTAR_STORE_CHAIN_H_
#define PINTAR_STORE_CHAIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/crypto.h"
#include "store/records.h"

namespace pintar::store {

inline constexpr std::string_view kTransactionsChain = "transactions";
inline constexpr std::string_view kAuditChain = "audit";
// The P2APST purchase journal: p2apst_purchases rows change state, so what is chained is each
// version of a row, appended to p2apst_journal_chain (schema revision 5) in the transaction
// that changes the row.
inline constexpr std::string_view kPurchaseJournalChain = "p2apst_purchases";

// The previous hash of a chain's first row.
inline constexpr crypto::Sha256Digest kGenesisHash{};

// Appends fields in the canonical encoding.
class CanonicalRow {
 public:
  CanonicalRow& add(std::string_view text);
  CanonicalRow& add(const std::string& text) { return add(std::string_view(text)); }
  CanonicalRow& add(const char* text) { return add(std::string_view(text)); }
  CanonicalRow& add(int64_t number);
  CanonicalRow& add(const std::optional<std::string>& text);
  const std::string& bytes() const { return bytes_; }
  // Hands the bytes over (for a caller that must wipe them).
  std::string release() && { return std::move(bytes_); }

 private:
  std::string bytes_;
};

std::string canonical_row(int64_t seq, const TransactionRecord& row);
std::string canonical_row(int64_t seq, const AuditEntry& row);
// field(chain) ‖ field(seq) ‖ entry, where `entry` is already a sequence of fields (the
// stored form of a p2apst_purchases row version, rows.h purchase_entry()).
std::string canonical_entry(std::string_view chain, int64_t seq, std::string_view entry);

// SHA-256(previous ‖ canonical).
crypto::Sha256Digest chain_hash(const crypto::Sha256Digest& previous, std::string_view canonical);

}  // namespace pintar::store

#endif  // PINTAR_STORE_CHAIN_H_
