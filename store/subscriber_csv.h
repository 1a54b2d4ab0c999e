// Subscriber import files: one CSV line per subscription, with the customer, meter and modem
// it stands on (format in store/README.md, "Import file").
//
// The parser checks each field's format and hashes the PIN at once (store/pin.h), so a clear
// PIN never leaves this file's code and never appears in a message. Not synchronised.
#ifndef PINTAR_STORE_SUBSCRIBER_CSV_H_
#define PINTAR_STORE_SUBSCRIBER_CSV_H_

#include <array>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/ledger.h"
#include "store/pin.h"

namespace pintar::store {

// Splits one CSV line (RFC 4180 quoting: "a,b" and "say ""hi"""; no line breaks inside a
// field) into fields. InvalidArgument for an unterminated quote or text after a closing one.
Result<std::vector<std::string>> split_csv_line(std::string_view line);

// OK when `value` is a valid field of the import file's `column` (the rules the parser
// applies); otherwise InvalidArgument "<column> '<value>' must be <rule>" (the PIN's value
// never shown), or naming the unknown column. For forms that change one field (a tariff, a
// modem) with the import's own rules.
Status check_import_field(std::string_view column, std::string_view value);

class SubscriberCsvParser {
 public:
  static constexpr size_t kColumns = 19;
  // The column names, in the order the documentation lists them. A file may order its
  // columns freely; the header names them.
  static const std::array<std::string_view, kColumns>& column_names();

  // Reads the header line; InvalidArgument naming every missing, unknown or repeated column.
  static Result<SubscriberCsvParser> from_header(std::string_view header, const PinHasher& pins);

  // Parses a data line. The result has a record, or an error naming every bad field.
  ImportLine parse(uint64_t line_no, std::string_view text) const;

 private:
  SubscriberCsvParser(std::array<size_t, kColumns> position, const PinHasher& pins)
      : position_(position), pins_(&pins) {}
  std::array<size_t, kColumns> position_;  // column -> field index in the file
  const PinHasher* pins_;
};

// An ImportSource reading a file; blank lines are skipped, lines are numbered from 1 (the
// header). Progress: bytes_read() / file_size().
class SubscriberCsvFile final : public ImportSource {
 public:
  static Result<std::unique_ptr<SubscriberCsvFile>> open(const std::string& path, const PinHasher& pins);

  bool next(ImportLine& line) override;
  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t file_size() const { return file_size_; }

 private:
  SubscriberCsvFile(std::ifstream in, SubscriberCsvParser parser, uint64_t file_size, uint64_t header_bytes)
      : in_(std::move(in)), parser_(parser), file_size_(file_size), bytes_read_(header_bytes) {}

  std::ifstream in_;
  SubscriberCsvParser parser_;
  uint64_t file_size_;
  uint64_t bytes_read_;
  uint64_t line_no_ = 1;
  std::string text_;
};

}  // namespace pintar::store

#endif  // PINTAR_STORE_SUBSCRIBER_CSV_H_
