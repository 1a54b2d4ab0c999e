// The feed's wire form (docs/pln-feed.md, "Records"): one JSON object per record, a batch as
// {"feed": "pintar", "schema": 1, "records": [...]}, and the batch's signature.
//
// The signature authenticates the sender and the body: HMAC-SHA256 over the exact body bytes
// with the feed secret both sides hold, sent as "X-Pintar-Signature: sha256=<64 hex>" (the
// receiver recomputes it and compares in constant time). Pure functions, any thread.
#ifndef PINTAR_REPORT_FEED_JSON_H_
#define PINTAR_REPORT_FEED_JSON_H_

#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "common/secret.h"
#include "store/feed_store.h"

namespace pintar::report {

inline constexpr int kFeedSchema = 1;
inline constexpr const char* kSignatureHeader = "X-Pintar-Signature";

nlohmann::json record_json(const store::FeedRecord& record);
std::string batch_body(std::span<const store::FeedRecord> batch);
// "sha256=" and the HMAC-SHA256 of `body` under `secret`, in lower-case hex.
std::string signature(const Secret& secret, std::string_view body);

}  // namespace pintar::report

#endif  // PINTAR_REPORT_FEED_JSON_H_
