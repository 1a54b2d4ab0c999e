// Framing of P2APST messages on the TCP stream. Each message is preceded by its length:
//   kBin2   2-byte big-endian length, not counting the header (the usual PLN H2H framing)
//   kAscii4 4 ASCII decimal digits, not counting the header
// With `etx`, every message is followed by ETX (0x03) and the length counts that byte
// (the "length + 1, then ETX" convention some switchers use). See docs/p2apst.md.
//
// FrameReader checks the announced length against max_frame before it waits for or
// stores the body, so a peer cannot make us allocate more than max_frame. Any framing
// error is fatal for the connection: after it the stream position is unknown.
// Not thread-safe; one reader per connection.
#ifndef PINTAR_VENDING_P2APST_FRAMING_H_
#define PINTAR_VENDING_P2APST_FRAMING_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace pintar::p2apst {

enum class LengthHeader { kBin2, kAscii4 };

struct FramingOptions {
  LengthHeader header = LengthHeader::kBin2;
  bool etx = false;
  size_t max_frame = 4096;  // largest body accepted, ETX included
};

// "bin2" | "ascii4" (the config spelling).
Result<LengthHeader> parse_length_header(std::string_view name);

// The bytes to write for one message body.
Result<std::string> frame(std::string_view body, const FramingOptions& options);

class FrameReader {
 public:
  explicit FrameReader(FramingOptions options) : options_(options) {}

  // Adds bytes received from the stream.
  void append(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete message body (without header and ETX), nullopt when more bytes are
  // needed, or InvalidArgument when the stream is not validly framed.
  Result<std::optional<std::string>> next();

 private:
  FramingOptions options_;
  std::string buffer_;
};

}  // namespace pintar::p2apst

#endif  // PINTAR_VENDING_P2APST_FRAMING_H_
