#include "helpdesk/helpdesk_config.h"

namespace pintar::helpdesk {
namespace {

using config::Key;
using config::Type;

constexpr Key kHelpdeskKeys[] = {
    {.path = "helpdesk.listen", .type = Type::kString, .default_value = "127.0.0.1",
     .description = "Address `pintar helpdesk serve` listens on (loopback by default: put a TLS proxy or "
                    "tls_certificate in front of anything wider)."},
    {.path = "helpdesk.port", .type = Type::kInteger, .default_value = "8480",
     .description = "TCP port of the helpdesk's API and web page; 0 picks a free one (printed at start).",
     .min = 0, .max = 65535},
    {.path = "helpdesk.tls_certificate", .type = Type::kString, .default_value = "",
     .description = "PEM certificate chain: set with tls_private_key to serve HTTPS (OpenSSL); empty: plain HTTP."},
    {.path = "helpdesk.tls_private_key", .type = Type::kString, .default_value = "",
     .description = "PEM private key of tls_certificate (a 0600 file)."},
    {.path = "helpdesk.rate_limit_per_minute", .type = Type::kInteger, .default_value = "120",
     .description = "Requests each API key may make per minute (a bucket of that size, refilled evenly); "
                    "past it, 429.",
     .min = 1, .max = 1000000},
    {.path = "helpdesk.threads", .type = Type::kInteger, .default_value = "4",
     .description = "Threads serving requests.", .min = 1, .max = 64},
    {.path = "helpdesk.web_root", .type = Type::kString, .default_value = "",
     .description = "Folder of the web page (helpdesk/web); empty: the one installed with pintar."},
    {.path = "helpdesk.vending_key", .type = Type::kString, .default_value = "",
     .description = "Where the wrapped STS vending key is, for token diagnosis (a Secret spec); empty: "
                    "vending.vending_key. Without one, diagnosis answers 412."},
    {.path = "helpdesk.kek", .type = Type::kString, .default_value = "",
     .description = "Where the key-encryption key of helpdesk.vending_key is; empty: vending.kek."},
};

}  // namespace

std::span<const config::Key> config_keys() { return kHelpdeskKeys; }

Result<HelpdeskOptions> helpdesk_options(const config::Config& config) {
  HelpdeskOptions o;
  o.listen = config.string("helpdesk.listen");
  o.port = static_cast<int>(config.integer("helpdesk.port"));
  o.tls_certificate = config.string("helpdesk.tls_certificate");
  o.tls_private_key = config.string("helpdesk.tls_private_key");
  if (o.tls_certificate.empty() != o.tls_private_key.empty()) {
    return Status::invalid_argument("helpdesk.tls_certificate and helpdesk.tls_private_key go together");
  }
  o.rate_limit_per_minute = config.integer("helpdesk.rate_limit_per_minute");
  o.threads = static_cast<int>(config.integer("helpdesk.threads"));
  o.web_root = config.string("helpdesk.web_root");
  o.vending_key_source = config.string("helpdesk.vending_key");
  o.kek_source = config.string("helpdesk.kek");
  return o;
}

}  // namespace pintar::helpdesk
