// The [vending] configuration keys (the single source for validation and
// docs/configuration.md), and VendingOptions, what the Engine runs with.
#ifndef PINTAR_VENDING_ENGINE_VENDING_CONFIG_H_
#define PINTAR_VENDING_ENGINE_VENDING_CONFIG_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/status.h"
#include "vending/engine/sms_command.h"
#include "vending/engine/token_maker.h"

namespace pintar::engine {

std::span<const config::Key> config_keys();

struct VendingOptions {
  std::string short_code = "8899";        // MT source address: what customers text
  std::string smsc;                       // [[smsc]] for MTs; empty: the gateway's default route
  TokenSource token_source = TokenSource::kLocal;
  std::vector<int64_t> denominations{std::begin(kDefaultDenominations), std::end(kDefaultDenominations)};
  std::chrono::seconds confirm_window{300};
  std::chrono::seconds same_text_window{120};
  std::chrono::seconds resume_wait{30};
  std::chrono::milliseconds outbox_poll{2000};  // how often SMS other processes requested are taken up
  std::chrono::seconds modem_ack_timeout{120};
  int64_t modem_resends = 2;              // resends after the first delivery, then needs_manual
  int64_t pin_attempts = 5;               // wrong PINs in a row that lock the subscription
  std::chrono::minutes pin_lock{30};
  int64_t rate_limit_count = 10;          // MOs per phone within rate_limit_window...
  std::chrono::seconds rate_limit_window{60};
  std::chrono::seconds rate_limit_silence{600};  // ...then one warning and silence this long
  uint32_t replay_window = 64;
  size_t workers = 2;
  Language default_language = Language::kId;
  // Tariff class -> price of 1 kWh in hundredths of a rupiah ("R1" = "1444.70" -> 144470), for
  // quoting kWh in confirmations and checking P2APST's kWh.
  std::map<std::string, int64_t> tariff_centi_rupiah_per_kwh;
  // Taxes on the power purchase, in basis points, for the same quotes: PBJT (the regional tax
  // on electricity, formerly PPJ) by the registry's region code, PPN by tariff class; a key
  // not listed takes the "default" entry, else 0.
  std::map<std::string, int64_t> pbjt_bp;
  std::map<std::string, int64_t> ppn_bp;
  std::string vending_key_source;         // wrapped STS vending key (token_source = local)
  std::string kek_source;                 // its key-encryption key
  std::string modem_keys_source;          // the modem keyring (engine_keys.h)
  // The gateway link (bridge/client.h): empty endpoint = gateway.zmq_endpoint; CURVE when the
  // two key settings are given (both or neither).
  std::string gateway_endpoint;
  std::string zmq_curve_secret_source;
  std::string gateway_public_key;
};

// Builds the options from a validated Config. InvalidArgument naming the key for a
// denomination list that is empty, unsorted or repeats, a tariff price that is not a positive
// decimal with at most 2 fractional digits, or local tokens without vending_key + kek.
Result<VendingOptions> options_from(const config::Config& config);

// The energy, in 0.1 kWh, that `power_purchase_rupiah` buys at a price of `centi_per_kwh`
// hundredths of a rupiah per kWh, rounded down (what PLN does: kWh to 2 decimals, cut).
int64_t quote_deci_kwh(int64_t power_purchase_rupiah, int64_t centi_per_kwh);

// The power purchase in rupiah that `amount_rupiah` leaves after `admin_rupiah` and taxes of
// `tax_bp` basis points levied on the power purchase itself: floor(base * 10000 / (10000 +
// tax_bp)), the way P2APST splits a payment (admin + taxes + power purchase = amount).
int64_t quote_power_purchase(int64_t amount_rupiah, int64_t admin_rupiah, int64_t tax_bp);
// The rate for `key` in a rate table (VendingOptions::pbjt_bp, ppn_bp): its own, else
// "default", else 0.
int64_t rate_for(const std::map<std::string, int64_t>& rates, const std::string& key);

}  // namespace pintar::engine

#endif  // PINTAR_VENDING_ENGINE_VENDING_CONFIG_H_
