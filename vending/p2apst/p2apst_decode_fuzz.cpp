// Fuzz target: the whole receive path of a P2APST response (framing, ISO 8583 decode,
// and the typed bit 48 / bit 62 views). Anything decoded must re-encode to an equal message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vending/p2apst/framing.h"
#include "vending/p2apst/iso8583.h"
#include "vending/p2apst/prepaid_records.h"

using namespace pintar::p2apst;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // First byte picks the framing so one corpus covers all of them.
  FramingOptions options;
  if (!input.empty()) {
    options.header = (input[0] & 1) ? LengthHeader::kAscii4 : LengthHeader::kBin2;
    options.etx = (input[0] & 2) != 0;
  }
  FrameReader reader(options);
  reader.append(input.empty() ? input : input.substr(1));
  for (;;) {
    auto body = reader.next();
    if (!body.ok() || !body->has_value()) break;
    auto message = decode(**body);
    if (!message.ok()) continue;
    auto again = encode(*message);
    if (!again.ok()) std::abort();
    auto back = decode(*again);
    if (!back.ok() || back->mti != message->mti || back->fields != message->fields) std::abort();
    const std::string_view b48 = message->get(bit::kPrivateData);
    (void)parse_inquiry_request(b48);
    (void)parse_inquiry_response(b48);
    (void)parse_purchase_request(b48);
    if (auto r = parse_purchase_response(b48); r.ok()) {
      if (format_purchase_response(*r).value_or(std::string()) != b48) std::abort();
      (void)kwh_hundredths(r->kwh);
      (void)whole_rupiah(r->power_purchase);
      (void)to_decimal_string(r->kwh);
    }
    (void)parse_prepaid_data3(message->get(bit::kPrivateData3));
    (void)parse_amount(message->get(bit::kAmount));
  }
  return 0;
}
