// The SMS charging records (regulation: the operator bills the SMS and modem costs to the
// customer; issue 12): every SMS of one local month in the ledger's messages table, in and
// out, counted per payer and message class, in the format of docs/sms-charging.md, written
// once per month (report/report_file.h: atomic, never over an existing file).
//
// Classes: a message whose MSISDN is a registered modem is modem traffic, paid by the meter's
// account (the IDPEL of the modem's meter): mo_modem (received from the modem), mt_modem
// (sent to it). Any other message is customer traffic, paid by the phone that bought (the
// MSISDN of the message's transaction; the message's own MSISDN when it has none):
// mo_customer, mt_customer. A modem fitted to no meter is paid by nobody the ledger knows:
// payer_type "unattributed", payer empty, so that the counts still add up to every message.
#ifndef PINTAR_REPORT_SMS_H_
#define PINTAR_REPORT_SMS_H_

#include <cstdint>
#include <string>

#include "common/status.h"
#include "report/report_config.h"
#include "store/report_reads.h"

namespace pintar::report {

struct SmsSummary {
  std::string path;
  int64_t records = 0;   // the trailer's count
  int64_t messages = 0;  // the sum of the records' counts
};

// "sms-charging-2026-12.csv".
std::string sms_file_name(const Period& month);

// Writes the records of `month` to `path` (its directory is made when missing).
// AlreadyExists (nothing touched) when the file is there.
Result<SmsSummary> write_sms(store::ReportReads& reads, const Period& month, const std::string& path);

}  // namespace pintar::report

#endif  // PINTAR_REPORT_SMS_H_
