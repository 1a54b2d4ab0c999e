#include "helpdesk/diagnosis.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "helpdesk/lookups.h"
#include "vending/engine/token_maker.h"
#include "vending/sts/data_block.h"
#include "vending/sts/tid.h"
#include "vending/sts/token.h"
#include "vending/sts/token_meaning.h"

namespace pintar::helpdesk {
namespace {

struct Keyed {
  sts::TokenCipher cipher;
  sts::BaseDate base;
  bool rollover;
};

// The ciphers of the meter's keys: its registry key and, on base date 1993, the rollover key.
Result<std::vector<Keyed>> ciphers_of(const store::Meter& meter, const sts::VendingKey& vk,
                                      const std::shared_ptr<const sts::StaTables>& tables) {
  auto params = engine::key_parameters_of(meter);
  if (!params.ok()) return params.status();
  const auto want = meter.dkga == 2 ? sts::KeyDerivation::kDkga02 : sts::KeyDerivation::kDkga04;
  if (vk.derivation() != want) {
    return Status::failed_precondition(fmt::format("meter {} is DKGA{:02}, the loaded vending key is not",
                                                   meter.meter_no, meter.dkga));
  }
  std::vector<sts::KeyParameters> all = {*params};
  if (params->base_date == sts::BaseDate::k1993) {
    sts::KeyParameters next = *params;
    next.base_date = sts::BaseDate::k2014;
    next.krn = static_cast<uint8_t>(params->krn % 9 + 1);
    all.push_back(next);
  }
  std::vector<Keyed> out;
  for (size_t i = 0; i < all.size(); ++i) {
    auto key = sts::derive_decoder_key(vk, all[i]);
    if (!key.ok()) return Status::failed_precondition(key.status().message());
    auto cipher = sts::TokenCipher::create(*key, tables);
    if (!cipher.ok()) return cipher.status();
    out.push_back({std::move(cipher).value(), all[i].base_date, i > 0});
  }
  return out;
}

bool carries_tid(const sts::TokenData& data) {
  if (data.token_class == 0) return true;
  if (data.token_class != 2) return false;
  const uint8_t sub = sts::fields_of(data.data_block).subclass;
  return sub != sts::subclass::kSet1stSectionDecoderKey && sub != sts::subclass::kSet2ndSectionDecoderKey &&
         sub != sts::subclass::kSet3rdSectionDecoderKey && sub != sts::subclass::kSet4thSectionDecoderKey;
}

std::string what_it_is(const nlohmann::json& meaning) {
  const std::string kind = meaning.value("kind", "reserved");
  if (kind == "credit") return fmt::format("a credit token of {}", meaning.value("text", ""));
  if (kind == "key_change") return "a key change token (one of a set, entered before the next credit token)";
  if (kind == "test") return "a test token (not encrypted; any meter of the maker takes it)";
  std::string words = kind;
  std::replace(words.begin(), words.end(), '_', ' ');
  return "a management token: " + words;
}

}  // namespace

nlohmann::json diagnosis_json(const Diagnosis& d) {
  nlohmann::json j = {{"meter", d.meter_no}, {"verdict", d.verdict}, {"summary", d.summary}, {"meaning", d.meaning},
                      {"rollover_key", d.rollover_key}};
  j["tid"] = d.tid ? nlohmann::json(*d.tid) : nlohmann::json(nullptr);
  j["made_at"] = d.made_at ? nlohmann::json(*d.made_at) : nlohmann::json(nullptr);
  j["txn_id"] = d.txn_id ? nlohmann::json(*d.txn_id) : nlohmann::json(nullptr);
  return j;
}

TokenDiagnoser::TokenDiagnoser(store::Ledger& ledger, std::optional<sts::VendingKey> vending_key,
                               std::shared_ptr<const sts::StaTables> tables)
    : ledger_(ledger), vending_key_(std::move(vending_key)), tables_(tables ? std::move(tables) : sts::StaTables::sample()) {}

Result<Diagnosis> TokenDiagnoser::diagnose(std::string_view meter_no, std::string_view token_text) {
  PINTAR_RETURN_IF_ERROR(check_meter(meter_no));
  auto digits = normalize_token(token_text);
  if (!digits.ok()) return digits.status();
  auto number = sts::parse_token_number(*digits);
  if (!number.ok()) return Status::invalid_argument("token: not a valid token number (above 2^66)");
  auto views = ledger_.find_subscribers(meter_no);
  if (!views.ok()) return views.status();
  auto view = std::find_if(views->begin(), views->end(), [&](const auto& v) { return v.meter.meter_no == meter_no; });
  if (view == views->end()) return Status::not_found(fmt::format("no meter {}", meter_no));
  if (!vending_key_) return Status::failed_precondition("token diagnosis needs the vending key (helpdesk.vending_key)");
  auto ciphers = ciphers_of(view->meter, *vending_key_, tables_);
  if (!ciphers.ok()) return ciphers.status();

  Diagnosis d{.meter_no = std::string(meter_no), .meaning = nullptr};
  std::optional<sts::DecodedToken> decoded;
  const Keyed* used_key = nullptr;
  const sts::DecodedToken clear = sts::decode_clear_token(*number);
  if (clear.crc_ok && clear.data.token_class == 1) decoded = clear;
  for (const Keyed& k : *ciphers) {
    if (decoded) break;
    sts::DecodedToken attempt = sts::decode_token(k.cipher, *number);
    if (attempt.crc_ok) {
      decoded = attempt;
      used_key = &k;
    }
  }
  if (!decoded) {
    d.verdict = "not_for_this_meter";
    d.summary = fmt::format(
        "Not a token for meter {}: with this meter's keys the check digits (CRC) do not match. A digit may have been "
        "read wrong, or the token is for another meter.",
        meter_no);
    return d;
  }
  d.meaning = sts::describe(decoded->data);
  d.rollover_key = used_key != nullptr && used_key->rollover;
  std::string what = what_it_is(d.meaning);
  if (carries_tid(decoded->data) && used_key != nullptr) {
    d.tid = sts::fields_of(decoded->data.data_block).tid;
    d.made_at = sts::format_utc_minute(sts::time_from_tid(*d.tid, used_key->base));
    what += fmt::format(", made {}", *d.made_at);
  }

  // What the ledger knows: the purchase that issued it, and the tokens the meter accepted.
  store::TransactionQuery issued;
  issued.token = *digits;
  issued.meter_no = std::string(meter_no);
  issued.limit = 1;
  auto found = ledger_.find_transactions(issued);
  if (!found.ok()) return found.status();
  std::optional<store::ModemCommand> command;
  if (!found->empty()) {
    d.txn_id = found->front().txn_id;
    auto c = ledger_.find_modem_command_for(*d.txn_id);
    if (!c.ok()) return c.status();
    command = *c;
  }
  const bool accepted = (command && command->state == "accepted") || (!found->empty() && found->front().state == "completed");
  if (accepted) {
    d.verdict = "accepted";
    d.summary = fmt::format("This is {}. The meter accepted it{}.", what, d.txn_id ? " (purchase " + *d.txn_id + ")" : "");
    return d;
  }
  if (command && command->state == "rejected") {
    d.verdict = "rejected";
    d.summary = fmt::format("This is {}. The meter rejected it: {}.", what, command->result);
    return d;
  }
  if (!d.tid) {
    d.verdict = "not_seen";
    d.summary = fmt::format("This is {}. The meter has not reported it; it carries no TID, so entering it is safe.", what);
    return d;
  }
  store::TransactionQuery done;
  done.meter_no = std::string(meter_no);
  done.states = {"completed"};
  done.limit = kTidMemory;
  auto completed = ledger_.find_transactions(done);
  if (!completed.ok()) return completed.status();
  std::set<uint32_t> memory;
  for (const store::TransactionRecord& t : *completed) {
    if (!t.token || t.token == *digits) continue;
    auto n = sts::parse_token_number(*t.token);
    if (!n.ok()) continue;
    const sts::DecodedToken other = sts::decode_token(used_key->cipher, *n);
    if (other.crc_ok) memory.insert(sts::fields_of(other.data.data_block).tid);
  }
  if (memory.contains(*d.tid)) {
    d.verdict = "used";
    d.summary = fmt::format("This is {}. The meter already took a token with this TID: it will refuse it as USED.", what);
  } else if (!memory.empty() && *d.tid < *memory.begin()) {
    const bool full = memory.size() >= kTidMemory;
    d.verdict = full ? "old" : "maybe_old";
    d.summary = fmt::format("This is {}. It is older than every token the meter {}: it {} refuse it as OLD.", what,
                            full ? "remembers" : "is known to have taken", full ? "will" : "may");
  } else {
    d.verdict = "not_seen";
    d.summary = fmt::format("This is {}. The meter has not reported it; entering it should add the credit.", what);
  }
  return d;
}

}  // namespace pintar::helpdesk
