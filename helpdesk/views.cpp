#include "helpdesk/views.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

namespace pintar::helpdesk {
namespace {

using nlohmann::json;

std::string phone(const std::string& msisdn, Role role) { return sees_whole(role) ? msisdn : mask_msisdn(msisdn); }

// For viewers, every run of digits (spaces and dashes between them allowed) long enough to be
// a token or a phone number has its middle digits starred: SMS bodies carry both.
std::string masked_body(const std::string& body, Role role) {
  if (sees_whole(role)) return body;
  std::string out = body;
  size_t i = 0;
  while (i < out.size()) {
    if (!std::isdigit(static_cast<unsigned char>(out[i]))) {
      ++i;
      continue;
    }
    size_t end = i;
    std::vector<size_t> digits;
    while (end < out.size() && (std::isdigit(static_cast<unsigned char>(out[end])) ||
                                ((out[end] == ' ' || out[end] == '-') && end + 1 < out.size() &&
                                 std::isdigit(static_cast<unsigned char>(out[end + 1]))))) {
      if (std::isdigit(static_cast<unsigned char>(out[end]))) digits.push_back(end);
      ++end;
    }
    if (digits.size() >= 10) {
      const size_t keep = digits.size() >= 16 ? 4 : 3;
      for (size_t d = keep; d + keep < digits.size(); ++d) out[digits[d]] = '*';
    }
    i = end;
  }
  return out;
}

json message_json(const store::MessageRecord& m, Role role) {
  json j = {{"message_id", m.message_id}, {"direction", m.direction},  {"msisdn", phone(m.msisdn, role)},
            {"body", masked_body(m.body, role)}, {"delivery_state", m.delivery_state},
            {"created_ms", m.created_ms}, {"updated_ms", m.updated_ms}};
  if (m.smpp_message_id) j["smpp_message_id"] = *m.smpp_message_id;
  return j;
}

std::string kwh_text(int64_t deci) { return fmt::format("{}.{} kWh", deci / 10, deci % 10); }

}  // namespace

std::string clock_text(int64_t ms) {
  const std::time_t seconds = ms / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:02}:{:02}:{:02}.{:03}Z", tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

std::string date_time_text(int64_t ms) {
  const std::time_t seconds = ms / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

json purchase_json(const store::TransactionRecord& t, Role role) {
  json j = {{"txn_id", t.txn_id},
            {"version", t.version},
            {"state", t.state},
            {"meter", t.meter_no},
            {"msisdn", phone(t.msisdn, role)},
            {"amount_rupiah", t.amount_rupiah},
            {"energy_deci_kwh", t.energy_deci_kwh},
            {"created_ms", t.created_ms},
            {"recorded_ms", t.recorded_ms}};
  if (t.token) j["token"] = sees_whole(role) ? *t.token : mask_token(*t.token);
  if (t.reference) j["reference"] = *t.reference;
  if (t.reason) j["reason"] = *t.reason;
  return j;
}

json page_json(const SearchPage& page, Role role) {
  json out = {{"purchases", json::array()}};
  for (const auto& t : page.purchases) out["purchases"].push_back(purchase_json(t, role));
  out["next_cursor"] = page.next_cursor ? json(*page.next_cursor) : json(nullptr);
  return out;
}

json timeline_json(const Timeline& tl, Role role) {
  json out = purchase_json(tl.versions.back(), role);
  out["versions"] = json::array();
  for (const auto& v : tl.versions) out["versions"].push_back(purchase_json(v, role));
  out["messages"] = json::array();
  for (const auto& m : tl.messages) out["messages"].push_back(message_json(m, role));
  if (tl.command) {
    const store::ModemCommand& c = *tl.command;
    out["modem_command"] = {{"seq", c.seq},         {"kind", c.kind},     {"state", c.state},
                            {"attempts", c.attempts}, {"result", c.result}, {"updated_ms", c.updated_ms}};
  }
  if (tl.detail) {
    const store::VendDetail& d = *tl.detail;
    out["charges"] = {{"admin_rupiah", d.admin_rupiah},         {"stamp_duty_rupiah", d.stamp_duty_rupiah},
                      {"ppn_rupiah", d.ppn_rupiah},             {"ppj_rupiah", d.ppj_rupiah},
                      {"instalment_rupiah", d.instalment_rupiah}, {"power_purchase_rupiah", d.power_purchase_rupiah}};
    out["key_change_tokens"] = d.key_change_tokens.size();
    if (d.tid) out["tid"] = *d.tid;
  }
  if (tl.p2apst) {
    const store::P2apstPurchaseRow& p = *tl.p2apst;
    out["p2apst"] = {{"state", p.state}, {"stan", p.stan},
                     {"response_code", p.response_code},     {"advice_count", p.advice_count}};
  }
  out["audit"] = json::array();
  for (const auto& a : tl.audit) {
    out["audit"].push_back({{"at_ms", a.at_ms}, {"actor", a.actor}, {"action", a.action}, {"detail", a.detail}});
  }
  out["timeline"] = json::array();
  for (const TimelineLine& line : timeline_lines(tl, role)) {
    out["timeline"].push_back({{"at_ms", line.at_ms}, {"kind", line.kind}, {"text", line.text}});
  }
  return out;
}

json records_json(const std::vector<MeterRecord>& records, Role role) {
  json out = json::array();
  for (const MeterRecord& r : records) {
    const store::SubscriberView& v = r.view;
    json j = {{"meter",
               {{"meter_no", v.meter.meter_no}, {"sgc", v.meter.sgc}, {"ti", v.meter.ti}, {"krn", v.meter.krn},
                {"kt", v.meter.kt}, {"ea", v.meter.ea}, {"dkga", v.meter.dkga}, {"base_date", v.meter.base_date},
                {"kdpm", v.meter.kdpm}}},
              {"customer",
               {{"idpel", v.customer.idpel}, {"name", v.customer.name}, {"tariff", v.customer.tariff},
                {"power_va", v.customer.power_va}, {"region", v.customer.region}}},
              {"modem", {{"msisdn", phone(v.modem.msisdn, role)}, {"key_id", v.modem.key_id}}},
              {"phones", json::array()},
              {"events", json::array()},
              {"purchases", json::array()}};
    for (const store::Subscription& s : r.subscriptions) {
      j["phones"].push_back({{"msisdn", phone(s.msisdn, role)}, {"language", s.language},
                             {"failed_pin_attempts", s.failed_pin_attempts}, {"locked_until_ms", s.locked_until_ms}});
    }
    for (const store::MeterEvent& e : r.events) {
      json event = {{"at_ms", e.at_ms}, {"kind", e.kind}, {"detail", e.detail}};
      if (e.credit_deci_kwh) event["credit_deci_kwh"] = *e.credit_deci_kwh;
      j["events"].push_back(std::move(event));
    }
    for (const auto& t : r.purchases) j["purchases"].push_back(purchase_json(t, role));
    if (v.migrated_from) {
      j["meter"]["migrated_from"] = v.migrated_from->one_way_meter_no;
      j["meter"]["migrated_at_ms"] = v.migrated_from->migrated_ms;
    }
    if (r.last_credit_deci_kwh) {
      j["last_credit"] = {{"deci_kwh", *r.last_credit_deci_kwh}, {"at_ms", *r.last_credit_at_ms}};
    }
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<TimelineLine> timeline_lines(const Timeline& tl, Role role) {
  std::vector<TimelineLine> lines;
  for (const auto& v : tl.versions) {
    std::string text = fmt::format("state {}", v.state);
    if (v.energy_deci_kwh > 0 && v.token) text += fmt::format(" ({})", kwh_text(v.energy_deci_kwh));
    if (v.reason) text += fmt::format(": {}", *v.reason);
    lines.push_back({v.recorded_ms, "state", std::move(text)});
  }
  for (const auto& m : tl.messages) {
    const bool in = m.direction == "in";
    std::string body = masked_body(m.body, role);
    if (body.size() > 70) body = body.substr(0, 67) + "...";
    std::string text = fmt::format("{} {}: \"{}\" ({}{})", in ? "SMS in  from" : "SMS out to  ", phone(m.msisdn, role),
                                   body, m.delivery_state, m.smpp_message_id ? ", SMSC id " + *m.smpp_message_id : "");
    lines.push_back({m.created_ms, in ? "sms_in" : "sms_out", std::move(text)});
  }
  if (tl.p2apst) {
    const store::P2apstPurchaseRow& p = *tl.p2apst;
    lines.push_back({tl.versions.front().recorded_ms, "p2apst",
                     fmt::format("P2APST purchase {}: {}{}{}", p.id, p.state,
                                 p.response_code.empty() ? "" : ", response code " + p.response_code,
                                 p.advice_count > 0 ? fmt::format(", {} advice(s)", p.advice_count) : "")});
  }
  if (tl.command) {
    const store::ModemCommand& c = *tl.command;
    lines.push_back({c.updated_ms, "modem",
                     fmt::format("modem command S={} {}: {} after {} send(s){}", c.seq, c.kind, c.state, c.attempts,
                                 c.result.empty() ? "" : " (" + c.result + ")")});
  }
  for (const auto& a : tl.audit) {
    lines.push_back({a.at_ms, "audit", fmt::format("{} by {}: {}", a.action, a.actor, a.detail)});
  }
  std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.at_ms < b.at_ms; });
  return lines;
}

}  // namespace pintar::helpdesk
