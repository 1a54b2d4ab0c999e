#include "vending/engine/sms_command.h"

#include <catch2/catch.hpp>

namespace pintar::engine {
namespace {

using p2apst::LookupBy;

template <typename T>
const T& as(const SmsCommand& command) {
  REQUIRE(std::holds_alternative<T>(command));
  return std::get<T>(command);
}

const ParseError& parse_error(const SmsCommand& command) { return as<ParseError>(command); }

TEST_CASE("TOKEN and BELI buy for a meter or an IDPEL, with or without the PIN") {
  SmsCommand c = parse_sms_command("TOKEN 12345678901 50000 123456");
  const auto& buy = as<BuyCommand>(c);
  CHECK(buy.subscriber == SubscriberRef{LookupBy::kMeter, "12345678901"});
  CHECK(buy.amount_rupiah == 50000);
  REQUIRE(buy.pin.has_value());
  CHECK(buy.pin->digits() == "123456");

  SmsCommand idpel = parse_sms_command("beli 511000000002 100000");
  const auto& b2 = as<BuyCommand>(idpel);
  CHECK(b2.subscriber == SubscriberRef{LookupBy::kIdpel, "511000000002"});
  CHECK(b2.amount_rupiah == 100000);
  CHECK_FALSE(b2.pin.has_value());
}

TEST_CASE("keywords are case-insensitive and every separator, repeated, splits words") {
  for (const char* text : {"token 12345678901 20000 654321", "Token.12345678901.20000.654321",
                           "TOKEN#12345678901#20000#654321", "TOKEN*12345678901*20000*654321",
                           "  TOKEN  ##12345678901 ..**20000  654321 ", "ToKeN\t12345678901\r\n20000 654321\n"}) {
    INFO(text);
    SmsCommand c = parse_sms_command(text);
    const auto& buy = as<BuyCommand>(c);
    CHECK(buy.subscriber.number == "12345678901");
    CHECK(buy.amount_rupiah == 20000);
    REQUIRE(buy.pin.has_value());
    CHECK(buy.pin->digits() == "654321");
  }
}

TEST_CASE("amounts: plain, thousands groups, rb/ribu/k/jt/juta, an Rp prefix") {
  struct Case {
    const char* text;
    int64_t amount;
  };
  for (const Case& k : {Case{"TOKEN 12345678901 50000", 50000}, Case{"TOKEN 12345678901 50.000", 50000},
                        Case{"TOKEN 12345678901 50,000", 50000}, Case{"TOKEN 12345678901 1.000.000", 1000000},
                        Case{"TOKEN 12345678901 50rb", 50000}, Case{"TOKEN 12345678901 50RIBU", 50000},
                        Case{"TOKEN 12345678901 50k", 50000}, Case{"TOKEN 12345678901 50 rb", 50000},
                        Case{"TOKEN 12345678901 1jt", 1000000}, Case{"TOKEN 12345678901 1 juta", 1000000},
                        Case{"TOKEN 12345678901 Rp50.000", 50000}, Case{"TOKEN 12345678901 rp 100.000", 100000},
                        Case{"TOKEN 12345678901 Rp20rb", 20000}, Case{"TOKEN 12345678901 052500", 52500}}) {
    INFO(k.text);
    SmsCommand c = parse_sms_command(k.text);
    const auto& buy = as<BuyCommand>(c);
    CHECK(buy.amount_rupiah == k.amount);
    CHECK_FALSE(buy.pin.has_value());
  }
  // Dots as word separators still leave a PIN after a grouped amount: "100.000.123456".
  SmsCommand c = parse_sms_command("TOKEN.12345678901.100.000.123456");
  const auto& buy = as<BuyCommand>(c);
  CHECK(buy.amount_rupiah == 100000);
  REQUIRE(buy.pin.has_value());
  CHECK(buy.pin->digits() == "123456");
}

TEST_CASE("malformed amounts are refused with the reason, not guessed") {
  for (const char* word : {"0", "000", "50.00", "50.0000", "5000.000", "50.000,000", "1,5jt", "50.000rb", "rb",
                           "k", "Rp", "abc", "-50000", "50000.", "1000000000000", "999999999999999999999"}) {
    INFO(word);
    CHECK(parse_amount_word(word).status().code() == StatusCode::kInvalidArgument);
  }
  CHECK(*parse_amount_word("999999999999") == kMaxAmountRupiah);
  CHECK(*parse_amount_word("999999jt") == 999'999'000'000);
  CHECK_FALSE(parse_amount_word("1000000jt").ok());
  SmsCommand c = parse_sms_command("TOKEN 12345678901 lima");
  CHECK(parse_error(c).kind == ParseError::Kind::kBadWord);
  CHECK(parse_error(c).command == Keyword::kBuy);
}

TEST_CASE("PINs are store::kPinDigits digits: shorter, longer or lettered ones are errors") {
  for (const char* text : {"TOKEN 12345678901 50000 1234", "TOKEN 12345678901 50000 1234567",
                           "TOKEN 12345678901 50000 12a456", "YA 12345", "YA abcdef", "PIN 123456 12345",
                           "PIN 1234 123456"}) {
    INFO(text);
    SmsCommand c = parse_sms_command(text);
    CHECK(parse_error(c).kind == ParseError::Kind::kBadWord);
    CHECK(parse_error(c).reason.find("PIN of 6 digits") != std::string::npos);
  }
}

TEST_CASE("meter numbers are 11 digits and IDPELs 12; anything else names the word, not its content") {
  for (const char* text : {"TOKEN 1234567890 50000", "TOKEN 1234567890123 50000", "CEK 1234567890X",
                           "CEK meter", "ULANG 123", "SALDO 1234567890123"}) {
    INFO(text);
    SmsCommand c = parse_sms_command(text);
    const ParseError& e = parse_error(c);
    CHECK(e.kind == ParseError::Kind::kBadWord);
    CHECK(e.reason.find("word 2 must be a meter number (11 digits) or an IDPEL (12 digits)") != std::string::npos);
    CHECK(e.reason.find("123") == std::string::npos);
  }
}

TEST_CASE("a PIN in a wrong place never appears in the error reason") {
  for (const char* text : {"TOKEN 987654 50000", "TOKEN 12345678901 987654x", "YA 98765", "PIN 987654 98765",
                           "TOKEN 12345678901 50000 987654 1", "YA 987654 987654"}) {
    INFO(text);
    SmsCommand c = parse_sms_command(text);
    CHECK(parse_error(c).reason.find("9876") == std::string::npos);
  }
}

TEST_CASE("YA, CEK, ULANG, SALDO, PIN, BAHASA and BANTUAN parse to their commands") {
  CHECK(as<ConfirmCommand>(parse_sms_command("ya 123456")).pin.digits() == "123456");
  CHECK(as<ConfirmCommand>(parse_sms_command("YES#123456")).pin.digits() == "123456");
  CHECK(as<InquiryCommand>(parse_sms_command("CEK 12345678901")).subscriber ==
        SubscriberRef{LookupBy::kMeter, "12345678901"});
  CHECK(as<InquiryCommand>(parse_sms_command("check 511000000002")).subscriber ==
        SubscriberRef{LookupBy::kIdpel, "511000000002"});
  CHECK_FALSE(as<ResendCommand>(parse_sms_command("ULANG")).subscriber.has_value());
  CHECK(as<ResendCommand>(parse_sms_command("ulang 12345678901")).subscriber ==
        SubscriberRef{LookupBy::kMeter, "12345678901"});
  CHECK_FALSE(as<BalanceCommand>(parse_sms_command("saldo")).subscriber.has_value());
  CHECK(as<BalanceCommand>(parse_sms_command("SALDO.12345678901")).subscriber ==
        SubscriberRef{LookupBy::kMeter, "12345678901"});
  SmsCommand pin = parse_sms_command("PIN 123456 654321");
  CHECK(as<ChangePinCommand>(pin).old_pin.digits() == "123456");
  CHECK(as<ChangePinCommand>(pin).new_pin.digits() == "654321");
  CHECK(as<LanguageCommand>(parse_sms_command("BAHASA EN")).language == Language::kEn);
  CHECK(as<LanguageCommand>(parse_sms_command("bahasa indonesia")).language == Language::kId);
  CHECK(as<LanguageCommand>(parse_sms_command("LANGUAGE english")).language == Language::kEn);
  CHECK(std::holds_alternative<HelpCommand>(parse_sms_command("BANTUAN")));
  CHECK(std::holds_alternative<HelpCommand>(parse_sms_command("help me please")));
}

TEST_CASE("every other text is a ParseError with its kind, never nothing") {
  struct Case {
    const char* text;
    ParseError::Kind kind;
    std::optional<Keyword> command;
  };
  for (const Case& k : {
           Case{"", ParseError::Kind::kEmpty, std::nullopt},
           Case{" #*. ", ParseError::Kind::kEmpty, std::nullopt},
           Case{"halo", ParseError::Kind::kUnknownCommand, std::nullopt},
           Case{"TOKEN12345678901 50000", ParseError::Kind::kUnknownCommand, std::nullopt},
           Case{"\xff\xfe TOKEN", ParseError::Kind::kUnknownCommand, std::nullopt},
           Case{"TOKEN", ParseError::Kind::kMissingWord, Keyword::kBuy},
           Case{"TOKEN 12345678901", ParseError::Kind::kMissingWord, Keyword::kBuy},
           Case{"TOKEN 12345678901 Rp", ParseError::Kind::kBadWord, Keyword::kBuy},
           Case{"TOKEN 12345678901 50000 123456 x", ParseError::Kind::kExtraWords, Keyword::kBuy},
           Case{"YA", ParseError::Kind::kMissingWord, Keyword::kConfirm},
           Case{"YA 123456 1", ParseError::Kind::kExtraWords, Keyword::kConfirm},
           Case{"CEK", ParseError::Kind::kMissingWord, Keyword::kInquiry},
           Case{"CEK 12345678901 50000", ParseError::Kind::kExtraWords, Keyword::kInquiry},
           Case{"ULANG 12345678901 1", ParseError::Kind::kExtraWords, Keyword::kResend},
           Case{"SALDO 12345678901 1", ParseError::Kind::kExtraWords, Keyword::kBalance},
           Case{"PIN 123456", ParseError::Kind::kMissingWord, Keyword::kChangePin},
           Case{"PIN 123456 654321 1", ParseError::Kind::kExtraWords, Keyword::kChangePin},
           Case{"BAHASA", ParseError::Kind::kMissingWord, Keyword::kLanguage},
           Case{"BAHASA JAWA", ParseError::Kind::kBadWord, Keyword::kLanguage},
           Case{"BAHASA EN ID", ParseError::Kind::kExtraWords, Keyword::kLanguage},
       }) {
    INFO(k.text);
    SmsCommand c = parse_sms_command(k.text);
    const ParseError& e = parse_error(c);
    CHECK(e.kind == k.kind);
    CHECK(e.command == k.command);
    CHECK_FALSE(e.reason.empty());
    CHECK(parse_error_kind_name(e.kind) != "?");
  }
}

TEST_CASE("a Pin formats as <pin>, never as its digits") {
  Pin pin("123456");
  CHECK(fmt::format("{}", pin) == "<pin>");
  CHECK(pin == Pin("123456"));
  CHECK_FALSE(pin == Pin("123457"));
}

TEST_CASE("check_denomination accepts the listed amounts and lists them otherwise, without the amount") {
  CHECK(check_denomination(50000, kDefaultDenominations).ok());
  CHECK(check_denomination(1000000, kDefaultDenominations).ok());
  Status refused = check_denomination(123456, kDefaultDenominations);
  CHECK(refused.code() == StatusCode::kInvalidArgument);
  CHECK(refused.message() ==
        "the amount is not one of the denominations Rp20.000, Rp50.000, Rp100.000, Rp200.000, Rp500.000, Rp1.000.000");
  CHECK(refused.message().find("123") == std::string::npos);
  CHECK_FALSE(check_denomination(50000, {}).ok());
}

TEST_CASE("masked_text hides the PIN words and keeps the rest of the MO as sent") {
  struct Case {
    const char* text;
    const char* masked;
  };
  for (const Case& k : {
           Case{"TOKEN 12345678901 50000 123456", "TOKEN 12345678901 50000 ******"},
           Case{"token.12345678901.50.000.123456", "token.12345678901.50.000.******"},
           Case{"TOKEN 12345678901 50 rb 123456", "TOKEN 12345678901 50 rb ******"},
           Case{"TOKEN 12345678901 Rp 50.000 #123456#", "TOKEN 12345678901 Rp 50.000 #******#"},
           Case{"BELI 511000000002 100000", "BELI 511000000002 100000"},
           Case{"TOKEN 12345678901 50000 1234", "TOKEN 12345678901 50000 ****"},     // malformed PIN too
           Case{"TOKEN 12345678901 50000 12a456 9", "TOKEN 12345678901 50000 ****** *"},
           Case{"TOKEN 12345678901 123456", "TOKEN 12345678901 ******"},  // the amount forgotten
           Case{"TOKEN 12345678901 100000", "TOKEN 12345678901 100000"},  // a real amount stays
           Case{"TOKEN 1234567890 50000 123456", "TOKEN ********** 50000 ******"},
           Case{"TOKEN 123456", "TOKEN ******"},
           Case{"YA 123456", "YA ******"},
           Case{"ya#12345", "ya#*****"},
           Case{"YA 123456 654321", "YA ****** ******"},
           Case{"PIN 123456 654321", "PIN ****** ******"},
           Case{"PIN 12 x", "PIN ** *"},
           Case{"CEK 12345678901", "CEK 12345678901"},
           Case{"CEK 12345678901 123456", "CEK 12345678901 ******"},
           Case{"SALDO", "SALDO"},
           Case{"BANTUAN 123456", "BANTUAN ******"},
           Case{"halo 123456 12345678901", "halo ****** 12345678901"},
           Case{"TOKN 12345678901 50000 123456", "TOKN 12345678901 ***** ******"},
           Case{"123456", "******"},
           Case{"", ""},
       }) {
    INFO(k.text);
    CHECK(masked_text(k.text) == k.masked);
  }
}

TEST_CASE("masked_text never lets a parsed PIN through, whatever the separators") {
  for (const char* text : {"TOKEN 12345678901 50000 135790", "TOKEN*12345678901*50rb*135790",
                           "BELI#511000000002#1.000.000#135790", "YA 135790", "PIN 135790 135790",
                           "TOKEN 12345678901 Rp.50.000.135790"}) {
    INFO(text);
    SmsCommand c = parse_sms_command(text);
    const bool has_pin = std::holds_alternative<ConfirmCommand>(c) || std::holds_alternative<ChangePinCommand>(c) ||
                         (std::holds_alternative<BuyCommand>(c) && std::get<BuyCommand>(c).pin.has_value());
    CHECK(has_pin);
    CHECK(masked_text(text).find("135790") == std::string::npos);
    CHECK(masked_text(text).size() == std::string_view(text).size());
  }
}

TEST_CASE("language codes are the ledger's") {
  CHECK(language_code(Language::kId) == "id");
  CHECK(language_code(Language::kEn) == "en");
  CHECK(language_from_code("en") == Language::kEn);
  CHECK(language_from_code("id") == Language::kId);
  CHECK_FALSE(language_from_code("EN").has_value());
  CHECK(keyword_name(Keyword::kBuy) == "TOKEN");
}

}  // namespace
}  // namespace pintar::engine
