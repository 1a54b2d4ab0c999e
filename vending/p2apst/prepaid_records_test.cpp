#include "vending/p2apst/prepaid_records.h"

#include <catch2/catch.hpp>

#include "vending/p2apst/iso8583.h"
#include "vending/p2apst/test_vectors.h"

namespace pintar::p2apst {
namespace {

InquiryResponse sample_inquiry() {
  InquiryResponse r;
  r.subscriber = {"SIM0001", "11000000002", "000000000000", LookupBy::kMeter};
  r.pln_ref = std::string(32, 'A');
  r.switcher_ref = std::string(32, 'B');
  r.name = "BUDI SANTOSO";
  r.tariff = "R1";
  r.power_va = 900;
  r.admin = {2, 250000};
  return r;
}

TEST_CASE("bit 48 of PLN's published 2210 decodes into the 241-character purchase response") {
  auto m = decode(testing::kPedamiPurchaseResponse);
  REQUIRE(m.ok());
  auto r = parse_purchase_response(m->get(bit::kPrivateData));
  REQUIRE(r.ok());
  CHECK(r->subscriber.switcher_id == "ST145S3");
  CHECK(r->subscriber.meter == "01428800700");
  CHECK(r->subscriber.idpel == "511288007004");
  CHECK(r->subscriber.flag == LookupBy::kMeter);
  CHECK(r->vending_receipt == "06993732");
  CHECK(trimmed(r->name) == "IJUR");
  CHECK(r->tariff == "  R1");
  CHECK(r->power_va == 900);
  CHECK(r->buying_option == BuyingOption::kNewToken);
  CHECK(r->admin == MinorAmount{2, 0});
  CHECK(r->stamp_duty == MinorAmount{2, 0});
  CHECK(r->ppn == MinorAmount{2, 0});
  CHECK(r->ppj == MinorAmount{2, 150000});
  CHECK(r->instalment == MinorAmount{2, 500000});
  CHECK(r->power_purchase == MinorAmount{2, 9350000});
  CHECK(r->kwh == MinorAmount{2, 15455});
  CHECK(r->token == "06743895158066886991");
  // The parts add up to bit 4, exactly.
  CHECK(*whole_rupiah(r->ppj) + *whole_rupiah(r->instalment) + *whole_rupiah(r->power_purchase) ==
        *parse_amount(m->get(bit::kAmount)));
  CHECK(kwh_hundredths(r->kwh) == 15455);
  CHECK(kwh_tenths(kwh_hundredths(r->kwh)) == 1545);  // 154.55 kWh -> 154.5, rounded down
  CHECK(format_purchase_response(*r).value() == m->get(bit::kPrivateData));
}

TEST_CASE("bit 62 of PLN's published 2210: unit, limit, and an amount beyond the count") {
  auto m = decode(testing::kPedamiPurchaseResponse);
  REQUIRE(m.ok());
  auto d = parse_prepaid_data3(m->get(bit::kPrivateData3));
  REQUIRE(d.ok());
  CHECK(d->distribution_code == "51");
  CHECK(d->service_unit == "51128");
  CHECK(trimmed(d->service_unit_phone) == "022-1234567");
  CHECK(d->max_kwh == 120);
  CHECK(d->unsold_amounts.empty());
}

TEST_CASE("bit 62 with unsold tokens round-trips") {
  PrepaidData3 d{"53", "53111", "0361-123456", 936, {52500, 22500}};
  auto text = format_prepaid_data3(d);
  REQUIRE(text.ok());
  CHECK(text->size() == 28 + 22);
  auto back = parse_prepaid_data3(*text);
  REQUIRE(back.ok());
  CHECK(back->unsold_amounts == std::vector<int64_t>{52500, 22500});
  CHECK(!parse_prepaid_data3(text->substr(0, 40)).ok());
  CHECK(!parse_prepaid_data3("53").ok());
}

TEST_CASE("inquiry and purchase requests have 31 and 145 characters and round-trip") {
  auto req = format_inquiry_request({"SIM0001", "11000000002", "000000000000", LookupBy::kMeter});
  REQUIRE(req.ok());
  CHECK(*req == "SIM000111000000002000000000000" "0");
  CHECK(parse_inquiry_request(*req)->meter == "11000000002");

  auto inquiry = format_inquiry_response(sample_inquiry());
  REQUIRE(inquiry.ok());
  CHECK(inquiry->size() == 144);
  auto parsed = parse_inquiry_response(*inquiry);
  REQUIRE(parsed.ok());
  CHECK(parsed->name == "BUDI SANTOSO             ");
  CHECK(parsed->admin == MinorAmount{2, 250000});

  auto purchase = format_purchase_request({*parsed, BuyingOption::kUnsoldToken});
  REQUIRE(purchase.ok());
  CHECK(purchase->size() == 145);
  CHECK(*purchase == *inquiry + "1");
  CHECK(parse_purchase_request(*purchase)->buying_option == BuyingOption::kUnsoldToken);
}

TEST_CASE("records refuse wrong lengths, classes, flags and values that do not fit") {
  CHECK(parse_inquiry_request("SIM000111000000002000000000000").status().message().find("expected 31") != std::string::npos);
  CHECK(!parse_inquiry_request("SIM000111000000002000000000000" "2").ok());  // flag
  CHECK(!parse_inquiry_request("SIM00011100000000X000000000000" "0").ok());
  std::string purchase = *format_purchase_request({sample_inquiry(), BuyingOption::kNewToken});
  purchase.back() = '7';
  CHECK(parse_purchase_request(purchase).status().message().find("buying option") != std::string::npos);
  InquiryResponse too_long = sample_inquiry();
  too_long.name = std::string(26, 'N');
  CHECK(format_inquiry_response(too_long).status().message().find("name") != std::string::npos);
  InquiryResponse short_meter = sample_inquiry();
  short_meter.subscriber.meter = "123";
  CHECK(!format_inquiry_response(short_meter).ok());
  InquiryResponse big_power = sample_inquiry();
  big_power.power_va = 1'000'000'000;
  CHECK(!format_inquiry_response(big_power).ok());
}

TEST_CASE("bit 4 amounts are whole rupiah with the minor-unit digit handled exactly") {
  CHECK(format_amount(100000).value() == "3600000000100000");
  CHECK(parse_amount("3600000000100000").value() == 100000);
  CHECK(parse_amount("3602000010000000").value() == 100000);
  CHECK(parse_amount("3602000010000050").status().message().find("not whole rupiah") != std::string::npos);
  CHECK(!parse_amount("8400000000100000").ok());
  CHECK(!parse_amount("36000000001").ok());
  CHECK(!format_amount(-1).ok());
  CHECK(!format_amount(1'000'000'000'000).ok());
  CHECK(to_decimal_string({2, 150000}) == "1500.00");
  CHECK(to_decimal_string({2, 5}) == "0.05");
  CHECK(to_decimal_string({0, 20000}) == "20000");
}

TEST_CASE("kWh: hundredths from the wire, tenths rounded down") {
  CHECK(kwh_hundredths({2, 6293}) == 6293);
  CHECK(kwh_hundredths({1, 629}) == 6290);
  CHECK(kwh_hundredths({3, 62939}) == 6293);  // rounded down
  CHECK(kwh_tenths(6299) == 629);
}

}  // namespace
}  // namespace pintar::p2apst

TEST_CASE("nearest_rupiah rounds a charge in sen half up to the rupiah", "[p2apst][records]") {
  CHECK(pintar::p2apst::nearest_rupiah({.minor = 2, .value = 4318182}) == 43182);  // Rp 43,181.82
  CHECK(pintar::p2apst::nearest_rupiah({.minor = 2, .value = 4318149}) == 43181);
  CHECK(pintar::p2apst::nearest_rupiah({.minor = 2, .value = 50}) == 1);
  CHECK(pintar::p2apst::nearest_rupiah({.minor = 0, .value = 2500}) == 2500);
  CHECK(pintar::p2apst::nearest_rupiah({.minor = 3, .value = 1499}) == 1);
}
