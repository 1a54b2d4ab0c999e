// TokenDiagnoser: "the meter says REJECT" answered. Given a meter and the 20 digits a
// customer reads out, decodes the token with that meter's keys (derived from the vending key
// and the meter's registry record, as vending/engine/token_maker.h makes them; for a meter
// registered on base date 1993 also the key of its rollover) and says what it is and what the
// meter makes of it:
//   not_for_this_meter  no key of the meter gives a valid CRC (wrong meter, mistyped digit)
//   accepted            the meter reported this token accepted
//   rejected            the meter reported it rejected (the reason as it said)
//   used                another token with its TID was accepted: the meter refuses it as USED
//   old                 its TID is below every TID the meter remembers: refused as OLD
//   maybe_old           below every TID we know the meter took, but the meter may remember fewer
//   not_seen            the meter has not reported it: entering it should credit the meter
// The meter's TID memory is modelled from the ledger: the TIDs of the tokens it reported
// accepted (the newest kTidMemory of them, as the meter keeps them; docs/sts.md).
//
// The answer never contains key material: keys stay inside this object, key-change tokens
// are described by their control fields only (sts::describe).
// Errors: InvalidArgument (bad digits, bad meter number), NotFound (unknown meter),
// FailedPrecondition (no vending key loaded, or the meter's record does not fit it).
// Thread-safe; `ledger` must outlive it.
#ifndef PINTAR_HELPDESK_DIAGNOSIS_H_
#define PINTAR_HELPDESK_DIAGNOSIS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "store/ledger.h"
#include "vending/sts/decoder_key.h"
#include "vending/sts/sta.h"

namespace pintar::helpdesk {

inline constexpr size_t kTidMemory = 20;

struct Diagnosis {
  std::string meter_no{};
  std::string verdict{};                 // one of the words above
  std::string summary{};                 // the answer in plain words, for the person on the phone
  nlohmann::json meaning{};              // sts::describe(): kind and its fields; null when not for this meter
  std::optional<uint32_t> tid{};         // for tokens that carry one
  std::optional<std::string> made_at{};  // the TID as a UTC minute, "2026-12-03 05:41"
  std::optional<std::string> txn_id{};   // the purchase that issued it, when the ledger has it
  bool rollover_key = false;           // decoded with the key of the meter's base-date rollover
};

nlohmann::json diagnosis_json(const Diagnosis& d);

class TokenDiagnoser {
 public:
  // tables: EA07 STA tables; null = the IEC sample tables (tests, demo).
  TokenDiagnoser(store::Ledger& ledger, std::optional<sts::VendingKey> vending_key,
                 std::shared_ptr<const sts::StaTables> tables = nullptr);

  Result<Diagnosis> diagnose(std::string_view meter_no, std::string_view token_text);

 private:
  store::Ledger& ledger_;
  std::optional<sts::VendingKey> vending_key_{};
  std::shared_ptr<const sts::StaTables> tables_;
};

}  // namespace pintar::helpdesk

#endif  // PINTAR_HELPDESK_DIAGNOSIS_H_
