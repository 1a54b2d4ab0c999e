#include "vending/engine/token_maker.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/crypto.h"
#include "common/log.h"
#include "vending/sts/amount.h"
#include "vending/sts/tid.h"
#include "vending/sts/token.h"
#include "vending/sts/token_cipher.h"

namespace pintar::engine {
namespace {

using std::chrono::duration_cast;
using std::chrono::minutes;

// IEC 62055-41 clause 6.1.2: the IIN of electricity meters.
constexpr std::string_view kElectricityIin = "600727";

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The Luhn check digit of `digits` (the digit that makes the whole number pass).
char luhn_digit(std::string_view digits) {
  int sum = 0;
  bool twice = true;  // the digit next to the check digit is doubled
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, twice = !twice) {
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

// Whole minutes from the start of `base` to t, unbounded above (the extended TID scale).
Result<int64_t> minutes_since(Clock::WallTime t, sts::BaseDate base) {
  const auto since = duration_cast<minutes>(t - sts::base_date_start(base)).count();
  if (t < sts::base_date_start(base)) {
    return Status::failed_precondition(
        fmt::format("the clock is before the meter's base date {}", sts::base_date_code(base)));
  }
  return static_cast<int64_t>(since);
}

// RND (4 bits): from the transaction, so the same sale and TID always give the same digits.
uint8_t rnd_of(std::string_view txn_id) {
  return static_cast<uint8_t>(crypto::sha256(crypto::as_bytes(txn_id))[0] & 0x0F);
}

class P2apstTokenMaker final : public TokenMaker {
 public:
  Result<IssuedTokens> make(const store::SubscriberView&, int64_t, std::string_view,
                            std::optional<std::string_view> p2apst_token) override {
    if (!p2apst_token.has_value()) {
      return Status::invalid_argument("token_source is p2apst but P2APST returned no token");
    }
    if (p2apst_token->size() != 20 || !all_digits(*p2apst_token)) {
      return Status::invalid_argument(
          fmt::format("the P2APST token is not 20 digits ({} characters)", p2apst_token->size()));
    }
    return IssuedTokens{.key_change_tokens = {}, .credit_token = std::string(*p2apst_token), .tid = std::nullopt};
  }
};

// The keys one meter's tokens are made with: its registry key and, for a meter on base date
// 1993, the key it moves to at the rollover.
struct MeterKeys {
  sts::KeyParameters params;
  sts::TokenCipher current;
  std::optional<sts::DecoderKey> rolled_key;  // base 2014, KRN + 1
  std::optional<sts::TokenCipher> rolled;
  sts::NewKeySettings rolled_settings;
};

class LocalTokenMaker final : public TokenMaker {
 public:
  LocalTokenMaker(store::Ledger& ledger, std::optional<sts::VendingKey> vending_key, Clock& clock,
                  TokenMakerOptions options)
      : ledger_(ledger), vending_key_(std::move(vending_key)), clock_(clock), options_(std::move(options)) {
    if (options_.tables == nullptr) options_.tables = sts::StaTables::sample();
  }

  Result<IssuedTokens> make(const store::SubscriberView& subscriber, int64_t energy_deci_kwh, std::string_view txn_id,
                            std::optional<std::string_view>) override {
    if (!vending_key_.has_value()) return Status::failed_precondition("token_source is local but no vending key is loaded");
    if (energy_deci_kwh <= 0 || energy_deci_kwh > int64_t{sts::kMaxTransferAmount}) {
      return Status::invalid_argument(fmt::format("energy {} (0.1 kWh) is outside 1..{}", energy_deci_kwh,
                                                  sts::kMaxTransferAmount));
    }
    const store::Meter& meter = subscriber.meter;
    auto keys = keys_for(meter);
    if (!keys.ok()) return keys.status().with_context(fmt::format("meter {}", meter.meter_no));
    const sts::BaseDate base = keys->params.base_date;
    const Clock::WallTime now = clock_.wall_now();
    auto now_tid = minutes_since(now, base);
    if (!now_tid.ok()) return now_tid.status();
    const uint8_t rnd = rnd_of(txn_id);
    const int64_t now_ms = duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();

    // Same-meter sales in this process wait for each other instead of racing in the ledger;
    // other processes still race, and lose with FailedPrecondition.
    std::lock_guard lock(stripes_[std::hash<std::string>{}(meter.meter_no) % stripes_.size()]);
    for (int attempt = 0; attempt < options_.max_tid_attempts; ++attempt) {
      auto last = ledger_.last_tid(meter.meter_no);
      if (!last.ok()) return last.status();
      // A meter whose registry record was moved to 2014 after our rollover key change still
      // has its TIDs stored on the 1993 scale: go on counting there.
      const bool on_1993_scale = base == sts::BaseDate::k2014 && last->has_value() && **last >= kFirstTidAfter1993;
      const int64_t now_in_scale = on_1993_scale ? *now_tid + minutes_1993_to_2014() : *now_tid;
      const int64_t next = last->has_value() ? std::max(now_in_scale, **last + 1) : now_in_scale;
      const bool rolls_over = base == sts::BaseDate::k1993 && next >= kFirstTidAfter1993;
      const int64_t sts_tid = rolls_over || on_1993_scale ? next - minutes_1993_to_2014() : next;
      if (sts_tid > int64_t{sts::kMaxTid}) {
        return Status::resource_exhausted(fmt::format(
            "meter {}: its TIDs are used up (past the last minute of its base date): it needs a key change",
            meter.meter_no));
      }
      const bool key_change_first = rolls_over && !(last->has_value() && **last >= kFirstTidAfter1993);
      // Everything that can fail is done before the TID is spent.
      IssuedTokens tokens;
      const sts::TokenCipher& cipher = rolls_over ? *keys->rolled : keys->current;
      if (key_change_first) {
        auto set = sts::key_change_tokens(*keys->rolled_key, keys->rolled_settings);
        if (!set.ok()) return set.status();
        for (const sts::TokenData& data : *set) {
          tokens.key_change_tokens.push_back(sts::to_string(sts::encode_token(keys->current, data)));
        }
      }
      auto credit = sts::credit_token(sts::CreditRegister::kElectricity, rnd, static_cast<uint32_t>(sts_tid),
                                      static_cast<uint64_t>(energy_deci_kwh));
      if (!credit.ok()) return credit.status();
      tokens.credit_token = sts::to_string(sts::encode_token(cipher, *credit));
      tokens.tid = sts_tid;

      store::WriteSet writes;
      writes.issue_tid(store::TidIssue{.meter_no = meter.meter_no, .tid = next, .txn_id = std::string(txn_id),
                                       .at_ms = now_ms});
      const Status issued = ledger_.write(std::move(writes));
      if (issued.code() == StatusCode::kFailedPrecondition) continue;  // another issuer got there first
      if (!issued.ok()) return issued;
      warn_once_if_sample(cipher);
      if (key_change_first) {
        spdlog::info("meter {}: past the TID rollover of base date 93: key change to base date 14, KRN {} issued first",
                     meter.meter_no, keys->rolled_settings.krn);
      }
      return tokens;
    }
    return Status::unavailable(
        fmt::format("meter {}: lost the TID to other issuers {} times in a row", meter.meter_no, options_.max_tid_attempts));
  }

 private:
  Result<MeterKeys> keys_for(const store::Meter& meter) const {
    auto params = key_parameters_of(meter);
    if (!params.ok()) return params.status();
    const auto want = meter.dkga == 2 ? sts::KeyDerivation::kDkga02 : sts::KeyDerivation::kDkga04;
    if (vending_key_->derivation() != want) {
      return Status::failed_precondition(fmt::format("the meter is DKGA{:02} but the vending key is DKGA{:02}",
                                                     meter.dkga, static_cast<int>(vending_key_->derivation())));
    }
    auto key = sts::derive_decoder_key(*vending_key_, *params);
    if (!key.ok()) return Status::failed_precondition(key.status().message());
    auto cipher = sts::TokenCipher::create(*key, options_.tables);
    if (!cipher.ok()) return cipher.status();
    MeterKeys keys{.params = *params, .current = std::move(cipher).value(), .rolled_key = {}, .rolled = {},
                   .rolled_settings = {}};
    if (params->base_date == sts::BaseDate::k1993) {
      sts::KeyParameters next = *params;
      next.base_date = sts::BaseDate::k2014;
      next.krn = static_cast<uint8_t>(params->krn % 9 + 1);
      auto rolled = sts::derive_decoder_key(*vending_key_, next);
      if (!rolled.ok()) return Status::failed_precondition(rolled.status().message());
      auto rolled_cipher = sts::TokenCipher::create(*rolled, options_.tables);
      if (!rolled_cipher.ok()) return rolled_cipher.status();
      keys.rolled_key = *rolled;
      keys.rolled = std::move(rolled_cipher).value();
      keys.rolled_settings = {.key_type = next.key_type,
                              .krn = next.krn,
                              .tariff_index = next.tariff_index,
                              .ken = 0xFF,
                              .rollover = true,
                              .sgc = next.sgc};
    }
    return keys;
  }

  void warn_once_if_sample(const sts::TokenCipher& cipher) {
    if (cipher.uses_sample_tables() && !warned_.exchange(true)) spdlog::warn("{}", sts::kSampleTablesWarning);
  }

  store::Ledger& ledger_;
  const std::optional<sts::VendingKey> vending_key_;
  Clock& clock_;
  TokenMakerOptions options_;
  std::array<std::mutex, 64> stripes_;
  std::atomic<bool> warned_{false};
};

}  // namespace

Result<TokenSource> parse_token_source(std::string_view text) {
  if (text == "local") return TokenSource::kLocal;
  if (text == "p2apst") return TokenSource::kP2apst;
  return Status::invalid_argument(fmt::format("token source '{}' is neither local nor p2apst", text));
}

std::string meter_pan(std::string_view meter_no) {
  std::string pan = std::string(kElectricityIin) + std::string(meter_no);
  pan.push_back(luhn_digit(pan));
  return pan;
}

Result<sts::KeyParameters> key_parameters_of(const store::Meter& m) {
  if (m.meter_no.size() != 11 || !all_digits(m.meter_no)) {
    return Status::failed_precondition("the meter number is not 11 digits");
  }
  if (m.sgc.size() != 6 || !all_digits(m.sgc)) return Status::failed_precondition("the SGC is not 6 digits");
  if (m.ti < 0 || m.ti > 99) return Status::failed_precondition("the tariff index (TI) is not 0..99");
  if (m.krn < 1 || m.krn > 9) return Status::failed_precondition("the key revision number (KRN) is not 1..9");
  if (m.kt < 0 || m.kt > 3) return Status::failed_precondition("the key type (KT) is not 0..3");
  sts::KeyParameters p{.pan = meter_pan(m.meter_no),
                       .key_type = static_cast<uint8_t>(m.kt),
                       .sgc = static_cast<uint32_t>(std::stoul(m.sgc)),
                       .tariff_index = static_cast<uint8_t>(m.ti),
                       .krn = static_cast<uint8_t>(m.krn)};
  switch (m.ea) {
    case 7: p.ea = sts::EncryptionAlgorithm::kEa07; break;
    case 11: p.ea = sts::EncryptionAlgorithm::kEa11; break;
    default: return Status::failed_precondition(fmt::format("encryption algorithm EA{:02} is not supported (07, 11)", m.ea));
  }
  if (m.dkga != 2 && m.dkga != 4) {
    return Status::failed_precondition(fmt::format("key derivation DKGA{:02} is not supported (02, 04)", m.dkga));
  }
  if (m.dkga == 2 && p.ea != sts::EncryptionAlgorithm::kEa07) {
    return Status::failed_precondition("DKGA02 gives EA07 keys only");
  }
  switch (m.base_date) {
    case 1993: p.base_date = sts::BaseDate::k1993; break;
    case 2014: p.base_date = sts::BaseDate::k2014; break;
    case 2035: p.base_date = sts::BaseDate::k2035; break;
    default: return Status::failed_precondition(fmt::format("base date {} is not 1993, 2014 or 2035", m.base_date));
  }
  return p;
}

int64_t minutes_1993_to_2014() {
  return duration_cast<minutes>(sts::base_date_start(sts::BaseDate::k2014) - sts::base_date_start(sts::BaseDate::k1993))
      .count();
}

std::unique_ptr<TokenMaker> make_token_maker(TokenSource source, store::Ledger& ledger,
                                             std::optional<sts::VendingKey> vending_key, Clock& clock) {
  return make_token_maker(source, ledger, std::move(vending_key), clock, TokenMakerOptions{});
}

std::unique_ptr<TokenMaker> make_token_maker(TokenSource source, store::Ledger& ledger,
                                             std::optional<sts::VendingKey> vending_key, Clock& clock,
                                             TokenMakerOptions options) {
  if (source == TokenSource::kP2apst) return std::make_unique<P2apstTokenMaker>();
  return std::make_unique<LocalTokenMaker>(ledger, std::move(vending_key), clock, std::move(options));
}

}  // namespace pintar::engine
