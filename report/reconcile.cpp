#include "report/reconcile.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "common/crypto.h"
#include "common/hex.h"

namespace pintar::report {
namespace {

std::vector<std::string_view> split(std::string_view line, char by) {
  std::vector<std::string_view> out;
  for (;;) {
    const size_t at = line.find(by);
    out.push_back(line.substr(0, at));
    if (at == std::string_view::npos) return out;
    line.remove_prefix(at + 1);
  }
}

bool whole_number(std::string_view text, int64_t& value) {
  if (text.empty() || text.size() > 15) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && value >= 0;
}

bool digits(std::string_view text) { return !text.empty() && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; }); }

Status bad_line(int line, std::string_view why) {
  return Status::invalid_argument(fmt::format("P2APST sales file, line {}: {}", line, why));
}

}  // namespace

Result<std::vector<P2apstSale>> parse_p2apst_sales(std::string_view file) {
  if (!file.ends_with('\n')) return Status::invalid_argument("P2APST sales file: it does not end with a line end");
  const size_t trailer_at = file.rfind('\n', file.size() - 2);
  const std::string_view body = trailer_at == std::string_view::npos ? std::string_view() : file.substr(0, trailer_at + 1);
  const std::string_view trailer = file.substr(body.size(), file.size() - body.size() - 1);
  const std::vector<std::string_view> t = split(trailer, ',');
  int64_t rows = 0;
  if (t.size() != 3 || t[0] != "trailer" || !whole_number(t[1], rows) || t[2].size() != 64) {
    return Status::invalid_argument("P2APST sales file: its last line is not trailer,<rows>,<SHA-256>");
  }
  const std::string digest = hex_encode_lower(crypto::sha256(crypto::as_bytes(body)));
  if (digest != t[2]) {
    return Status::invalid_argument("P2APST sales file: its SHA-256 does not match the trailer (damaged or cut short)");
  }
  std::vector<P2apstSale> sales;
  int line = 0;
  for (std::string_view text : split(body.substr(0, body.empty() ? 0 : body.size() - 1), '\n')) {
    ++line;
    if (line == 1) {
      if (text != kP2apstSalesHeader) return bad_line(line, fmt::format("the header must be {}", kP2apstSalesHeader));
      continue;
    }
    const std::vector<std::string_view> f = split(text, ',');
    P2apstSale s{.line = line};
    if (f.size() != 4) return bad_line(line, "4 fields: reference,meter_no,amount_rupiah,sold_at");
    if (f[0].empty() || f[0].size() > 64 || f[0].find('"') != std::string_view::npos) {
      return bad_line(line, "reference: 1 to 64 characters");
    }
    if (f[1].size() != 11 || !digits(f[1])) return bad_line(line, "meter_no: 11 digits");
    if (!whole_number(f[2], s.amount_rupiah)) return bad_line(line, "amount_rupiah: whole rupiah");
    const std::optional<int64_t> sold = parse_utc_timestamp(f[3]);
    if (!sold) return bad_line(line, "sold_at: YYYY-MM-DDTHH:MM:SSZ");
    s.sold_ms = *sold;
    s.reference = std::string(f[0]);
    s.meter_no = std::string(f[1]);
    sales.push_back(std::move(s));
  }
  if (line == 0) return bad_line(1, fmt::format("no header (want {})", kP2apstSalesHeader));
  if (static_cast<int64_t>(sales.size()) != rows) {
    return Status::invalid_argument(
        fmt::format("P2APST sales file: the trailer counts {} sales, the file has {}", rows, sales.size()));
  }
  return sales;
}

Result<Period> business_day(std::string_view date, int utc_offset_minutes, int day_start_minute) {
  auto day = local_day(date, utc_offset_minutes);
  if (!day.ok()) return day.status();
  day->begin_ms += int64_t{day_start_minute} * 60'000;
  day->end_ms += int64_t{day_start_minute} * 60'000;
  return day;
}

Result<Reconciliation> reconcile(store::ReportReads& reads, const Period& day, const std::vector<P2apstSale>& p2apst) {
  Reconciliation r{.day = day.name};
  std::map<std::string, store::SaleRow, std::less<>> ours;
  PINTAR_RETURN_IF_ERROR(reads.sales(day.begin_ms, day.end_ms, [&](const store::SaleRow& s) {
    ++r.our_sales;
    r.our_rupiah += s.amount_rupiah;
    ours.emplace(s.reference, s);
    return Status::ok_status();
  }));
  std::map<std::string_view, int> seen;
  for (const P2apstSale& s : p2apst) {
    ++r.p2apst_sales;
    r.p2apst_rupiah += s.amount_rupiah;
    if (seen[s.reference]++ > 0) {
      r.differences.push_back({.kind = "duplicate", .reference = s.reference, .meter_no = s.meter_no,
                               .p2apst_amount = s.amount_rupiah});
      continue;
    }
    const auto found = ours.find(s.reference);
    if (found == ours.end()) {
      r.differences.push_back({.kind = "missing_here", .reference = s.reference, .meter_no = s.meter_no,
                               .p2apst_amount = s.amount_rupiah});
      continue;
    }
    const store::SaleRow& o = found->second;
    const Difference both{.reference = s.reference, .txn_id = o.txn_id, .meter_no = o.meter_no,
                          .our_amount = o.amount_rupiah, .p2apst_amount = s.amount_rupiah, .our_state = o.state};
    if (o.amount_rupiah != s.amount_rupiah) r.differences.emplace_back(both).kind = "amount";
    if (o.state != "completed") r.differences.emplace_back(both).kind = "not_completed";
  }
  for (const auto& [reference, o] : ours) {
    if (seen.contains(reference)) continue;
    r.differences.push_back({.kind = "missing_at_p2apst", .reference = reference, .txn_id = o.txn_id,
                             .meter_no = o.meter_no, .our_amount = o.amount_rupiah, .our_state = o.state});
  }
  std::ranges::stable_sort(r.differences, [](const Difference& a, const Difference& b) {
    return std::tie(a.reference, a.kind) < std::tie(b.reference, b.kind);
  });
  return r;
}

}  // namespace pintar::report
