#include "smpp/text.h"

#include <algorithm>
#include <array>

namespace pintar::smpp {

namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr uint8_t kEscape = 0x1B;

// TS 23.038 §6.2.1, the default alphabet; 0x1B is the escape to the extension table.
constexpr std::array<char32_t, 128> kGsmBasic = {
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì', U'ò', U'Ç', U'\n', U'Ø', U'ø', U'\r', U'Å', U'å',
    U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ', U'Σ', U'Θ', U'Ξ', U'\x1B', U'Æ', U'æ', U'ß', U'É',
    U' ', U'!', U'"', U'#', U'¤', U'%', U'&', U'\'', U'(', U')', U'*', U'+', U',', U'-', U'.', U'/',
    U'0', U'1', U'2', U'3', U'4', U'5', U'6', U'7', U'8', U'9', U':', U';', U'<', U'=', U'>', U'?',
    U'¡', U'A', U'B', U'C', U'D', U'E', U'F', U'G', U'H', U'I', U'J', U'K', U'L', U'M', U'N', U'O',
    U'P', U'Q', U'R', U'S', U'T', U'U', U'V', U'W', U'X', U'Y', U'Z', U'Ä', U'Ö', U'Ñ', U'Ü', U'§',
    U'¿', U'a', U'b', U'c', U'd', U'e', U'f', U'g', U'h', U'i', U'j', U'k', U'l', U'm', U'n', U'o',
    U'p', U'q', U'r', U's', U't', U'u', U'v', U'w', U'x', U'y', U'z', U'ä', U'ö', U'ñ', U'ü', U'à',
};

struct Extension {
  uint8_t septet;
  char32_t code_point;
};

// TS 23.038 §6.2.1.1, the extension table (after ESC).
constexpr std::array<Extension, 10> kGsmExtension = {{
    {0x0A, U'\f'}, {0x14, U'^'}, {0x28, U'{'}, {0x29, U'}'}, {0x2F, U'\\'},
    {0x3C, U'['}, {0x3D, U'~'}, {0x3E, U']'}, {0x40, U'|'}, {0x65, U'€'},
}};

}  // namespace

std::u32string utf8_to_code_points(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  size_t i = 0;
  while (i < utf8.size()) {
    const auto lead = static_cast<uint8_t>(utf8[i]);
    const int extra = lead < 0x80 ? 0 : (lead & 0xE0) == 0xC0 ? 1 : (lead & 0xF0) == 0xE0 ? 2 : (lead & 0xF8) == 0xF0 ? 3 : -1;
    if (extra < 0 || utf8.size() - i <= static_cast<size_t>(extra)) {
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    char32_t cp = extra == 0 ? lead : lead & (0x3F >> extra);
    bool valid = true;
    for (int k = 1; k <= extra; ++k) {
      const auto cont = static_cast<uint8_t>(utf8[i + static_cast<size_t>(k)]);
      if ((cont & 0xC0) != 0x80) {
        valid = false;
        break;
      }
      cp = cp << 6 | (cont & 0x3F);
    }
    constexpr std::array<char32_t, 4> kMinimum = {0, 0x80, 0x800, 0x10000};
    if (!valid || cp < kMinimum[static_cast<size_t>(extra)] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += static_cast<size_t>(extra) + 1;
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacement;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | cp >> 6));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | cp >> 12));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | cp >> 18));
    out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::optional<std::string> gsm7_encode(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : text) {
    const auto* basic = std::find(kGsmBasic.begin(), kGsmBasic.end(), cp);
    if (basic != kGsmBasic.end() && cp != U'\x1B') {
      out.push_back(static_cast<char>(basic - kGsmBasic.begin()));
      continue;
    }
    const auto* ext = std::find_if(kGsmExtension.begin(), kGsmExtension.end(),
                                   [&](const Extension& e) { return e.code_point == cp; });
    if (ext == kGsmExtension.end()) return std::nullopt;
    out.push_back(static_cast<char>(kEscape));
    out.push_back(static_cast<char>(ext->septet));
  }
  return out;
}

std::string gsm7_decode(std::span<const uint8_t> septets) {
  std::string out;
  out.reserve(septets.size());
  for (size_t i = 0; i < septets.size(); ++i) {
    const uint8_t septet = septets[i] & 0x7F;
    if (septet != kEscape) {
      append_utf8(out, kGsmBasic[septet]);
      continue;
    }
    if (i + 1 == septets.size()) {
      out.push_back(' ');
      break;
    }
    const uint8_t next = septets[++i] & 0x7F;
    const auto* ext = std::find_if(kGsmExtension.begin(), kGsmExtension.end(),
                                   [&](const Extension& e) { return e.septet == next; });
    // §6.2.1.1: an escape to an undefined entry shows the basic character instead.
    append_utf8(out, ext != kGsmExtension.end() ? ext->code_point : kGsmBasic[next == kEscape ? 0x20 : next]);
  }
  return out;
}

std::string ucs2_encode(std::u32string_view text) {
  std::string out;
  out.reserve(text.size() * 2);
  auto unit = [&](char32_t u) {
    out.push_back(static_cast<char>(u >> 8));
    out.push_back(static_cast<char>(u & 0xFF));
  };
  for (char32_t cp : text) {
    if (cp >= 0x10000) {
      unit(0xD800 + ((cp - 0x10000) >> 10));
      unit(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      unit(cp);
    }
  }
  return out;
}

std::string ucs2_decode(std::span<const uint8_t> octets) {
  std::string out;
  out.reserve(octets.size());
  for (size_t i = 0; i + 1 < octets.size(); i += 2) {
    const char32_t u = char32_t{octets[i]} << 8 | octets[i + 1];
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < octets.size()) {
      const char32_t low = char32_t{octets[i + 2]} << 8 | octets[i + 3];
      if (low >= 0xDC00 && low <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
        i += 2;
        continue;
      }
    }
    append_utf8(out, u);  // lone surrogates become U+FFFD there
  }
  return out;
}

std::string latin1_decode(std::span<const uint8_t> octets) {
  std::string out;
  out.reserve(octets.size());
  for (uint8_t octet : octets) append_utf8(out, octet);
  return out;
}

bool is_ucs2(uint8_t data_coding) { return data_coding == dcs::kUcs2; }

std::optional<std::string> decode_text(uint8_t data_coding, std::span<const uint8_t> user_data) {
  switch (data_coding) {
    case dcs::kSmscDefault:
    case dcs::kIa5:  // GSM and IA5 agree on letters, digits and space; peers mean GSM
      return gsm7_decode(user_data);
    case dcs::kLatin1: return latin1_decode(user_data);
    case dcs::kUcs2: return ucs2_decode(user_data);
    default: break;
  }
  // Data coding/message class group 1111xxxx (TS 23.038 §4): bit 2 clear = default alphabet.
  if ((data_coding & 0xF0) == 0xF0 && (data_coding & 0x04) == 0) return gsm7_decode(user_data);
  // General data coding group 00xx: bits 3..2 select the alphabet (00 GSM, 10 UCS-2), if uncompressed.
  if ((data_coding & 0xE0) == 0x00 && (data_coding & 0x10) != 0) {
    const uint8_t alphabet = data_coding & 0x0C;
    if (alphabet == 0x00) return gsm7_decode(user_data);
    if (alphabet == 0x08) return ucs2_decode(user_data);
  }
  return std::nullopt;
}

}  // namespace pintar::smpp
