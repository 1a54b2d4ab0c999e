// How numbers and tokens are written in customer SMS, and the GSM 03.38 guard for text that
// comes from elsewhere (a PLN name). Money is integer rupiah, energy integer 0.1 kWh.
// Pure functions, any thread.
#ifndef PINTAR_VENDING_ENGINE_REPLY_TEXT_H_
#define PINTAR_VENDING_ENGINE_REPLY_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace pintar::engine {

// 1300 -> "1.300" (Indonesian thousands dots; used in both languages so the same SMS reads
// the same on every receipt and in the helpdesk).
std::string format_thousands(int64_t value);
// 50000 -> "Rp50.000"; -1500 -> "-Rp1.500".
std::string format_rupiah(int64_t rupiah);
// Tenths of a kWh: 326 -> "32.6", 5 -> "0.5", 12345 -> "1234.5".
std::string format_kwh(int64_t kwh_tenths);
// 20 digits -> "1234-5678-9012-3456-7890", as the meter's keypad groups them; any other
// text is returned unchanged (a caller's bug shows rather than being hidden).
std::string format_token(std::string_view digits);

// True for the characters of the GSM 03.38 default alphabet that are one septet and ASCII
// (3GPP TS 23.038 6.2.1): printable ASCII except ` [ \ ] ^ { | } ~ (escapes or absent), and LF/CR.
bool is_gsm_basic_ascii(char c);
// `text` with every character outside is_gsm_basic_ascii() (and every non-ASCII UTF-8
// character) replaced by one '?', so a field value cannot force a UCS-2 reply.
std::string gsm_safe(std::string_view text);

}  // namespace pintar::engine

#endif  // PINTAR_VENDING_ENGINE_REPLY_TEXT_H_
