#include "vending/engine/vending_config.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace pintar::engine {
namespace {

using config::Key;
using config::Type;

constexpr int64_t kDay = 24 * 3600;

constexpr Key kVendingKeys[] = {
    {.path = "vending.short_code", .type = Type::kString, .default_value = "8899",
     .description = "The short code customers text; the source address of every reply and token SMS."},
    {.path = "vending.smsc", .type = Type::kString, .default_value = "",
     .description = "[[smsc]] name the engine's MTs go through; empty = the gateway's default route."},
    {.path = "vending.token_source", .type = Type::kString, .default_value = "local",
     .description = "local: our STS engine makes the token (needs vending_key and kek); p2apst: the 20 digits PLN "
                    "returned are forwarded unchanged. The P2APST token is recorded in both modes.",
     .choices = "local|p2apst"},
    {.path = "vending.denominations", .type = Type::kStringList,
     .default_value = "20000,50000,100000,200000,500000,1000000",
     .description = "Amounts (whole rupiah, ascending) a customer may buy; others are answered with this list."},
    {.path = "vending.confirm_window_s", .type = Type::kInteger, .default_value = "300",
     .description = "How long a purchase for another meter, or without a PIN, waits for `YA <PIN>`.", .min = 10,
     .max = kDay},
    {.path = "vending.same_text_window_s", .type = Type::kInteger, .default_value = "120",
     .description = "The same purchase text from the same phone within this is answered with the first result, "
                    "never a second sale.",
     .min = 1, .max = kDay},
    {.path = "vending.outbox_poll_ms", .type = Type::kInteger, .default_value = "2000",
     .description = "How often the engine sends the SMS other processes asked for in the ledger (a helpdesk "
                    "resend: an outgoing message in delivery state \"requested\").",
     .min = 100, .max = 60000},
    {.path = "vending.resume_wait_s", .type = Type::kInteger, .default_value = "30",
     .description = "After a restart, how long a purchase recorded but not yet past its PIN check waits for the "
                    "gateway to deliver its SMS again (the PIN is never stored); then it asks for `YA <PIN>`.",
     .min = 1, .max = 3600},
    {.path = "vending.modem_ack_timeout_s", .type = Type::kInteger, .default_value = "120",
     .description = "A token the meter's modem does not acknowledge within this is sent to it again.", .min = 1,
     .max = kDay},
    {.path = "vending.modem_resends", .type = Type::kInteger, .default_value = "2",
     .description = "Resends of an unacknowledged token; after the last one the purchase needs a person and the "
                    "customer is told to key the token in.",
     .min = 0, .max = 20},
    {.path = "vending.pin_attempts", .type = Type::kInteger, .default_value = "5",
     .description = "Wrong PINs in a row that lock the subscription (audited).", .min = 1, .max = 100},
    {.path = "vending.pin_lock_minutes", .type = Type::kInteger, .default_value = "30",
     .description = "How long a locked subscription refuses purchases.", .min = 1, .max = 7 * 24 * 60},
    {.path = "vending.rate_limit_count", .type = Type::kInteger, .default_value = "10",
     .description = "SMS from one phone within rate_limit_window_s; past it the phone gets one warning, then "
                    "silence for rate_limit_silence_s.",
     .min = 1, .max = 100000},
    {.path = "vending.rate_limit_window_s", .type = Type::kInteger, .default_value = "60",
     .description = "The window of rate_limit_count.", .min = 1, .max = kDay},
    {.path = "vending.rate_limit_silence_s", .type = Type::kInteger, .default_value = "600",
     .description = "How long a flooding phone is not answered after its warning.", .min = 1, .max = kDay},
    {.path = "vending.replay_window", .type = Type::kInteger, .default_value = "64",
     .description = "Anti-replay window of modem message counters (docs/modem-protocol.md).", .min = 1, .max = 64},
    {.path = "vending.workers", .type = Type::kInteger, .default_value = "2",
     .description = "Engine worker threads (work is serialised per phone).", .min = 1, .max = 64},
    {.path = "vending.language", .type = Type::kString, .default_value = "id",
     .description = "Language of replies to phones with no subscription.", .choices = "id|en"},
    {.path = "vending.tariffs", .type = Type::kStringMap, .default_value = "",
     .description = "Price of 1 kWh per tariff class in rupiah, { \"R1\" = \"1444.70\" }: only to quote kWh in "
                    "confirmations and to check P2APST's kWh (a mismatch is logged and counted; the sale follows "
                    "P2APST)."},
    {.path = "vending.pbjt_bp", .type = Type::kStringMap, .default_value = "",
     .description = "PBJT (regional tax on electricity, formerly PPJ) in basis points of the power purchase, per "
                    "region code of the registry, { \"default\" = \"1000\", \"JKT\" = \"240\" }: only to quote kWh "
                    "in confirmations (the sale's charges are P2APST's). A region not listed takes \"default\", else 0."},
    {.path = "vending.ppn_bp", .type = Type::kStringMap, .default_value = "",
     .description = "PPN in basis points of the power purchase per tariff class, { \"R3\" = \"1100\" }: only to "
                    "quote kWh in confirmations. A class not listed takes \"default\", else 0."},
    {.path = "vending.vending_key", .type = Type::kString, .default_value = "",
     .description = "Where the STS vending key is kept, wrapped (credential:NAME, file:, env:, hex:; `pintar keys "
                    "vending` makes one). Required for token_source = local."},
    {.path = "vending.kek", .type = Type::kString, .default_value = "",
     .description = "Where the key-encryption key of vending_key is kept (a separate secret source)."},
    {.path = "vending.modem_keys", .type = Type::kString, .default_value = "",
     .description = "The modem keyring (file of \"key_id hex\" lines, 0600; `pintar keys modem` adds one)."},
    {.path = "vending.gateway_endpoint", .type = Type::kString, .default_value = "",
     .description = "The gateway's engine link to connect to; empty = gateway.zmq_endpoint of this file (one host). "
                    "tcp:// needs zmq_curve_secret and gateway_public_key (docs/gateway.md)."},
    {.path = "vending.zmq_curve_secret", .type = Type::kString, .default_value = "",
     .description = "Where the engine's CURVE secret key is kept (`pintar keys zmq` makes it; credential:NAME, "
                    "file:); its public key must be in the gateway's gateway.zmq_engine_keys."},
    {.path = "vending.gateway_public_key", .type = Type::kString, .default_value = "",
     .description = "The gateway's CURVE public key (Z85, 40 characters), pinned: the engine talks to no other."},
};

Result<int64_t> parse_price(std::string_view text) {
  int64_t whole = 0;
  int64_t frac = 0;
  auto dot = text.find('.');
  std::string_view w = text.substr(0, dot);
  std::string_view f = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (w.empty() || w.size() > 9 || f.size() > 2 || (dot != std::string_view::npos && f.empty())) {
    return Status::invalid_argument("not a price");
  }
  for (char c : text) {
    if (c != '.' && (c < '0' || c > '9')) return Status::invalid_argument("not a price");
  }
  std::from_chars(w.data(), w.data() + w.size(), whole);
  if (!f.empty()) std::from_chars(f.data(), f.data() + f.size(), frac);
  if (f.size() == 1) frac *= 10;
  int64_t centi = whole * 100 + frac;
  if (centi <= 0) return Status::invalid_argument("not a price");
  return centi;
}

}  // namespace

std::span<const config::Key> config_keys() { return kVendingKeys; }

int64_t quote_deci_kwh(int64_t power_purchase_rupiah, int64_t centi_per_kwh) {
  if (centi_per_kwh <= 0 || power_purchase_rupiah <= 0) return 0;
  return power_purchase_rupiah * 1000 / centi_per_kwh;
}

int64_t quote_power_purchase(int64_t amount_rupiah, int64_t admin_rupiah, int64_t tax_bp) {
  const int64_t base = amount_rupiah - admin_rupiah;
  if (base <= 0 || tax_bp < 0) return 0;
  return base * 10'000 / (10'000 + tax_bp);
}

int64_t rate_for(const std::map<std::string, int64_t>& rates, const std::string& key) {
  if (auto it = rates.find(key); it != rates.end()) return it->second;
  if (auto it = rates.find("default"); it != rates.end()) return it->second;
  return 0;
}

Result<VendingOptions> options_from(const config::Config& config) {
  VendingOptions o;
  o.short_code = config.string("vending.short_code");
  if (o.short_code.empty() || o.short_code.size() > 20) {
    return Status::invalid_argument("vending.short_code: 1..20 characters");
  }
  o.smsc = config.string("vending.smsc");
  // The key's choices admit only these two.
  o.token_source = config.string("vending.token_source") == "p2apst" ? TokenSource::kP2apst : TokenSource::kLocal;
  o.denominations.clear();
  for (const std::string& word : config.strings("vending.denominations")) {
    auto amount = parse_amount_word(word);
    if (!amount.ok()) return Status::invalid_argument(fmt::format("vending.denominations: \"{}\" is no amount", word));
    if (!o.denominations.empty() && *amount <= o.denominations.back()) {
      return Status::invalid_argument("vending.denominations: must be ascending without repeats");
    }
    o.denominations.push_back(*amount);
  }
  if (o.denominations.empty()) return Status::invalid_argument("vending.denominations: empty");
  o.confirm_window = std::chrono::seconds(config.integer("vending.confirm_window_s"));
  o.same_text_window = std::chrono::seconds(config.integer("vending.same_text_window_s"));
  o.resume_wait = std::chrono::seconds(config.integer("vending.resume_wait_s"));
  o.outbox_poll = std::chrono::milliseconds(config.integer("vending.outbox_poll_ms"));
  o.modem_ack_timeout = std::chrono::seconds(config.integer("vending.modem_ack_timeout_s"));
  o.modem_resends = config.integer("vending.modem_resends");
  o.pin_attempts = config.integer("vending.pin_attempts");
  o.pin_lock = std::chrono::minutes(config.integer("vending.pin_lock_minutes"));
  o.rate_limit_count = config.integer("vending.rate_limit_count");
  o.rate_limit_window = std::chrono::seconds(config.integer("vending.rate_limit_window_s"));
  o.rate_limit_silence = std::chrono::seconds(config.integer("vending.rate_limit_silence_s"));
  o.replay_window = static_cast<uint32_t>(config.integer("vending.replay_window"));
  o.workers = static_cast<size_t>(config.integer("vending.workers"));
  o.default_language = language_from_code(config.string("vending.language")).value_or(Language::kId);
  for (const auto& [tariff, price] : config.string_map("vending.tariffs")) {
    auto centi = parse_price(price);
    if (!centi.ok()) {
      return Status::invalid_argument(
          fmt::format("vending.tariffs.{}: \"{}\" is not a price in rupiah (e.g. \"1444.70\")", tariff, price));
    }
    o.tariff_centi_rupiah_per_kwh[tariff] = *centi;
  }
  for (const auto& [key, into] : {std::pair{"vending.pbjt_bp", &o.pbjt_bp}, std::pair{"vending.ppn_bp", &o.ppn_bp}}) {
    for (const auto& [name, text] : config.string_map(key)) {
      int64_t bp = -1;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bp);
      if (ec != std::errc() || end != text.data() + text.size() || bp < 0 || bp > 10'000) {
        return Status::invalid_argument(
            fmt::format("{}.{}: \"{}\" is not basis points 0..10000 (1000 = 10%)", key, name, text));
      }
      (*into)[name] = bp;
    }
  }
  o.vending_key_source = config.string("vending.vending_key");
  o.kek_source = config.string("vending.kek");
  o.modem_keys_source = config.string("vending.modem_keys");
  o.gateway_endpoint = config.string("vending.gateway_endpoint");
  o.zmq_curve_secret_source = config.string("vending.zmq_curve_secret");
  o.gateway_public_key = config.string("vending.gateway_public_key");
  if (o.zmq_curve_secret_source.empty() != o.gateway_public_key.empty()) {
    return Status::invalid_argument(
        "vending.zmq_curve_secret and vending.gateway_public_key go together (CURVE needs both)");
  }
  if (o.token_source == TokenSource::kLocal && (o.vending_key_source.empty() || o.kek_source.empty())) {
    return Status::invalid_argument("vending.vending_key and vending.kek: required for token_source = local");
  }
  return o;
}

}  // namespace pintar::engine
