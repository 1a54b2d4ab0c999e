#include "report/sms.h"

#include <filesystem>

#include <fmt/format.h>

#include "report/report_file.h"

namespace pintar::report {

std::string sms_file_name(const Period& month) { return fmt::format("sms-charging-{}.csv", month.name); }

Result<SmsSummary> write_sms(store::ReportReads& reads, const Period& month, const std::string& path) {
  const std::filesystem::path target(path);
  const std::string dir = target.has_parent_path() ? target.parent_path().string() : std::string(".");
  auto opened = ReportFile::create(dir, target.filename().string());
  if (!opened.ok()) return opened.status();
  ReportFile& file = **opened;
  SmsSummary summary;
  PINTAR_RETURN_IF_ERROR(file.header({"header", "sms", "month", "payer_type", "payer", "class", "messages"}));
  PINTAR_RETURN_IF_ERROR(reads.sms_counts(month.begin_ms, month.end_ms, [&](const store::SmsCountRow& r) {
    summary.messages += r.messages;
    const std::string_view payer_type = !r.modem ? "msisdn" : r.payer.empty() ? "unattributed" : "idpel";
    const std::string klass = fmt::format("{}_{}", r.direction == "in" ? "mo" : "mt", r.modem ? "modem" : "customer");
    return file.row({"sms", month.name, payer_type, r.payer, klass, std::to_string(r.messages)});
  }));
  PINTAR_RETURN_IF_ERROR(file.commit());
  summary.records = file.rows();
  summary.path = file.path();
  return summary;
}

}  // namespace pintar::report
