#include "report/feed_json.h"

#include "common/crypto.h"
#include "common/hex.h"

namespace pintar::report {
namespace {

nlohmann::json optional(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json record_json(const store::FeedRecord& r) {
  const store::TransactionRecord& t = r.purchase;
  return {{"seq", r.seq},
          {"txn_id", t.txn_id},
          {"version", t.version},
          {"state", t.state},
          {"resolved", r.resolved},
          {"meter_no", t.meter_no},
          {"idpel", r.idpel},
          {"msisdn", t.msisdn},
          {"amount_rupiah", t.amount_rupiah},
          {"energy_deci_kwh", t.energy_deci_kwh},
          {"token", optional(t.token)},
          {"reference", optional(t.reference)},
          {"reason", optional(t.reason)},
          {"created_ms", t.created_ms},
          {"ended_ms", t.recorded_ms}};
}

std::string batch_body(std::span<const store::FeedRecord> batch) {
  nlohmann::json records = nlohmann::json::array();
  for (const store::FeedRecord& r : batch) records.push_back(record_json(r));
  return nlohmann::json{{"feed", "pintar"}, {"schema", kFeedSchema}, {"records", std::move(records)}}.dump();
}

std::string signature(const Secret& secret, std::string_view body) {
  const crypto::Sha256Digest mac = crypto::hmac_sha256(secret.bytes(), crypto::as_bytes(body));
  return "sha256=" + hex_encode_lower(mac);
}

}  // namespace pintar::report
