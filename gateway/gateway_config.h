// The [gateway] and [[smsc]] configuration keys, and the options `pintar gateway` builds
// from them. The key tables are the single source for validation, docs/configuration.md and
// deploy/pintar.example.toml.
#ifndef PINTAR_GATEWAY_GATEWAY_CONFIG_H_
#define PINTAR_GATEWAY_GATEWAY_CONFIG_H_

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/secret.h"
#include "common/status.h"
#include "smpp/session.h"
#include "sqlite/connection.h"

namespace pintar::gateway {

std::span<const config::Key> config_keys();

struct EngineLinkOptions {
  std::string endpoint = "ipc:///run/pintar-gateway/engine.sock";  // the ROUTER socket the engines connect to
  std::chrono::milliseconds retry{2000};           // repeat an unacknowledged message after this
  std::chrono::milliseconds heartbeat{1000};       // our heartbeat to each engine
  std::chrono::milliseconds liveness{5000};        // an engine silent this long is gone
  size_t max_unacked = 1000;                       // per kind (mo, mt_result, receipt)
  // Who may connect (gateway/engine_auth.h): with a secret key the link is a CURVE server
  // admitting only the pinned engine keys (Z85); tcp:// requires it.
  std::optional<Secret> curve_secret_key{};        // 32 octets
  std::vector<std::string> engine_keys{};          // Z85 public keys
  size_t max_message_bytes = 65536;                // ZMQ_MAXMSGSIZE: a larger frame drops its connection
  size_t max_frames_per_pass = 256;                // receive() returns after this many frames
};

struct GatewayOptions {
  std::string queue_path;                          // absolute (state_dir applied)
  sqlite::Synchronous queue_synchronous = sqlite::Synchronous::kFull;
  EngineLinkOptions engine;
  std::chrono::seconds receipt_match_wait{600};
  std::chrono::hours retention{24 * 7};
  std::chrono::seconds mo_dedup_window{120};      // a deliver_sm repeated within this is stored once
  size_t mo_incomplete_per_source = 4;             // incomplete long MOs per (smsc, source)
  size_t mo_incomplete_bytes = 1 << 20;            // their user data together
  std::vector<smpp::BindOptions> smscs;            // in file order; the first is the default route
};

// Builds the options from a validated Config: resolves paths against state_dir, loads each
// password secret (its spec, never its value, appears in errors), checks that SMSC names
// are unique and that every BindOptions is valid (smpp::validate).
Result<GatewayOptions> options_from(const config::Config& config);

}  // namespace pintar::gateway

#endif  // PINTAR_GATEWAY_GATEWAY_CONFIG_H_
