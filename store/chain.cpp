#include "store/chain.h"

#include <fmt/format.h>

namespace pintar::store {
namespace {

constexpr uint32_t kNullLength = 0xFFFFFFFF;

void put_length(std::string& out, uint32_t length) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((length >> shift) & 0xFF));
}

}  // namespace

CanonicalRow& CanonicalRow::add(std::string_view text) {
  put_length(bytes_, static_cast<uint32_t>(text.size()));
  bytes_.append(text);
  return *this;
}

CanonicalRow& CanonicalRow::add(int64_t number) { return add(std::string_view(fmt::format("{}", number))); }

CanonicalRow& CanonicalRow::add(const std::optional<std::string>& text) {
  if (text) return add(std::string_view(*text));
  put_length(bytes_, kNullLength);
  return *this;
}

std::string canonical_row(int64_t seq, const TransactionRecord& row) {
  CanonicalRow out;
  out.add(kTransactionsChain)
      .add(seq)
      .add(row.txn_id)
      .add(row.version)
      .add(row.idempotency_key)
      .add(row.meter_no)
      .add(row.msisdn)
      .add(row.amount_rupiah)
      .add(row.energy_deci_kwh)
      .add(row.token)
      .add(row.state)
      .add(row.reference)
      .add(row.reason)
      .add(row.created_ms)
      .add(row.recorded_ms);
  return out.bytes();
}

std::string canonical_row(int64_t seq, const AuditEntry& row) {
  CanonicalRow out;
  out.add(kAuditChain).add(seq).add(row.at_ms).add(row.actor).add(row.action).add(row.subject).add(row.detail);
  return out.bytes();
}

std::string canonical_entry(std::string_view chain, int64_t seq, std::string_view entry) {
  CanonicalRow out;
  out.add(chain).add(seq);
  return out.bytes() + std::string(entry);
}

crypto::Sha256Digest chain_hash(const crypto::Sha256Digest& previous, std::string_view canonical) {
  std::string message(previous.begin(), previous.end());
  message.append(canonical);
  return crypto::sha256(crypto::as_bytes(message));
}

}  // namespace pintar::store
