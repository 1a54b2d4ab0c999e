// Typed views of the prepaid (product 99502) payloads carried in bit 48 and bit 62, and of
// the bit 4 amount. Layouts are tables of fixed-width columns (prepaid_records.cpp), with
// the widths public client code agrees on; docs/p2apst.md lists them field by field.
//
// Text fields keep their exact wire characters (names stay space-padded) so that a record
// taken from a response can be echoed byte for byte in the next request, as PLN requires
// (a changed PLN reference gives 0098). Parsers return InvalidArgument naming the record
// and column; formatters refuse values that do not fit. Pure functions, any thread.
#ifndef PINTAR_VENDING_P2APST_PREPAID_RECORDS_H_
#define PINTAR_VENDING_P2APST_PREPAID_RECORDS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace pintar::p2apst {

// A decimal amount as PLN sends it: `value` in units of 10^-minor ("minor unit" digit).
// Kept exact; convert with whole_rupiah() / kwh_hundredths().
struct MinorAmount {
  int minor = 0;
  int64_t value = 0;
  friend bool operator==(const MinorAmount&, const MinorAmount&) = default;
};

// "1500.00" for {2, 150000}.
std::string to_decimal_string(const MinorAmount& amount);
// The amount in whole rupiah; InvalidArgument if it has a non-zero fraction.
Result<int64_t> whole_rupiah(const MinorAmount& amount);
// The amount rounded to the nearest rupiah (half up): for the charge breakdown of a receipt,
// which PLN computes in sen (e.g. PBJT on a Rp 43,181.82 power purchase); the amount paid
// itself is always whole rupiah.
int64_t nearest_rupiah(const MinorAmount& amount);
// Energy in hundredths of a kWh (the unit of the wire). A finer minor unit is rounded
// down: the token holds what PLN computed, and a receipt must never promise more.
int64_t kwh_hundredths(const MinorAmount& kwh);
// Hundredths of a kWh -> pintar's energy unit of 0.1 kWh, rounded down for the same
// reason (154.55 kWh -> 1545).
constexpr int64_t kwh_tenths(int64_t hundredths) { return hundredths / 10; }

// Bit 4: "360" (IDR) + minor-unit digit + 12-digit amount. We always send minor 0 and
// whole rupiah; we accept any minor digit whose fraction is zero.
Result<std::string> format_amount(int64_t rupiah);
Result<int64_t> parse_amount(std::string_view bit4);

enum class LookupBy : char { kMeter = '0', kIdpel = '1' };
enum class BuyingOption : char { kNewToken = '0', kUnsoldToken = '1' };

// Inquiry request, 31 characters; also the first 31 characters of every prepaid bit 48.
struct SubscriberKey {
  std::string switcher_id;  // an7
  std::string meter;        // n11, zeros when looking up by IDPEL
  std::string idpel;        // n12, zeros when looking up by meter
  LookupBy flag = LookupBy::kMeter;
};

// Inquiry response, 144 characters.
struct InquiryResponse {
  SubscriberKey subscriber;
  std::string pln_ref;       // an32
  std::string switcher_ref;  // an32
  std::string name;          // an25, space-padded on the wire
  std::string tariff;        // an4 segmentation (R1, R1M, ...)
  int64_t power_va = 0;      // n9
  MinorAmount admin;         // n1 + n10
};

// Purchase request (2200, 2220, 2221), 145 characters.
struct PurchaseRequest {
  InquiryResponse inquiry;
  BuyingOption buying_option = BuyingOption::kNewToken;
};

// Purchase and advice response (2210, 2230, 2231), 241 characters.
struct PurchaseResponse {
  SubscriberKey subscriber;
  std::string pln_ref;
  std::string switcher_ref;
  std::string vending_receipt;  // n8
  std::string name;
  std::string tariff;
  int64_t power_va = 0;
  BuyingOption buying_option = BuyingOption::kNewToken;
  MinorAmount admin;           // n1 + n10
  MinorAmount stamp_duty;      // n1 + n10 (materai)
  MinorAmount ppn;             // n1 + n10 (VAT)
  MinorAmount ppj;             // n1 + n10 (PBJT-TL, local electricity tax)
  MinorAmount instalment;      // n1 + n10 (angsuran)
  MinorAmount power_purchase;  // n1 + n12 (Rp stroom/token)
  MinorAmount kwh;             // n1 + n10
  std::string token;           // n20
};

// Bit 62 of a prepaid inquiry or purchase response: 28 characters + 11 per unsold token.
struct PrepaidData3 {
  std::string distribution_code;   // n2
  std::string service_unit;        // n5
  std::string service_unit_phone;  // an15
  int64_t max_kwh = 0;             // n5, whole kWh still allowed this month
  std::vector<int64_t> unsold_amounts;  // n1 count, then n11 rupiah each (count <= 9);
                                        // extra n11 groups after them are ignored
};

Result<SubscriberKey> parse_inquiry_request(std::string_view bit48);
Result<InquiryResponse> parse_inquiry_response(std::string_view bit48);
Result<PurchaseRequest> parse_purchase_request(std::string_view bit48);
Result<PurchaseResponse> parse_purchase_response(std::string_view bit48);
Result<PrepaidData3> parse_prepaid_data3(std::string_view bit62);

Result<std::string> format_inquiry_request(const SubscriberKey& key);
Result<std::string> format_inquiry_response(const InquiryResponse& response);
Result<std::string> format_purchase_request(const PurchaseRequest& request);
Result<std::string> format_purchase_response(const PurchaseResponse& response);
Result<std::string> format_prepaid_data3(const PrepaidData3& data);

// A space-padded wire text without its padding ("BUDI SANTOSO             " -> "BUDI SANTOSO").
std::string_view trimmed(std::string_view text);

}  // namespace pintar::p2apst

#endif  // PINTAR_VENDING_P2APST_PREPAID_RECORDS_H_
