#include "helpdesk/lookups.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "vending/engine/purchase_machine.h"

namespace pintar::helpdesk {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status check_reference(std::string_view text) {
  const bool ok = !text.empty() && text.size() <= 64 &&
                  std::all_of(text.begin(), text.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
  if (!ok) return Status::invalid_argument("reference: 1 to 64 letters and digits");
  return Status::ok_status();
}

// "<created_ms>:<txn_id>" of the last purchase on a page.
std::string cursor_of(const store::TransactionRecord& t) { return fmt::format("{}:{}", t.created_ms, t.txn_id); }

Status parse_cursor(std::string_view cursor, store::TransactionQuery& query) {
  const size_t colon = cursor.find(':');
  int64_t created = 0;
  const auto digits = cursor.substr(0, colon);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), created);
  if (colon == std::string_view::npos || colon + 1 >= cursor.size() || cursor.size() > 96 || error != std::errc() ||
      end != digits.data() + digits.size() || !all_digits(digits)) {
    return Status::invalid_argument("cursor: not one this API gave (use next_cursor as it came)");
  }
  query.after_created_ms = created;
  query.after_txn_id = std::string(cursor.substr(colon + 1));
  return Status::ok_status();
}

}  // namespace

Status check_meter(std::string_view text) {
  if (text.size() != 11 || !all_digits(text)) return Status::invalid_argument("meter: 11 digits");
  return Status::ok_status();
}

Status check_idpel(std::string_view text) {
  if (text.size() != 12 || !all_digits(text)) return Status::invalid_argument("idpel: 12 digits");
  return Status::ok_status();
}

Status check_msisdn(std::string_view text) {
  if (text.size() < 10 || text.size() > 15 || text.substr(0, 2) != "62" || !all_digits(text)) {
    return Status::invalid_argument("msisdn: 62 then 8 to 13 digits (international form, no +)");
  }
  return Status::ok_status();
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  for (size_t start = 0; start <= text.size();) {
    const size_t comma = std::min(text.find(',', start), text.size());
    out.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Result<std::string> normalize_token(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c == ' ' || c == '-') continue;
    if (c < '0' || c > '9' || digits.size() == 20) return Status::invalid_argument("token: 20 digits");
    digits.push_back(c);
  }
  if (digits.size() != 20) return Status::invalid_argument("token: 20 digits");
  return digits;
}

Result<SearchPage> Lookups::search(const SearchRequest& r) {
  store::TransactionQuery query;
  if (r.limit < 1 || r.limit > kMaxPageSize) {
    return Status::invalid_argument(fmt::format("limit: 1 to {}", kMaxPageSize));
  }
  if (r.meter) {
    PINTAR_RETURN_IF_ERROR(check_meter(*r.meter));
    query.meter_no = r.meter;
  }
  if (r.msisdn) {
    PINTAR_RETURN_IF_ERROR(check_msisdn(*r.msisdn));
    query.msisdn = r.msisdn;
  }
  if (r.reference) {
    PINTAR_RETURN_IF_ERROR(check_reference(*r.reference));
    query.reference = r.reference;
  }
  if (r.token) {
    auto token = normalize_token(*r.token);
    if (!token.ok()) return token.status();
    query.token = *token;
  }
  for (const std::string& state : r.states) {
    if (!engine::state_from_name(state)) {
      return Status::invalid_argument(fmt::format("state: '{}' is not a purchase state", state.substr(0, 32)));
    }
  }
  query.states = r.states;
  if (r.since_ms && *r.since_ms < 0) return Status::invalid_argument("since: a time at or after 1970");
  if (r.since_ms && r.until_ms && *r.until_ms <= *r.since_ms) {
    return Status::invalid_argument("until: must be later than since");
  }
  query.created_since_ms = r.since_ms;
  query.created_before_ms = r.until_ms;
  if (r.cursor) PINTAR_RETURN_IF_ERROR(parse_cursor(*r.cursor, query));
  if (r.idpel) {
    PINTAR_RETURN_IF_ERROR(check_idpel(*r.idpel));
    auto found = ledger_.find_subscribers(*r.idpel);
    if (!found.ok()) return found.status();
    for (const store::SubscriberView& v : *found) {
      if (v.customer.idpel == *r.idpel) query.meter_nos.push_back(v.meter.meter_no);
    }
    if (query.meter_nos.empty()) return SearchPage{};  // no meter: no purchase
  }
  query.limit = r.limit + 1;  // one more tells whether there is a next page
  auto found = ledger_.find_transactions(query);
  if (!found.ok()) return found.status();
  SearchPage page;
  page.purchases = std::move(found).value();
  if (page.purchases.size() > r.limit) {
    page.purchases.resize(r.limit);
    page.next_cursor = cursor_of(page.purchases.back());
  }
  return page;
}

Result<Timeline> Lookups::timeline(std::string_view txn_id) {
  if (txn_id.empty() || txn_id.size() > 64) return Status::invalid_argument("purchase id: 1 to 64 characters");
  Timeline t;
  auto versions = ledger_.transaction_versions(txn_id);
  if (!versions.ok()) return versions.status();
  if (versions->empty()) return Status::not_found(fmt::format("no purchase {}", txn_id));
  t.versions = std::move(versions).value();
  auto messages = ledger_.messages_of(txn_id);
  if (!messages.ok()) return messages.status();
  t.messages = std::move(messages).value();
  auto detail = ledger_.find_vend_detail(txn_id);
  if (!detail.ok()) return detail.status();
  t.detail = std::move(detail).value();
  auto command = ledger_.find_modem_command_for(txn_id);
  if (!command.ok()) return command.status();
  t.command = std::move(command).value();
  auto audit = ledger_.audit_of(txn_id);
  if (!audit.ok()) return audit.status();
  t.audit = std::move(audit).value();
  if (journal_ != nullptr) {
    auto purchase = journal_->find_by_txn(txn_id);
    if (!purchase.ok()) return purchase.status();
    t.p2apst = std::move(purchase).value();
  }
  return t;
}

Result<std::vector<MeterRecord>> Lookups::records(std::string_view key, size_t recent) {
  if (!check_meter(key).ok() && !check_idpel(key).ok() && !check_msisdn(key).ok()) {
    return Status::invalid_argument("key: a meter number (11 digits), an IDPEL (12 digits) or an MSISDN (62...)");
  }
  auto views = ledger_.find_subscribers(key);
  if (!views.ok()) return views.status();
  if (views->empty() && check_meter(key).ok()) {
    // A one-way meter replaced by a two-way one: the record of the meter that replaced it.
    auto migrated = ledger_.find_migrated_meter(key);
    if (!migrated.ok()) return migrated.status();
    if (*migrated) views = ledger_.find_subscribers(**migrated);
    if (!views.ok()) return views.status();
  }
  if (views->empty()) return Status::not_found(fmt::format("nothing registered under {}", key));
  std::vector<MeterRecord> out;
  for (store::SubscriberView& view : *views) {
    MeterRecord r;
    for (const auto& phone : view.phones) {
      auto sub = ledger_.find_subscription(phone.msisdn, view.meter.meter_no);
      if (!sub.ok()) return sub.status();
      if (*sub) {
        (*sub)->pin_hash = {};  // never leaves the ledger layer
        r.subscriptions.push_back(**sub);
      }
    }
    auto events = ledger_.recent_meter_events(view.meter.meter_no, recent);
    if (!events.ok()) return events.status();
    r.events = std::move(events).value();
    for (const store::MeterEvent& e : r.events) {
      if (e.credit_deci_kwh) {
        r.last_credit_deci_kwh = e.credit_deci_kwh;
        r.last_credit_at_ms = e.at_ms;
        break;
      }
    }
    store::TransactionQuery query;
    query.meter_no = view.meter.meter_no;
    query.limit = recent;
    auto purchases = ledger_.find_transactions(query);
    if (!purchases.ok()) return purchases.status();
    r.purchases = std::move(purchases).value();
    r.view = std::move(view);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace pintar::helpdesk
