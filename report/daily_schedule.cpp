#include "report/daily_schedule.h"

#include <spdlog/spdlog.h>

#include "report/daily.h"

namespace pintar::report {

DailySchedule::DailySchedule(store::LedgerOptions ledger, ReportOptions options, const Clock& clock,
                             std::chrono::milliseconds interval)
    : ledger_(std::move(ledger)), options_(std::move(options)), clock_(clock), interval_(interval) {
  thread_ = std::thread([this] { loop(); });
}

DailySchedule::~DailySchedule() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

int64_t DailySchedule::written() const {
  std::lock_guard lock(mutex_);
  return written_;
}

void DailySchedule::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.wall_now().time_since_epoch()).count();
    auto result = write_daily_if_due(ledger_, options_, now_ms);
    lock.lock();
    if (!result.ok()) {
      // Once per distinct failure, not every minute it lasts.
      const std::string problem = result.status().to_string();
      if (problem != last_problem_) {
        spdlog::error("report: daily PLN file not written (tried again every {} s): {}",
                      std::chrono::duration_cast<std::chrono::seconds>(interval_).count(), problem);
      }
      last_problem_ = problem;
    } else if (result->has_value()) {
      last_problem_.clear();
      ++written_;
      spdlog::info("report: wrote {} ({} rows)", (*result)->path, (*result)->rows);
    }
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace pintar::report
