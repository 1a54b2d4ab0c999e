#include "report/feed_config.h"

#include <fmt/format.h>

namespace pintar::report {
namespace {

using config::Key;
using config::Type;

constexpr Key kFeedKeys[] = {
    {.path = "feed.url", .type = Type::kString, .default_value = "",
     .description = "PLN's receiver of the real-time feed: every purchase that reaches an end, POSTed in "
                    "batches (docs/pln-feed.md); http:// or https://. Empty: no HTTP feed."},
    {.path = "feed.secret", .type = Type::kString, .default_value = "",
     .description = "The HMAC-SHA256 key that signs each batch (X-Pintar-Signature), as a secret source "
                    "(hex:, file:, env:, credential:; at least 16 bytes). Required with feed.url."},
    {.path = "feed.ca_file", .type = Type::kString, .default_value = "",
     .description = "PEM file of the CA that signed the receiver's certificate (https); empty: the "
                    "system's CA store."},
    {.path = "feed.timeout_ms", .type = Type::kInteger, .default_value = "10000",
     .description = "Connect, send and answer time limit of one POST; past it the batch is retried.", .min = 100,
     .max = 600'000},
    {.path = "feed.batch", .type = Type::kInteger, .default_value = "100",
     .description = "Records per POST (and per PUB round).", .min = 1, .max = 1000},
    {.path = "feed.poll_ms", .type = Type::kInteger, .default_value = "500",
     .description = "How often the ledger is looked at for new records when the feed is caught up.", .min = 10,
     .max = 60'000},
    {.path = "feed.backoff_min_ms", .type = Type::kInteger, .default_value = "500",
     .description = "The first wait after a failed POST; doubling (jittered) after each further failure.",
     .min = 10, .max = 3'600'000},
    {.path = "feed.backoff_max_ms", .type = Type::kInteger, .default_value = "60000",
     .description = "The longest wait between two attempts while the receiver is down.", .min = 10,
     .max = 3'600'000},
    {.path = "feed.pub_endpoint", .type = Type::kString, .default_value = "",
     .description = "A local ZeroMQ PUB socket carrying the same records (ipc://PATH, or tcp:// on loopback "
                    "only): a live view for local consumers, not a delivery. Empty: none."},
};

}  // namespace

std::span<const config::Key> feed_config_keys() { return kFeedKeys; }

Result<FeedConfig> feed_config(const config::Config& config) {
  FeedConfig c;
  c.url = config.string("feed.url");
  c.secret_source = config.string("feed.secret");
  c.ca_file = config.string("feed.ca_file");
  c.timeout = std::chrono::milliseconds(config.integer("feed.timeout_ms"));
  c.pub_endpoint = config.string("feed.pub_endpoint");
  c.pump.batch = static_cast<size_t>(config.integer("feed.batch"));
  c.pump.poll = std::chrono::milliseconds(config.integer("feed.poll_ms"));
  c.pump.backoff_min = std::chrono::milliseconds(config.integer("feed.backoff_min_ms"));
  c.pump.backoff_max = std::chrono::milliseconds(config.integer("feed.backoff_max_ms"));
  if (!c.url.empty() && c.secret_source.empty()) {
    return Status::invalid_argument("feed.url is set but feed.secret is not: every batch is signed");
  }
  if (c.pump.backoff_min > c.pump.backoff_max) {
    return Status::invalid_argument(fmt::format("feed.backoff_min_ms ({}) is above feed.backoff_max_ms ({})",
                                                c.pump.backoff_min.count(), c.pump.backoff_max.count()));
  }
  return c;
}

}  // namespace pintar::report
