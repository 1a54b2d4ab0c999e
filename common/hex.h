// Hexadecimal text <-> bytes. Pure functions, thread-safe.
#ifndef PINTAR_COMMON_HEX_H_
#define PINTAR_COMMON_HEX_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace pintar {

// Upper-case hex, two characters per byte.
std::string hex_encode(std::span<const uint8_t> bytes);
inline std::string hex_encode(std::string_view bytes) {
  return hex_encode(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

// Lower-case hex, as sha256sum(1) prints a digest: for text a person compares with a tool's.
std::string hex_encode_lower(std::span<const uint8_t> bytes);

// Accepts upper or lower case; an odd length or a non-hex character is InvalidArgument
// (the message names the position, never the text, since the input may be a key).
Result<std::vector<uint8_t>> hex_decode(std::string_view text);

}  // namespace pintar

#endif  // PINTAR_COMMON_HEX_H_
