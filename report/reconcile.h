// Reconciliation (issue 12, docs/reconciliation.md): our sales of one business day against
// P2APST's sales file for that day, every difference listed.
//
// The business day runs from the end of PLN's daily cut-off (p2apst.cutoff_end, local time;
// 00:00 when the cut-off is off) to the same time the next day: nothing is sold in the
// cut-off, so no sale falls near its edges. A sale belongs to the day of its sale (ours: the
// token_issued version; P2APST's: its sold_at).
//
// Differences, by reference:
//   missing_at_p2apst  we hold a sold purchase P2APST's file does not list
//   missing_here       P2APST's file lists a sale we have no purchase for
//   amount             both have it, the amounts differ
//   not_completed      both have it, our purchase has not reached completed (needs_manual:
//                      a person must settle it; sent: the meter has not answered yet)
//   duplicate          P2APST's file lists the reference more than once
//
// The P2APST file is the reports' CSV convention (report/report_file.h): a header row
// "reference,meter_no,amount_rupiah,sold_at", one row per sale, the trailer. A file whose
// trailer does not match its body, or with a malformed row, is InvalidArgument naming the
// line: nothing is reconciled against a damaged file.
#ifndef PINTAR_REPORT_RECONCILE_H_
#define PINTAR_REPORT_RECONCILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "report/report_config.h"
#include "store/report_reads.h"

namespace pintar::report {

inline constexpr const char* kP2apstSalesHeader = "reference,meter_no,amount_rupiah,sold_at";

struct P2apstSale {
  std::string reference{};
  std::string meter_no{};
  int64_t amount_rupiah = 0;
  int64_t sold_ms = 0;
  int line = 0;  // in the file, for the differences
};

Result<std::vector<P2apstSale>> parse_p2apst_sales(std::string_view file);

// The business day `date` (YYYY-MM-DD) beginning `day_start_minute` minutes after local
// midnight.
Result<Period> business_day(std::string_view date, int utc_offset_minutes, int day_start_minute);

struct Difference {
  std::string kind{};  // see the list above
  std::string reference{};
  std::string txn_id{};     // ours, when we have it
  std::string meter_no{};
  int64_t our_amount = 0;    // 0 when we do not have it
  int64_t p2apst_amount = 0; // 0 when P2APST does not
  std::string our_state{};
};

struct Reconciliation {
  std::string day{};
  int64_t our_sales = 0, our_rupiah = 0;
  int64_t p2apst_sales = 0, p2apst_rupiah = 0;
  std::vector<Difference> differences{};  // by reference, then kind
};

Result<Reconciliation> reconcile(store::ReportReads& reads, const Period& day,
                                 const std::vector<P2apstSale>& p2apst);

}  // namespace pintar::report

#endif  // PINTAR_REPORT_RECONCILE_H_
