#include "store/subscriber_csv.h"

#include <fstream>

#include <catch2/catch.hpp>

#include "store/test_support.h"

namespace pintar::store {
namespace {

const std::string kHeader =
    "idpel,name,tariff,power_va,region,meter_no,sgc,ti,krn,kt,ea,dkga,base_date,kdpm,modem_msisdn,modem_key_id,"
    "msisdn,language,pin";
const std::string kGood =
    "511288007004,\"SANTOSO, BUDI\",R1,900,JKT,01428800700,600675,01,1,2,07,02,1993,ABC,6281100000001,modem-1,"
    "6281234567890,id,123456";

const PinHasher& pins() {
  static const PinHasher kPins = PinHasher::create(Secret(std::vector<uint8_t>(32, 7))).value();
  return kPins;
}

TEST_CASE("CSV fields split with RFC 4180 quoting", "[store][csv]") {
  CHECK(*split_csv_line("a,b,,c") == std::vector<std::string>{"a", "b", "", "c"});
  CHECK(*split_csv_line("\"a,b\",\"say \"\"hi\"\"\",") == std::vector<std::string>{"a,b", "say \"hi\"", ""});
  CHECK(*split_csv_line("") == std::vector<std::string>{""});
  CHECK(split_csv_line("\"open").status().code() == StatusCode::kInvalidArgument);
  CHECK(split_csv_line("\"a\"b").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("a good line becomes a record with the PIN hashed", "[store][csv]") {
  auto parser = SubscriberCsvParser::from_header(kHeader, pins());
  REQUIRE(parser.ok());
  const ImportLine line = parser->parse(2, kGood + "\r");
  INFO(line.error);
  REQUIRE(line.record);
  CHECK(line.record->customer.name == "SANTOSO, BUDI");
  CHECK(line.record->meter.meter_no == "01428800700");
  CHECK(line.record->meter.ea == 7);
  CHECK(line.record->meter.ti == 1);
  CHECK(line.record->meter.idpel == "511288007004");
  CHECK(line.record->subscription.pin_hash == *pins().hash("6281234567890", "01428800700", "123456"));
}

TEST_CASE("the header may order columns freely but must name each once", "[store][csv]") {
  auto reordered = SubscriberCsvParser::from_header(
      "pin,language,msisdn,modem_key_id,modem_msisdn,kdpm,base_date,dkga,ea,kt,krn,ti,sgc,meter_no,region,power_va,"
      "tariff,name,idpel",
      pins());
  REQUIRE(reordered.ok());
  auto line = reordered->parse(
      2, "123456,en,6281234567890,k,6281100000001,ABC,2014,04,11,0,4,5,600675,01428800700,JKT,1300,R1M,X,511288007004");
  INFO(line.error);
  REQUIRE(line.record);
  CHECK(line.record->meter.base_date == 2014);
  CHECK(line.record->subscription.language == "en");

  auto bad = SubscriberCsvParser::from_header("idpel,idpel,colour", pins());
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Catch::Contains("column idpel appears twice"));
  CHECK_THAT(bad.status().message(), Catch::Contains("unknown column 'colour'"));
  CHECK_THAT(bad.status().message(), Catch::Contains("column pin is missing"));
}

TEST_CASE("every bad field of a line is named; the PIN is never echoed", "[store][csv]") {
  auto parser = SubscriberCsvParser::from_header(kHeader, pins());
  const ImportLine line = parser->parse(
      7, "51128800700,,R1,0,JKT,0142880070X,600675,100,0,4,08,05,2000,ABC,0811000001,k,6281234567890,fr,98765");
  REQUIRE_FALSE(line.record);
  CHECK(line.line == 7);
  for (const char* expected : {"idpel '51128800700' must be 12 digits", "name '' must be", "power_va '0'",
                               "meter_no '0142880070X' must be 11 digits", "ti '100'", "krn '0'", "kt '4'", "ea '08'",
                               "dkga '05'", "base_date '2000'", "modem_msisdn '0811000001' must be 62",
                               "language 'fr'", "pin must be 6 digits"}) {
    CHECK_THAT(line.error, Catch::Contains(expected));
  }
  CHECK(line.error.find("98765") == std::string::npos);

  CHECK_THAT(parser->parse(3, "1,2,3").error, Catch::Contains("3 fields, but the header has 19"));
}

TEST_CASE("a file is read line by line with line numbers", "[store][csv]") {
  const std::string path = testing::make_temp_dir() + "/s.csv";
  std::ofstream(path) << kHeader << "\n" << kGood << "\n\n" << "bad\n";
  auto file = SubscriberCsvFile::open(path, pins());
  REQUIRE(file.ok());
  ImportLine line;
  REQUIRE((*file)->next(line));
  CHECK(line.line == 2);
  CHECK(line.record);
  REQUIRE((*file)->next(line));
  CHECK(line.line == 4);  // the blank line 3 is skipped
  CHECK_FALSE(line.record);
  CHECK_FALSE((*file)->next(line));
  CHECK((*file)->bytes_read() == (*file)->file_size());

  CHECK(SubscriberCsvFile::open(path + ".absent", pins()).status().code() == StatusCode::kNotFound);
}

}  // namespace
}  // namespace pintar::store

namespace pintar::store {
namespace {

TEST_CASE("one field checked with the import's rules", "[store][csv]") {
  CHECK(check_import_field("power_va", "1300").ok());
  CHECK(check_import_field("tariff", "R1M").ok());
  const Status bad = check_import_field("power_va", "lots");
  CHECK(bad.code() == StatusCode::kInvalidArgument);
  CHECK(bad.message() == "power_va 'lots' must be a whole number of VA from 1 to 999999999");
  CHECK(check_import_field("modem_key_id", "").code() == StatusCode::kInvalidArgument);
  CHECK(check_import_field("colour", "red").message() == "'colour': not a registry field");
  // The PIN's value is never echoed.
  const Status pin = check_import_field("pin", "12345x");
  CHECK(pin.message() == "pin must be 6 digits");
}

}  // namespace
}  // namespace pintar::store
