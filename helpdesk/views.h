// Views: the helpdesk's records as JSON (the API, `--format json`) and as the lines of a
// timeline (text output), with personal data masked for viewers (helpdesk/roles.h). PINs
// were masked before the ledger stored any SMS; PIN hashes and keys never reach a view.
// Pure, thread-safe.
#ifndef PINTAR_HELPDESK_VIEWS_H_
#define PINTAR_HELPDESK_VIEWS_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "helpdesk/lookups.h"
#include "helpdesk/roles.h"

namespace pintar::helpdesk {

nlohmann::json purchase_json(const store::TransactionRecord& t, Role role);
nlohmann::json page_json(const SearchPage& page, Role role);
// The newest version's fields, then versions, messages, p2apst, modem_command, detail,
// audit, and events: every item of the timeline in time order ({at_ms, kind, text}).
nlohmann::json timeline_json(const Timeline& timeline, Role role);
nlohmann::json records_json(const std::vector<MeterRecord>& records, Role role);

struct TimelineLine {
  int64_t at_ms;
  std::string kind;  // "state", "sms_in", "sms_out", "p2apst", "modem", "audit"
  std::string text;
};
// Every step of the purchase, in time order (stable: equal times keep their kind's order).
std::vector<TimelineLine> timeline_lines(const Timeline& timeline, Role role);

// "05:41:07.123Z" and "2026-12-03 05:41:07Z".
std::string clock_text(int64_t ms);
std::string date_time_text(int64_t ms);

}  // namespace pintar::helpdesk

#endif  // PINTAR_HELPDESK_VIEWS_H_
