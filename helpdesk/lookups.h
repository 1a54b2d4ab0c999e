// Lookups: the helpdesk's read side over the ledger ("where is my token?"): purchase search
// by meter, IDPEL, phone, reference, token, state and time, newest first with a cursor; one
// purchase's whole timeline; a meter's records. The API, the web page, `pintar helpdesk find`
// and `pintar purchases` all read through here.
//
// Every request is validated first: InvalidArgument with a message naming the field and
// the expected form (the HTTP API's 400 body). NotFound for an unknown purchase or meter.
// Thread-safe (the ledger is); `ledger` and `journal` must outlive it; journal may be null
// (then timelines carry no P2APST purchase).
#ifndef PINTAR_HELPDESK_LOOKUPS_H_
#define PINTAR_HELPDESK_LOOKUPS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/ledger.h"
#include "store/p2apst_journal.h"

namespace pintar::helpdesk {

inline constexpr size_t kMaxPageSize = 200;

struct SearchRequest {
  std::optional<std::string> meter{};      // 11 digits
  std::optional<std::string> idpel{};      // 12 digits: every meter of the customer
  std::optional<std::string> msisdn{};     // 62 then 8..13 digits
  std::optional<std::string> reference{};  // P2APST/PLN reference, 1..64 letters and digits
  std::optional<std::string> token{};      // 20 digits (spaces and dashes allowed)
  std::vector<std::string> states{};       // engine state names
  std::optional<int64_t> since_ms{};       // created at or after
  std::optional<int64_t> until_ms{};       // created before
  std::optional<std::string> cursor{};     // next_cursor of the previous page
  size_t limit = 20;                     // 1..kMaxPageSize
};

struct SearchPage {
  std::vector<store::TransactionRecord> purchases{};  // newest first
  std::optional<std::string> next_cursor{};           // set when there may be more
};

struct Timeline {
  std::vector<store::TransactionRecord> versions{};  // oldest first; back() is now
  std::vector<store::MessageRecord> messages{};      // SMS in and out (PINs masked when stored)
  std::optional<store::VendDetail> detail{};         // what P2APST answered
  std::optional<store::ModemCommand> command{};      // the token's delivery to the modem
  std::optional<store::P2apstPurchaseRow> p2apst{};  // the P2APST purchase journal's row
  std::vector<store::AuditEntry> audit{};            // who did what on it (resends, resolutions)
};

struct MeterRecord {
  store::SubscriberView view{};
  std::vector<store::Subscription> subscriptions{};  // the phones, with PIN lockout (hashes cleared)
  std::optional<int64_t> last_credit_deci_kwh{};     // the newest credit the meter reported
  std::optional<int64_t> last_credit_at_ms{};
  std::vector<store::MeterEvent> events{};           // newest first
  std::vector<store::TransactionRecord> purchases{}; // newest first: its recent tokens
};

// InvalidArgument unless `text` is 11 digits / 12 digits / a 62-prefixed MSISDN.
Status check_meter(std::string_view text);
Status check_idpel(std::string_view text);
Status check_msisdn(std::string_view text);
// "needs_manual,sent" -> {"needs_manual", "sent"} (the API's and the CLI's state lists).
std::vector<std::string> split_commas(std::string_view text);
// The 20 digits of a token typed with spaces or dashes; InvalidArgument otherwise.
Result<std::string> normalize_token(std::string_view text);

class Lookups {
 public:
  Lookups(store::Ledger& ledger, store::P2apstPurchases* journal) : ledger_(ledger), journal_(journal) {}

  Result<SearchPage> search(const SearchRequest& request);
  Result<Timeline> timeline(std::string_view txn_id);
  // A meter number, IDPEL or subscribed MSISDN: every meter it names, with its records.
  // The number of a one-way meter migrated to two-way (never a meter here) answers with the
  // record of the meter that replaced it, whose view.migrated_from names the key: the
  // pointer to the new meter. Purchase search by meter does not follow it (the one-way
  // meter had no purchases here, and a search shows the meter it was asked about).
  Result<std::vector<MeterRecord>> records(std::string_view key, size_t recent = 10);

  store::Ledger& ledger() { return ledger_; }

 private:
  store::Ledger& ledger_;
  store::P2apstPurchases* journal_;
};

}  // namespace pintar::helpdesk

#endif  // PINTAR_HELPDESK_LOOKUPS_H_
