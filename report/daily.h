// The daily non-transaction data file for PLN (regulation §4(2)e; issue 12): customers,
// meters, modems, subscriptions and each meter's last status, as the ledger holds them at the
// end of one local date, in the format of docs/pln-daily.md, written once per date
// (report/report_file.h: atomic, never over an existing file).
//
// "As at the end of the date": rows created before the date's end (local midnight at the
// configured offset), events and modem SMS before it. Registry rows are not versioned in the
// ledger, so a customer renamed after the date shows its new name: write the file soon after
// the date (which `pintar vending` does, at report.daily_at).
//
// Never in the file: PIN hashes, PIN attempt counters, key material or key identifiers.
#ifndef PINTAR_REPORT_DAILY_H_
#define PINTAR_REPORT_DAILY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "report/report_config.h"
#include "store/report_reads.h"
#include "store/sqlite_ledger.h"

namespace pintar::report {

struct DailySummary {
  std::string path;
  int64_t customers = 0;
  int64_t meters = 0;
  int64_t modems = 0;
  int64_t subscriptions = 0;
  int64_t meter_statuses = 0;
  int64_t rows = 0;  // the trailer's count: the sum of the above
};

// "pln-daily-2026-12-06.csv".
std::string daily_file_name(const Period& day);

// Writes the file of `day` into `dir` from `reads`. AlreadyExists (nothing touched) when the
// file is there; FailedPrecondition when the day has not ended at `now_ms` (a file written
// then would miss the rest of the day, and could not be written again).
Result<DailySummary> write_daily(store::ReportReads& reads, const Period& day, const std::string& dir,
                                 int64_t now_ms);

// What `pintar vending` runs every minute: once the local time at `now_ms` is past
// options.daily_at, writes the previous date's file into options.daily_dir unless it exists.
// The file's existence is the record, so a restart after daily_at writes a missing one and
// a second process finds it written. nullopt when nothing was due or the file was there.
Result<std::optional<DailySummary>> write_daily_if_due(const store::LedgerOptions& ledger,
                                                       const ReportOptions& options, int64_t now_ms);

}  // namespace pintar::report

#endif  // PINTAR_REPORT_DAILY_H_
