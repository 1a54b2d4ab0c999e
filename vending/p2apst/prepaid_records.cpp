#include "vending/p2apst/prepaid_records.h"

#include <array>
#include <cassert>
#include <span>

#include <fmt/format.h>

#include "vending/p2apst/iso8583.h"

namespace pintar::p2apst {
namespace {

using enum Charset;

struct Column {
  std::string_view name;
  size_t width;
  Charset charset;
};

template <size_t A, size_t B>
constexpr std::array<Column, A + B> concat(const std::array<Column, A>& a, const std::array<Column, B>& b) {
  std::array<Column, A + B> out{};
  for (size_t i = 0; i < A; ++i) out[i] = a[i];
  for (size_t i = 0; i < B; ++i) out[A + i] = b[i];
  return out;
}

// Bit 48 layouts (docs/p2apst.md, "Bit 48"). An amount is two columns: its minor-unit
// digit ("<name> minor") and its value.
constexpr std::array<Column, 4> kSubscriberKeyLayout{{
    {"switcher id", 7, kAns},
    {"meter", 11, kN},
    {"idpel", 12, kN},
    {"flag", 1, kN},
}};
constexpr std::array<Column, 2> kRefsLayout{{
    {"pln ref", 32, kAn},
    {"switcher ref", 32, kAn},
}};
constexpr std::array<Column, 3> kSubscriberLayout{{
    {"name", 25, kAns},
    {"tariff", 4, kAns},
    {"power va", 9, kN},
}};
constexpr auto kInquiryResponseLayout = concat(concat(concat(kSubscriberKeyLayout, kRefsLayout), kSubscriberLayout),
                                               std::array<Column, 2>{{{"admin minor", 1, kN}, {"admin", 10, kN}}});
constexpr auto kPurchaseRequestLayout = concat(kInquiryResponseLayout, std::array<Column, 1>{{{"buying option", 1, kN}}});
constexpr auto kPurchaseResponseLayout = concat(
    concat(concat(concat(kSubscriberKeyLayout, kRefsLayout), std::array<Column, 1>{{{"vending receipt", 8, kN}}}),
           kSubscriberLayout),
    std::array<Column, 16>{{
        {"buying option", 1, kN},
        {"admin minor", 1, kN},
        {"admin", 10, kN},
        {"stamp duty minor", 1, kN},
        {"stamp duty", 10, kN},
        {"ppn minor", 1, kN},
        {"ppn", 10, kN},
        {"ppj minor", 1, kN},
        {"ppj", 10, kN},
        {"instalment minor", 1, kN},
        {"instalment", 10, kN},
        {"power purchase minor", 1, kN},
        {"power purchase", 12, kN},
        {"kwh minor", 1, kN},
        {"kwh", 10, kN},
        {"token", 20, kN},
    }});
// Bit 62: fixed part, then `unsold count` amounts of kUnsoldAmountWidth digits.
constexpr std::array<Column, 5> kPrepaidData3Layout{{
    {"distribution code", 2, kN},
    {"service unit", 5, kN},
    {"service unit phone", 15, kAns},
    {"max kwh", 5, kN},
    {"unsold count", 1, kN},
}};
constexpr size_t kUnsoldAmountWidth = 11;

static_assert(kInquiryResponseLayout.size() == 11);

constexpr size_t total_width(std::span<const Column> layout) {
  size_t sum = 0;
  for (const Column& c : layout) sum += c.width;
  return sum;
}
static_assert(total_width(kSubscriberKeyLayout) == 31);
static_assert(total_width(kInquiryResponseLayout) == 144);
static_assert(total_width(kPurchaseRequestLayout) == 145);
static_assert(total_width(kPurchaseResponseLayout) == 241);
static_assert(total_width(kPrepaidData3Layout) == 28);

int64_t digits_value(std::string_view digits) {
  int64_t v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

// Walks a layout over a text whose length and characters were checked up front, so the
// accessors cannot fail; the column names make a caller that drifts from the table assert.
class ColumnReader {
 public:
  ColumnReader(std::span<const Column> layout, std::string_view text, std::string_view record)
      : layout_(layout), text_(text) {
    if (text.size() < total_width(layout)) {
      status_ = Status::invalid_argument(
          fmt::format("{}: {} characters, expected {}", record, text.size(), total_width(layout)));
      return;
    }
    size_t pos = 0;
    for (const Column& c : layout) {
      if (!in_charset(text.substr(pos, c.width), c.charset)) {
        status_ = Status::invalid_argument(fmt::format("{}: {} has a character outside its class", record, c.name));
        return;
      }
      pos += c.width;
    }
  }
  const Status& status() const { return status_; }
  size_t consumed() const { return pos_; }

  std::string text(std::string_view name) { return std::string(take(name)); }
  int64_t number(std::string_view name) { return digits_value(take(name)); }
  MinorAmount amount(std::string_view name) {
    const int minor = static_cast<int>(digits_value(take(fmt::format("{} minor", name))));
    return {minor, digits_value(take(name))};
  }
  template <typename Enum>
  Enum code(std::string_view name) { return static_cast<Enum>(take(name)[0]); }

 private:
  std::string_view take([[maybe_unused]] std::string_view name) {
    assert(next_ < layout_.size() && layout_[next_].name == name);
    const Column& c = layout_[next_++];
    std::string_view v = text_.substr(pos_, c.width);
    pos_ += c.width;
    return v;
  }

  std::span<const Column> layout_;
  std::string_view text_;
  Status status_;
  size_t next_ = 0;
  size_t pos_ = 0;
};

// Builds a record column by column; the first value that does not fit is reported by
// finish(). Text shorter than an an/ans column is space-padded; n columns must be exact.
class ColumnWriter {
 public:
  ColumnWriter(std::span<const Column> layout, std::string_view record) : layout_(layout), record_(record) {}

  void text(std::string_view name, std::string_view value) {
    const Column* c = column(name);
    if (c == nullptr) return;
    if (value.size() > c->width || (c->charset == kN && value.size() != c->width)) {
      fail(fmt::format("{} is {} characters, column width is {}", name, value.size(), c->width));
      return;
    }
    if (!in_charset(value, c->charset)) {
      fail(fmt::format("{} has a character outside its class", name));
      return;
    }
    out_.append(value);
    out_.append(c->width - value.size(), ' ');
  }
  void number(std::string_view name, int64_t value) {
    const Column* c = column(name);
    if (c == nullptr) return;
    std::string digits = value < 0 ? std::string() : fmt::format("{:0{}}", value, c->width);
    if (digits.empty() || digits.size() != c->width) {
      fail(fmt::format("{} = {} does not fit n{}", name, value, c->width));
      return;
    }
    out_.append(digits);
  }
  void amount(std::string_view name, const MinorAmount& value) {
    number(fmt::format("{} minor", name), value.minor);
    number(name, value.value);
  }
  template <typename Enum>
  void code(std::string_view name, Enum value) { text(name, std::string(1, static_cast<char>(value))); }

  Result<std::string> finish() {
    if (!status_.ok()) return status_;
    assert(next_ == layout_.size());
    return std::move(out_);
  }

 private:
  const Column* column([[maybe_unused]] std::string_view name) {
    if (!status_.ok()) return nullptr;
    assert(next_ < layout_.size() && layout_[next_].name == name);
    return &layout_[next_++];
  }
  void fail(std::string message) { status_ = Status::invalid_argument(fmt::format("{}: {}", record_, message)); }

  std::span<const Column> layout_;
  std::string_view record_;
  std::string out_;
  Status status_;
  size_t next_ = 0;
};

Status check_exact(const ColumnReader& reader, std::string_view text, std::string_view record) {
  if (!reader.status().ok()) return reader.status();
  if (reader.consumed() != text.size()) {
    return Status::invalid_argument(fmt::format("{}: {} characters, expected {}", record, text.size(), reader.consumed()));
  }
  return Status();
}

Status check_flags(LookupBy flag, std::string_view record) {
  if (flag != LookupBy::kMeter && flag != LookupBy::kIdpel) {
    return Status::invalid_argument(fmt::format("{}: flag must be 0 (meter) or 1 (IDPEL)", record));
  }
  return Status();
}

Status check_option(BuyingOption option, std::string_view record) {
  if (option != BuyingOption::kNewToken && option != BuyingOption::kUnsoldToken) {
    return Status::invalid_argument(fmt::format("{}: buying option must be 0 or 1", record));
  }
  return Status();
}

SubscriberKey read_key(ColumnReader& r) {
  SubscriberKey key;
  key.switcher_id = r.text("switcher id");
  key.meter = r.text("meter");
  key.idpel = r.text("idpel");
  key.flag = r.code<LookupBy>("flag");
  return key;
}

void write_key(ColumnWriter& w, const SubscriberKey& key) {
  w.text("switcher id", key.switcher_id);
  w.text("meter", key.meter);
  w.text("idpel", key.idpel);
  w.code("flag", key.flag);
}

InquiryResponse read_inquiry_response(ColumnReader& r) {
  InquiryResponse resp;
  resp.subscriber = read_key(r);
  resp.pln_ref = r.text("pln ref");
  resp.switcher_ref = r.text("switcher ref");
  resp.name = r.text("name");
  resp.tariff = r.text("tariff");
  resp.power_va = r.number("power va");
  resp.admin = r.amount("admin");
  return resp;
}

void write_inquiry_response(ColumnWriter& w, const InquiryResponse& resp) {
  write_key(w, resp.subscriber);
  w.text("pln ref", resp.pln_ref);
  w.text("switcher ref", resp.switcher_ref);
  w.text("name", resp.name);
  w.text("tariff", resp.tariff);
  w.number("power va", resp.power_va);
  w.amount("admin", resp.admin);
}

}  // namespace

std::string to_decimal_string(const MinorAmount& amount) {
  if (amount.minor <= 0) return fmt::format("{}", amount.value);
  int64_t scale = 1;
  for (int i = 0; i < amount.minor; ++i) scale *= 10;
  return fmt::format("{}.{:0{}}", amount.value / scale, amount.value % scale, amount.minor);
}

Result<int64_t> whole_rupiah(const MinorAmount& amount) {
  int64_t scale = 1;
  for (int i = 0; i < amount.minor; ++i) scale *= 10;
  if (amount.value % scale != 0) {
    return Status::invalid_argument(fmt::format("amount {} is not whole rupiah", to_decimal_string(amount)));
  }
  return amount.value / scale;
}

int64_t nearest_rupiah(const MinorAmount& amount) {
  int64_t scale = 1;
  for (int i = 0; i < amount.minor; ++i) scale *= 10;
  return (amount.value + scale / 2) / scale;  // amounts on the wire are never negative
}

int64_t kwh_hundredths(const MinorAmount& kwh) {
  int64_t v = kwh.value;
  for (int m = kwh.minor; m < 2; ++m) v *= 10;
  for (int m = kwh.minor; m > 2; --m) v /= 10;
  return v;
}

Result<std::string> format_amount(int64_t rupiah) {
  if (rupiah < 0 || rupiah > 999'999'999'999) {
    return Status::invalid_argument(fmt::format("amount {} does not fit bit 4", rupiah));
  }
  return fmt::format("3600{:012}", rupiah);
}

Result<int64_t> parse_amount(std::string_view bit4) {
  if (bit4.size() != 16 || !in_charset(bit4, kN) || bit4.substr(0, 3) != "360") {
    return Status::invalid_argument("bit 4: not \"360\" + minor digit + 12 digits");
  }
  auto rupiah = whole_rupiah({bit4[3] - '0', digits_value(bit4.substr(4))});
  if (!rupiah.ok()) return rupiah.status().with_context("bit 4");
  return rupiah;
}

Result<SubscriberKey> parse_inquiry_request(std::string_view bit48) {
  constexpr std::string_view kRecord = "bit 48 inquiry request";
  ColumnReader r(kSubscriberKeyLayout, bit48, kRecord);
  PINTAR_RETURN_IF_ERROR(r.status());
  SubscriberKey key = read_key(r);
  PINTAR_RETURN_IF_ERROR(check_exact(r, bit48, kRecord));
  PINTAR_RETURN_IF_ERROR(check_flags(key.flag, kRecord));
  return key;
}

Result<InquiryResponse> parse_inquiry_response(std::string_view bit48) {
  constexpr std::string_view kRecord = "bit 48 inquiry response";
  ColumnReader r(kInquiryResponseLayout, bit48, kRecord);
  PINTAR_RETURN_IF_ERROR(r.status());
  InquiryResponse resp = read_inquiry_response(r);
  PINTAR_RETURN_IF_ERROR(check_exact(r, bit48, kRecord));
  PINTAR_RETURN_IF_ERROR(check_flags(resp.subscriber.flag, kRecord));
  return resp;
}

Result<PurchaseRequest> parse_purchase_request(std::string_view bit48) {
  constexpr std::string_view kRecord = "bit 48 purchase request";
  ColumnReader r(kPurchaseRequestLayout, bit48, kRecord);
  PINTAR_RETURN_IF_ERROR(r.status());
  PurchaseRequest req;
  req.inquiry = read_inquiry_response(r);
  req.buying_option = r.code<BuyingOption>("buying option");
  PINTAR_RETURN_IF_ERROR(check_exact(r, bit48, kRecord));
  PINTAR_RETURN_IF_ERROR(check_flags(req.inquiry.subscriber.flag, kRecord));
  PINTAR_RETURN_IF_ERROR(check_option(req.buying_option, kRecord));
  return req;
}

Result<PurchaseResponse> parse_purchase_response(std::string_view bit48) {
  constexpr std::string_view kRecord = "bit 48 purchase response";
  ColumnReader r(kPurchaseResponseLayout, bit48, kRecord);
  PINTAR_RETURN_IF_ERROR(r.status());
  PurchaseResponse resp;
  resp.subscriber = read_key(r);
  resp.pln_ref = r.text("pln ref");
  resp.switcher_ref = r.text("switcher ref");
  resp.vending_receipt = r.text("vending receipt");
  resp.name = r.text("name");
  resp.tariff = r.text("tariff");
  resp.power_va = r.number("power va");
  resp.buying_option = r.code<BuyingOption>("buying option");
  resp.admin = r.amount("admin");
  resp.stamp_duty = r.amount("stamp duty");
  resp.ppn = r.amount("ppn");
  resp.ppj = r.amount("ppj");
  resp.instalment = r.amount("instalment");
  resp.power_purchase = r.amount("power purchase");
  resp.kwh = r.amount("kwh");
  resp.token = r.text("token");
  // Some switchers append a 14-digit settlement date-time; it is not PLN's layout.
  PINTAR_RETURN_IF_ERROR(check_exact(r, bit48, kRecord));
  PINTAR_RETURN_IF_ERROR(check_flags(resp.subscriber.flag, kRecord));
  PINTAR_RETURN_IF_ERROR(check_option(resp.buying_option, kRecord));
  return resp;
}

Result<PrepaidData3> parse_prepaid_data3(std::string_view bit62) {
  constexpr std::string_view kRecord = "bit 62";
  ColumnReader r(kPrepaidData3Layout, bit62, kRecord);
  PINTAR_RETURN_IF_ERROR(r.status());
  PrepaidData3 data;
  data.distribution_code = r.text("distribution code");
  data.service_unit = r.text("service unit");
  data.service_unit_phone = r.text("service unit phone");
  data.max_kwh = r.number("max kwh");
  const auto count = static_cast<size_t>(r.number("unsold count"));
  // PLN's own 2210 sample (docs/p2apst.md) carries one 11-digit amount after a count of
  // 0, so amounts beyond the count are allowed and ignored.
  std::string_view rest = bit62.substr(r.consumed());
  if (rest.size() < count * kUnsoldAmountWidth || rest.size() % kUnsoldAmountWidth != 0 || !in_charset(rest, kN)) {
    return Status::invalid_argument(
        fmt::format("bit 62: {} unsold amounts announced, {} characters follow", count, rest.size()));
  }
  for (size_t i = 0; i < count; ++i) data.unsold_amounts.push_back(digits_value(rest.substr(i * kUnsoldAmountWidth, kUnsoldAmountWidth)));
  return data;
}

Result<std::string> format_inquiry_request(const SubscriberKey& key) {
  ColumnWriter w(kSubscriberKeyLayout, "bit 48 inquiry request");
  write_key(w, key);
  return w.finish();
}

Result<std::string> format_inquiry_response(const InquiryResponse& response) {
  ColumnWriter w(kInquiryResponseLayout, "bit 48 inquiry response");
  write_inquiry_response(w, response);
  return w.finish();
}

Result<std::string> format_purchase_request(const PurchaseRequest& request) {
  ColumnWriter w(kPurchaseRequestLayout, "bit 48 purchase request");
  write_inquiry_response(w, request.inquiry);
  w.code("buying option", request.buying_option);
  return w.finish();
}

Result<std::string> format_purchase_response(const PurchaseResponse& resp) {
  ColumnWriter w(kPurchaseResponseLayout, "bit 48 purchase response");
  write_key(w, resp.subscriber);
  w.text("pln ref", resp.pln_ref);
  w.text("switcher ref", resp.switcher_ref);
  w.text("vending receipt", resp.vending_receipt);
  w.text("name", resp.name);
  w.text("tariff", resp.tariff);
  w.number("power va", resp.power_va);
  w.code("buying option", resp.buying_option);
  w.amount("admin", resp.admin);
  w.amount("stamp duty", resp.stamp_duty);
  w.amount("ppn", resp.ppn);
  w.amount("ppj", resp.ppj);
  w.amount("instalment", resp.instalment);
  w.amount("power purchase", resp.power_purchase);
  w.amount("kwh", resp.kwh);
  w.text("token", resp.token);
  return w.finish();
}

Result<std::string> format_prepaid_data3(const PrepaidData3& data) {
  if (data.unsold_amounts.size() > 9) return Status::invalid_argument("bit 62: more than 9 unsold amounts");
  ColumnWriter w(kPrepaidData3Layout, "bit 62");
  w.text("distribution code", data.distribution_code);
  w.text("service unit", data.service_unit);
  w.text("service unit phone", data.service_unit_phone);
  w.number("max kwh", data.max_kwh);
  w.number("unsold count", static_cast<int64_t>(data.unsold_amounts.size()));
  auto out = w.finish();
  if (!out.ok()) return out;
  for (int64_t amount : data.unsold_amounts) {
    if (amount < 0 || amount > 99'999'999'999) return Status::invalid_argument("bit 62: unsold amount does not fit n11");
    *out += fmt::format("{:011}", amount);
  }
  return out;
}

std::string_view trimmed(std::string_view text) {
  const size_t end = text.find_last_not_of(' ');
  return end == std::string_view::npos ? std::string_view() : text.substr(0, end + 1);
}

}  // namespace pintar::p2apst
