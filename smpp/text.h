// Text codecs for short_message / message_payload: the GSM 03.38 default alphabet with its
// extension table (3GPP TS 23.038 §6.2.1, §6.2.1.1; one septet per octet, the way SMPP
// carries data_coding 0), UCS-2 (UTF-16BE with surrogate pairs, as handsets send it),
// Latin-1, and the data_coding dispatch (§5.2.19). Pure functions, thread-safe. Invalid
// input never fails: undecodable units become U+FFFD, so an MO is never lost to its text.
#ifndef PINTAR_SMPP_TEXT_H_
#define PINTAR_SMPP_TEXT_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pintar::smpp {

// data_coding values the ESME writes or reads specially (§5.2.19).
namespace dcs {
inline constexpr uint8_t kSmscDefault = 0x00;  // GSM 03.38 on this ESME's binds
inline constexpr uint8_t kIa5 = 0x01;          // node-smpp and others send GSM octets with it
inline constexpr uint8_t kLatin1 = 0x03;
inline constexpr uint8_t kUcs2 = 0x08;
}  // namespace dcs

// UTF-8 -> code points; malformed sequences become U+FFFD.
std::u32string utf8_to_code_points(std::string_view utf8);
void append_utf8(std::string& out, char32_t code_point);

// Septets, one per octet (escape pairs for the extension table); nullopt when a character
// has no GSM 03.38 form.
std::optional<std::string> gsm7_encode(std::u32string_view text);
// Septets (one per octet, bit 7 ignored) -> UTF-8. A lone trailing ESC becomes a space.
std::string gsm7_decode(std::span<const uint8_t> septets);
// UTF-16BE; characters beyond the BMP as surrogate pairs.
std::string ucs2_encode(std::u32string_view text);
std::string ucs2_decode(std::span<const uint8_t> octets);
std::string latin1_decode(std::span<const uint8_t> octets);

// Text of user data (without UDH) for a data_coding; nullopt for binary/unknown codings.
std::optional<std::string> decode_text(uint8_t data_coding, std::span<const uint8_t> user_data);

// Octets per character unit of a coding, for splitting: UCS-2 needs even boundaries.
bool is_ucs2(uint8_t data_coding);

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_TEXT_H_
