#include "vending/p2apst/framing.h"

#include <fmt/format.h>

namespace pintar::p2apst {
namespace {

constexpr char kEtx = 0x03;

size_t header_size(LengthHeader header) { return header == LengthHeader::kBin2 ? 2 : 4; }
size_t header_limit(LengthHeader header) { return header == LengthHeader::kBin2 ? 0xFFFF : 9999; }

}  // namespace

Result<LengthHeader> parse_length_header(std::string_view name) {
  if (name == "bin2") return LengthHeader::kBin2;
  if (name == "ascii4") return LengthHeader::kAscii4;
  return Status::invalid_argument(fmt::format("framing '{}' is neither bin2 nor ascii4", name));
}

Result<std::string> frame(std::string_view body, const FramingOptions& options) {
  const size_t length = body.size() + (options.etx ? 1 : 0);
  if (length > options.max_frame || length > header_limit(options.header)) {
    return Status::invalid_argument(fmt::format("message of {} bytes exceeds the frame limit", length));
  }
  std::string out;
  if (options.header == LengthHeader::kBin2) {
    out.push_back(static_cast<char>(length >> 8));
    out.push_back(static_cast<char>(length & 0xFF));
  } else {
    out = fmt::format("{:04}", length);
  }
  out.append(body);
  if (options.etx) out.push_back(kEtx);
  return out;
}

Result<std::optional<std::string>> FrameReader::next() {
  const size_t hsize = header_size(options_.header);
  if (buffer_.size() < hsize) return std::optional<std::string>();
  size_t length = 0;
  for (size_t i = 0; i < hsize; ++i) {
    const auto byte = static_cast<unsigned char>(buffer_[i]);
    if (options_.header == LengthHeader::kBin2) {
      length = (length << 8) | byte;
    } else {
      if (byte < '0' || byte > '9') return Status::invalid_argument("ascii4 length header is not 4 digits");
      length = length * 10 + (byte - '0');
    }
  }
  if (length > options_.max_frame) {
    return Status::invalid_argument(fmt::format("frame of {} bytes exceeds the limit of {}", length, options_.max_frame));
  }
  if (options_.etx && length == 0) return Status::invalid_argument("empty frame has no room for ETX");
  if (buffer_.size() - hsize < length) return std::optional<std::string>();
  std::string body = buffer_.substr(hsize, length);
  buffer_.erase(0, hsize + length);
  if (options_.etx) {
    if (body.back() != kEtx) return Status::invalid_argument("frame does not end with ETX");
    body.pop_back();
  }
  return std::optional<std::string>(std::move(body));
}

}  // namespace pintar::p2apst
