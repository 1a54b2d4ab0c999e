// Helpers shared by store/'s unit tests: a scratch directory and sample records.
#ifndef PINTAR_STORE_TEST_SUPPORT_H_
#define PINTAR_STORE_TEST_SUPPORT_H_

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "common/temp_dir.h"
#include "store/ledger.h"
#include "store/records.h"
#include "store/sqlite_ledger.h"

namespace pintar::store::testing {

inline std::string make_temp_dir() { return pintar::make_temp_dir("store"); }

inline LedgerOptions options_in(const std::string& dir) {
  LedgerOptions options;
  options.path = dir + "/ledger.db";
  return options;
}

inline TransactionRecord sample_transaction(int n, int64_t version = 1) {
  return TransactionRecord{.txn_id = fmt::format("txn-{}", n),
                           .version = version,
                           .idempotency_key = fmt::format("key-{}", n),
                           .meter_no = "14012345678",
                           .msisdn = "6281234567890",
                           .amount_rupiah = 20000 + n,
                           .energy_deci_kwh = version > 1 ? 154 : 0,
                           .token = version > 1 ? std::optional<std::string>("51043465443420856213") : std::nullopt,
                           .state = version > 1 ? "token_issued" : "received",
                           .reference = std::nullopt,
                           .reason = std::nullopt,
                           .created_ms = 1'700'000'000'000 + n,
                           .recorded_ms = 1'700'000'000'000 + n + version};
}

inline SubscriberRecord sample_subscriber(int n) {
  const std::string meter = fmt::format("{:011}", 14000000000LL + n);
  const std::string modem = fmt::format("6281100{:06}", n);
  return SubscriberRecord{
      .customer = {.idpel = fmt::format("{:012}", 511000000000LL + n), .name = fmt::format("CUSTOMER {}", n),
                   .tariff = "R1", .power_va = 900, .region = "JKT"},
      .meter = {.meter_no = meter, .idpel = fmt::format("{:012}", 511000000000LL + n), .sgc = "600675", .ti = 1,
                .krn = 1, .kt = 2, .ea = 7, .dkga = 2, .base_date = 1993, .kdpm = "ABC", .modem_msisdn = modem},
      .modem = {.msisdn = modem, .key_id = "modem-key-1"},
      .subscription = {.msisdn = fmt::format("6281200{:06}", n), .meter_no = meter, .language = "id",
                       .pin_hash = crypto::sha256(crypto::as_bytes(meter))},
  };
}

// The records of an import, as ImportSource lines numbered from 2 (line 1: a file's header).
class RecordSource final : public ImportSource {
 public:
  explicit RecordSource(std::vector<SubscriberRecord> records) : records_(std::move(records)) {}
  bool next(ImportLine& line) override {
    if (next_ == records_.size()) return false;
    line = ImportLine{.line = next_ + 2, .record = records_[next_], .error = {}};
    ++next_;
    return true;
  }

 private:
  std::vector<SubscriberRecord> records_;
  size_t next_ = 0;
};

}  // namespace pintar::store::testing

#endif  // PINTAR_STORE_TEST_SUPPORT_H_
