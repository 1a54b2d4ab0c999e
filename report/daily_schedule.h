// DailySchedule: the thread of `pintar vending` that writes the daily PLN file
// (report/daily.h, write_daily_if_due) once a day after report.daily_at.
//
// It checks at start and then every `interval` (a minute in the daemon): the file's
// existence is the only state, so a vending that was down at daily_at writes the missing
// file when it starts, and two engines (or a hand-run `pintar report daily`) never write one
// twice. A failure (a full disk, the directory not writable) is retried at each check and
// logged once per distinct failure; it never touches the sales. Destroying the object stops
// the thread (a file being written is finished first).
#ifndef PINTAR_REPORT_DAILY_SCHEDULE_H_
#define PINTAR_REPORT_DAILY_SCHEDULE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "report/report_config.h"
#include "store/sqlite_ledger.h"

namespace pintar::report {

class DailySchedule {
 public:
  DailySchedule(store::LedgerOptions ledger, ReportOptions options, const Clock& clock,
                std::chrono::milliseconds interval = std::chrono::minutes(1));
  ~DailySchedule();
  DailySchedule(const DailySchedule&) = delete;
  DailySchedule& operator=(const DailySchedule&) = delete;

  // Files written so far (for tests and the log).
  int64_t written() const;

 private:
  void loop();

  const store::LedgerOptions ledger_;
  const ReportOptions options_;
  const Clock& clock_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  int64_t written_ = 0;
  std::string last_problem_;  // the failure logged last; empty after a success
  std::thread thread_;
};

}  // namespace pintar::report

#endif  // PINTAR_REPORT_DAILY_SCHEDULE_H_
