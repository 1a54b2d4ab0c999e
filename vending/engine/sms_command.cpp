#include "vending/engine/sms_command.h"

#include <algorithm>
#include <array>
#include <vector>

#include "store/pin.h"
#include "vending/engine/reply_text.h"

namespace pintar::engine {

Pin::Pin(std::string_view digits)
    : secret_(std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(digits.data()),
                                   reinterpret_cast<const uint8_t*>(digits.data()) + digits.size())) {}

std::string_view Pin::digits() const {
  return {reinterpret_cast<const char*>(secret_.bytes().data()), secret_.size()};
}

std::string_view language_code(Language language) { return language == Language::kEn ? "en" : "id"; }

std::optional<Language> language_from_code(std::string_view code) {
  if (code == "id") return Language::kId;
  if (code == "en") return Language::kEn;
  return std::nullopt;
}

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(std::string_view s) { return !s.empty() && std::ranges::all_of(s, is_digit); }
char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool equals_upper(std::string_view word, std::string_view keyword) {
  return word.size() == keyword.size() &&
         std::equal(word.begin(), word.end(), keyword.begin(), [](char a, char b) { return upper(a) == b; });
}
bool starts_with_upper(std::string_view word, std::string_view prefix) {
  return word.size() >= prefix.size() && equals_upper(word.substr(0, prefix.size()), prefix);
}

bool is_separator(char c) {
  return c == ' ' || c == '.' || c == '#' || c == '*' || c == '\t' || c == '\r' || c == '\n';
}

struct Word {
  std::string_view text;
  size_t begin = 0;       // offset in the MO text
  bool after_dot = false;  // exactly one '.' separates it from the previous word
};

std::vector<Word> split_words(std::string_view text) {
  std::vector<Word> words;
  size_t i = 0;
  while (i < text.size()) {
    const size_t separators_begin = i;
    while (i < text.size() && is_separator(text[i])) ++i;
    if (i == text.size()) break;
    const size_t begin = i;
    while (i < text.size() && !is_separator(text[i])) ++i;
    const bool after_dot = !words.empty() && begin - separators_begin == 1 && text[separators_begin] == '.';
    words.push_back({text.substr(begin, i - begin), begin, after_dot});
  }
  return words;
}

// One table: every spelling of every keyword. Aliases exist for customers who write English.
struct KeywordSpelling {
  std::string_view spelling;
  Keyword keyword;
};
constexpr std::array<KeywordSpelling, 16> kKeywords = {{
    {"TOKEN", Keyword::kBuy},        {"BELI", Keyword::kBuy},       {"YA", Keyword::kConfirm},
    {"YES", Keyword::kConfirm},      {"CEK", Keyword::kInquiry},    {"CHECK", Keyword::kInquiry},
    {"ULANG", Keyword::kResend},     {"RESEND", Keyword::kResend},  {"SALDO", Keyword::kBalance},
    {"BALANCE", Keyword::kBalance},  {"PIN", Keyword::kChangePin},  {"BAHASA", Keyword::kLanguage},
    {"LANGUAGE", Keyword::kLanguage}, {"BANTUAN", Keyword::kHelp},  {"HELP", Keyword::kHelp},
    {"INFO", Keyword::kHelp},
}};

std::optional<Keyword> find_keyword(std::string_view word) {
  for (const KeywordSpelling& k : kKeywords) {
    if (equals_upper(word, k.spelling)) return k.keyword;
  }
  return std::nullopt;
}

struct Multiplier {
  std::string_view suffix;
  int64_t factor;
};
// Longer spellings first, so "RIBU" is not read as "RB"-less garbage.
constexpr std::array<Multiplier, 5> kMultipliers = {{
    {"RIBU", 1'000}, {"JUTA", 1'000'000}, {"RB", 1'000}, {"JT", 1'000'000}, {"K", 1'000}}};

bool is_multiplier(std::string_view word) {
  return std::ranges::any_of(kMultipliers, [&](const Multiplier& m) { return equals_upper(word, m.suffix); });
}

// The words an amount spans from `i`: an optional lone "Rp", the number with its
// "."-separated thousands groups (the tokenizer split them), and an optional lone
// multiplier ("50 rb"). Returns one past the last word; `joined` gets the amount as one word.
size_t amount_span(const std::vector<Word>& words, size_t i, std::string& joined) {
  joined.clear();
  if (i < words.size() && equals_upper(words[i].text, "RP") && i + 1 < words.size()) ++i;
  if (i >= words.size()) return i;
  joined = words[i].text;
  ++i;
  // "50.000" arrives as "50" "000": rejoin groups of exactly three digits after a lone '.'.
  const std::string_view head = starts_with_upper(joined, "RP") ? std::string_view(joined).substr(2) : joined;
  if (all_digits(head) && head.size() <= 3) {
    while (i < words.size() && words[i].after_dot && words[i].text.size() == 3 && all_digits(words[i].text)) {
      joined += '.';
      joined += words[i].text;
      ++i;
    }
  }
  if (i < words.size() && is_multiplier(words[i].text) && all_digits(joined)) {
    joined += words[i].text;
    ++i;
  }
  return i;
}

ParseError error(ParseError::Kind kind, std::optional<Keyword> command, std::string reason) {
  return ParseError{.kind = kind, .command = command, .reason = std::move(reason)};
}

// `what` names the word in reasons ("word 2"), never its content.
std::variant<SubscriberRef, ParseError> parse_subscriber(Keyword command, const Word& word, size_t position) {
  if (all_digits(word.text) && word.text.size() == kMeterDigits) {
    return SubscriberRef{.by = p2apst::LookupBy::kMeter, .number = std::string(word.text)};
  }
  if (all_digits(word.text) && word.text.size() == kIdpelDigits) {
    return SubscriberRef{.by = p2apst::LookupBy::kIdpel, .number = std::string(word.text)};
  }
  return error(ParseError::Kind::kBadWord, command,
               fmt::format("word {} must be a meter number ({} digits) or an IDPEL ({} digits); it has {} characters{}",
                           position + 1, kMeterDigits, kIdpelDigits, word.text.size(),
                           all_digits(word.text) ? "" : ", not all digits"));
}

std::variant<Pin, ParseError> parse_pin(Keyword command, const Word& word, size_t position) {
  if (!store::is_valid_pin(word.text)) {
    return error(ParseError::Kind::kBadWord, command,
                 fmt::format("word {} must be a PIN of {} digits", position + 1, store::kPinDigits));
  }
  return Pin(word.text);
}

ParseError missing(Keyword command, std::string_view what) {
  return error(ParseError::Kind::kMissingWord, command, fmt::format("{} needs {}", keyword_name(command), what));
}

ParseError extra(Keyword command, size_t used, size_t total) {
  return error(ParseError::Kind::kExtraWords, command,
               fmt::format("{} takes {} words; the message has {}", keyword_name(command), used, total));
}

SmsCommand parse_buy(const std::vector<Word>& w) {
  constexpr Keyword k = Keyword::kBuy;
  if (w.size() < 2) return missing(k, "a meter number or IDPEL");
  auto subscriber = parse_subscriber(k, w[1], 1);
  if (auto* e = std::get_if<ParseError>(&subscriber)) return std::move(*e);
  if (w.size() < 3) return missing(k, "an amount");
  std::string joined;
  const size_t after_amount = amount_span(w, 2, joined);
  if (joined.empty()) return missing(k, "an amount");
  auto amount = parse_amount_word(joined);
  if (!amount.ok()) return error(ParseError::Kind::kBadWord, k, "word 3: " + amount.status().message());
  BuyCommand buy{.subscriber = std::get<SubscriberRef>(std::move(subscriber)), .amount_rupiah = *amount, .pin = {}};
  if (after_amount < w.size()) {
    auto pin = parse_pin(k, w[after_amount], after_amount);
    if (auto* e = std::get_if<ParseError>(&pin)) return std::move(*e);
    buy.pin = std::get<Pin>(std::move(pin));
    if (after_amount + 1 < w.size()) return extra(k, after_amount + 1, w.size());
  }
  return buy;
}

// ULANG / SALDO: an optional meter or IDPEL.
std::variant<std::optional<SubscriberRef>, ParseError> optional_subscriber(Keyword k, const std::vector<Word>& w) {
  if (w.size() > 2) return extra(k, 2, w.size());
  if (w.size() < 2) return std::optional<SubscriberRef>();
  auto subscriber = parse_subscriber(k, w[1], 1);
  if (auto* e = std::get_if<ParseError>(&subscriber)) return std::move(*e);
  return std::optional<SubscriberRef>(std::get<SubscriberRef>(std::move(subscriber)));
}

std::optional<Language> parse_language_word(std::string_view word) {
  for (std::string_view s : {"ID", "IND", "INDONESIA"}) {
    if (equals_upper(word, s)) return Language::kId;
  }
  for (std::string_view s : {"EN", "ENG", "ENGLISH", "INGGRIS"}) {
    if (equals_upper(word, s)) return Language::kEn;
  }
  return std::nullopt;
}

SmsCommand parse_words(const std::vector<Word>& w) {
  if (w.empty()) return error(ParseError::Kind::kEmpty, std::nullopt, "the message is empty");
  const std::optional<Keyword> keyword = find_keyword(w[0].text);
  if (!keyword) return error(ParseError::Kind::kUnknownCommand, std::nullopt, "the first word is no command");
  const Keyword k = *keyword;
  switch (k) {
    case Keyword::kBuy:
      return parse_buy(w);
    case Keyword::kConfirm: {
      if (w.size() < 2) return missing(k, "the PIN");
      auto pin = parse_pin(k, w[1], 1);
      if (auto* e = std::get_if<ParseError>(&pin)) return std::move(*e);
      if (w.size() > 2) return extra(k, 2, w.size());
      return ConfirmCommand{.pin = std::get<Pin>(std::move(pin))};
    }
    case Keyword::kInquiry: {
      if (w.size() < 2) return missing(k, "a meter number or IDPEL");
      auto subscriber = parse_subscriber(k, w[1], 1);
      if (auto* e = std::get_if<ParseError>(&subscriber)) return std::move(*e);
      if (w.size() > 2) return extra(k, 2, w.size());
      return InquiryCommand{.subscriber = std::get<SubscriberRef>(std::move(subscriber))};
    }
    case Keyword::kResend:
    case Keyword::kBalance: {
      auto subscriber = optional_subscriber(k, w);
      if (auto* e = std::get_if<ParseError>(&subscriber)) return std::move(*e);
      auto ref = std::get<std::optional<SubscriberRef>>(std::move(subscriber));
      if (k == Keyword::kResend) return ResendCommand{.subscriber = std::move(ref)};
      return BalanceCommand{.subscriber = std::move(ref)};
    }
    case Keyword::kChangePin: {
      if (w.size() < 3) return missing(k, "the old and the new PIN");
      auto old_pin = parse_pin(k, w[1], 1);
      if (auto* e = std::get_if<ParseError>(&old_pin)) return std::move(*e);
      auto new_pin = parse_pin(k, w[2], 2);
      if (auto* e = std::get_if<ParseError>(&new_pin)) return std::move(*e);
      if (w.size() > 3) return extra(k, 3, w.size());
      return ChangePinCommand{.old_pin = std::get<Pin>(std::move(old_pin)), .new_pin = std::get<Pin>(std::move(new_pin))};
    }
    case Keyword::kLanguage: {
      if (w.size() < 2) return missing(k, "ID or EN");
      auto language = parse_language_word(w[1].text);
      if (!language) return error(ParseError::Kind::kBadWord, k, "word 2 must be ID or EN");
      if (w.size() > 2) return extra(k, 2, w.size());
      return LanguageCommand{.language = *language};
    }
    case Keyword::kHelp:
      return HelpCommand{};  // "HELP ME PLEASE" still deserves the help text
  }
  return error(ParseError::Kind::kUnknownCommand, std::nullopt, "the first word is no command");
}

// Masks every digit run in out[from, to) whose length is not a meter's or an IDPEL's.
void mask_loose_digits(std::string& out, size_t from, size_t to) {
  size_t i = from;
  while (i < to) {
    if (!is_digit(out[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < to && is_digit(out[end])) ++end;
    const size_t run = end - i;
    if (run != kMeterDigits && run != kIdpelDigits) std::fill(out.begin() + i, out.begin() + end, '*');
    i = end;
  }
}

void mask_words_from(std::string& out, const std::vector<Word>& words, size_t first) {
  for (size_t i = first; i < words.size(); ++i) {
    std::fill_n(out.begin() + words[i].begin, words[i].text.size(), '*');
  }
}

}  // namespace

std::string_view keyword_name(Keyword keyword) {
  switch (keyword) {
    case Keyword::kBuy: return "TOKEN";
    case Keyword::kConfirm: return "YA";
    case Keyword::kInquiry: return "CEK";
    case Keyword::kResend: return "ULANG";
    case Keyword::kBalance: return "SALDO";
    case Keyword::kChangePin: return "PIN";
    case Keyword::kLanguage: return "BAHASA";
    case Keyword::kHelp: return "BANTUAN";
  }
  return "?";
}

std::string_view parse_error_kind_name(ParseError::Kind kind) {
  switch (kind) {
    case ParseError::Kind::kEmpty: return "empty";
    case ParseError::Kind::kUnknownCommand: return "unknown_command";
    case ParseError::Kind::kMissingWord: return "missing_word";
    case ParseError::Kind::kBadWord: return "bad_word";
    case ParseError::Kind::kExtraWords: return "extra_words";
  }
  return "?";
}

SmsCommand parse_sms_command(std::string_view text) { return parse_words(split_words(text)); }

Result<int64_t> parse_amount_word(std::string_view word) {
  const auto bad = [](std::string_view why) { return Status::invalid_argument(fmt::format("the amount {}", why)); };
  if (starts_with_upper(word, "RP")) word.remove_prefix(2);
  int64_t factor = 1;
  for (const Multiplier& m : kMultipliers) {
    if (word.size() > m.suffix.size() &&
        equals_upper(word.substr(word.size() - m.suffix.size()), m.suffix)) {
      factor = m.factor;
      word.remove_suffix(m.suffix.size());
      break;
    }
  }
  if (word.empty()) return bad("has no digits");
  // Thousands groups: "1.000.000" or "1,000,000", one separator kind, groups of three.
  std::string digits;
  const size_t group_mark = word.find_first_of(".,");
  if (group_mark == std::string_view::npos) {
    digits = word;
  } else {
    if (factor != 1) return bad("mixes thousands groups with rb/k/jt");
    const char mark = word[group_mark];
    if (group_mark == 0 || group_mark > 3) return bad("has misplaced thousands separators");
    digits = word.substr(0, group_mark);
    for (size_t i = group_mark; i < word.size(); i += 4) {
      if (word[i] != mark || i + 4 > word.size()) return bad("has misplaced thousands separators");
      digits += word.substr(i + 1, 3);
    }
  }
  if (!all_digits(digits)) return bad("is not a whole number of rupiah");
  const size_t first_nonzero = digits.find_first_not_of('0');
  if (first_nonzero == std::string::npos) return bad("is zero");
  if (digits.size() - first_nonzero > 12) return bad("is too large");
  int64_t value = 0;
  for (size_t i = first_nonzero; i < digits.size(); ++i) value = value * 10 + (digits[i] - '0');
  if (value > kMaxAmountRupiah / factor) return bad("is too large");
  return value * factor;
}

Status check_denomination(int64_t amount, std::span<const int64_t> allowed) {
  if (std::ranges::find(allowed, amount) != allowed.end()) return Status::ok_status();
  std::string list;
  for (int64_t a : allowed) {
    if (!list.empty()) list += ", ";
    list += format_rupiah(a);
  }
  return Status::invalid_argument(fmt::format("the amount is not one of the denominations {}", list));
}

std::string masked_text(std::string_view text) {
  std::string out(text);
  const std::vector<Word> w = split_words(text);
  const std::optional<Keyword> keyword = w.empty() ? std::nullopt : find_keyword(w[0].text);
  if (!keyword) {
    mask_loose_digits(out, 0, out.size());
    return out;
  }
  switch (*keyword) {
    case Keyword::kBuy: {
      if (w.size() < 3) {
        mask_loose_digits(out, 0, out.size());
        return out;
      }
      mask_loose_digits(out, 0, w[2].begin);  // keeps the meter, masks a malformed one
      std::string joined;
      size_t pin_from = amount_span(w, 2, joined);
      // "TOKEN <meter> <PIN>" (the amount forgotten) would keep the PIN as the amount: six
      // plain digits that are not whole thousands are a price nobody sells, so mask them.
      if (pin_from == 3 && store::is_valid_pin(w[2].text) && !w[2].text.ends_with("000")) pin_from = 2;
      mask_words_from(out, w, pin_from);
      return out;
    }
    case Keyword::kConfirm:
    case Keyword::kChangePin:
      mask_words_from(out, w, 1);
      return out;
    default:
      mask_loose_digits(out, 0, out.size());
      return out;
  }
}

}  // namespace pintar::engine
