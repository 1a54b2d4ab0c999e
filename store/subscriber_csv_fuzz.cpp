// Fuzz target: the subscriber import parser. The first line is taken as the header (the
// seeds start with the real one), every other line as data. Bad input must give a clear
// error, never a crash; a line that parses must carry a record with a 32-byte PIN hash.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "store/subscriber_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pintar;
  static const store::PinHasher kPins = store::PinHasher::create(Secret(std::vector<uint8_t>(32, 0x5A))).value();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const size_t end_of_header = text.find('\n');
  auto parser = store::SubscriberCsvParser::from_header(text.substr(0, end_of_header), kPins);
  if (!parser.ok() || end_of_header == std::string_view::npos) return 0;
  text.remove_prefix(end_of_header + 1);
  uint64_t line_no = 2;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const store::ImportLine line = parser->parse(line_no++, text.substr(0, end));
    if (line.record.has_value() == !line.error.empty()) std::abort();
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return 0;
}
