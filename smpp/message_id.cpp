#include "smpp/message_id.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

namespace pintar::smpp {

namespace {

std::string_view trim(std::string_view id) {
  constexpr std::string_view kPadding(" \t\r\n\0", 5);
  const size_t first = id.find_first_not_of(kPadding);
  if (first == std::string_view::npos) return {};
  return id.substr(first, id.find_last_not_of(kPadding) - first + 1);
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::string normalise_message_id(std::string_view id, IdBase base) {
  const std::string_view text = trim(id);
  if (base == IdBase::kOpaque || text.empty()) return std::string(text);
  uint64_t value = 0;
  const int radix = base == IdBase::kHex ? 16 : 10;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, radix);
  if (error != std::errc() || end != text.data() + text.size()) return lower(text);
  return std::to_string(value);
}

}  // namespace pintar::smpp
