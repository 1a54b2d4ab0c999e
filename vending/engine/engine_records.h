// Small builders of ledger records for the engine's files (designated initialisers would
// leave optional members unnamed, which -Wextra refuses).
#ifndef PINTAR_VENDING_ENGINE_ENGINE_RECORDS_H_
#define PINTAR_VENDING_ENGINE_ENGINE_RECORDS_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/crypto.h"
#include "common/hex.h"

#include "store/ledger.h"

namespace pintar::engine {

// `prefix + id` when it has at most `max` characters, else `prefix` + 40 hex digits of its
// SHA-256: ledger ids are at most 64 characters, gateway ids up to 128.
inline std::string bounded_id(std::string_view prefix, std::string_view id, size_t max) {
  std::string whole = std::string(prefix) + std::string(id);
  if (whole.size() <= max) return whole;
  auto digest = crypto::sha256(std::span(reinterpret_cast<const uint8_t*>(id.data()), id.size()));
  return std::string(prefix) + hex_encode(std::span<const uint8_t>(digest.data(), 20));
}

// The id of a reply an MO gets (at most 64 characters): `kind` 'r' for the reply, others for
// more SMS the same MO causes (ULANG: 'k' key change tokens, 'm' the modem's TOK).
inline std::string reply_id(std::string_view mo_id, char kind = 'r') {
  return bounded_id("", mo_id, 62) + '.' + kind;
}

inline store::MessageDelivery delivery_update(std::string id, std::string state, int64_t at_ms,
                                              std::optional<std::string> smpp_id = std::nullopt) {
  store::MessageDelivery d;
  d.message_id = std::move(id);
  d.smpp_message_id = std::move(smpp_id);
  d.delivery_state = std::move(state);
  d.updated_ms = at_ms;
  return d;
}

inline store::SubscriptionUpdate subscription_update(const store::Subscription& sub) {
  store::SubscriptionUpdate u;
  u.msisdn = sub.msisdn;
  u.meter_no = sub.meter_no;
  return u;
}

inline store::MeterEvent meter_event(std::string meter_no, int64_t at_ms, std::string kind, std::string detail) {
  store::MeterEvent e;
  e.meter_no = std::move(meter_no);
  e.at_ms = at_ms;
  e.kind = std::move(kind);
  e.detail = std::move(detail);
  return e;
}

}  // namespace pintar::engine

#endif  // PINTAR_VENDING_ENGINE_ENGINE_RECORDS_H_
