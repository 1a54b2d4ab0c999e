#include "vending/engine/replies.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "smpp/text.h"
#include "vending/engine/reply_text.h"

namespace pintar::engine {
namespace {

constexpr size_t kOneSms = 160;             // septets, TS 23.040 9.2.3.16 at 7 bits
constexpr size_t kTwoSmsParts = 2 * 153;    // septets after the concatenation UDH

std::vector<ReplyId> all_ids() {
  std::vector<ReplyId> ids;
  for (size_t i = 0; i < kReplyCount; ++i) ids.push_back(static_cast<ReplyId>(i));
  return ids;
}

std::set<std::string> placeholders(std::string_view text) {
  std::set<std::string> names;
  for (size_t open = text.find('{'); open != std::string_view::npos; open = text.find('{', open + 1)) {
    const size_t close = text.find('}', open);
    REQUIRE(close != std::string_view::npos);
    names.emplace(text.substr(open + 1, close - open - 1));
  }
  return names;
}

std::vector<Field> longest_fields() {
  std::vector<Field> fields;
  for (const FieldSpec& f : reply_fields()) fields.push_back({f.name, std::string(f.longest)});
  return fields;
}

// Septets of the text in the GSM 03.38 default alphabet, counted by the gateway's own
// encoder; fails the test if a character has no GSM form or needs the extension table.
size_t gsm_septets(const std::string& text) {
  auto septets = smpp::gsm7_encode(smpp::utf8_to_code_points(text));
  REQUIRE(septets.has_value());
  CHECK(septets->find('\x1b') == std::string::npos);  // no escape: every character is one septet
  return septets->size();
}

bool may_exceed(ReplyId id) { return std::ranges::find(kMayExceedOneSms, id) != kMayExceedOneSms.end(); }

TEST_CASE("every template, in both languages, renders with the longest values as GSM 03.38 in one SMS") {
  const std::vector<Field> fields = longest_fields();
  for (ReplyId id : all_ids()) {
    for (Language language : {Language::kId, Language::kEn}) {
      INFO(reply_name(id) << " " << language_code(language));
      auto text = render(id, language, fields);
      REQUIRE(text.ok());
      INFO(*text);
      CHECK(text->find_first_of("{}") == std::string::npos);
      const size_t septets = gsm_septets(*text);
      if (may_exceed(id)) {
        CHECK(septets <= kTwoSmsParts);
      } else {
        CHECK(septets <= kOneSms);
      }
    }
  }
}

TEST_CASE("the templates named as possibly longer than one SMS really are, and only with long values") {
  const std::vector<Field> fields = longest_fields();
  for (ReplyId id : kMayExceedOneSms) {
    INFO(reply_name(id));
    CHECK(gsm_septets(*render(id, Language::kEn, fields)) > kOneSms);
  }
  // The usual receipt: Rp1.000.000 with energy, admin and the local tax fits one SMS.
  const Charges usual{.power_purchase = 962'000, .admin = 3'500, .ppj = 34'500};
  for (Language language : {Language::kId, Language::kEn}) {
    auto receipt = render(ReplyId::kTokenReceipt, language,
                          std::vector<Field>{{"token", format_token("12345678901234567890")},
                                             {"meter", "12345678901"},
                                             {"kwh", format_kwh(6452)},
                                             {"amount", format_rupiah(1'000'000)},
                                             {"charges", charges_text(language, usual)},
                                             {"ref", "ABCDEFGHIJKLMNOP"}});
    REQUIRE(receipt.ok());
    INFO(*receipt);
    CHECK(gsm_septets(*receipt) <= kOneSms);
  }
  // The usual key change, two tokens for a 64-bit key, fits one SMS in both languages.
  const std::vector<std::string> two = {"11111111111111111111", "22222222222222222222"};
  for (Language language : {Language::kId, Language::kEn}) {
    auto kct = render(ReplyId::kKeyChangeFirst, language,
                      std::vector<Field>{{"meter", "12345678901"}, {"kcts", key_change_text(language, two)}});
    REQUIRE(kct.ok());
    INFO(*kct);
    CHECK(gsm_septets(*kct) <= kOneSms);
  }
  // A refusal with a typical PLN sentence fits too.
  auto refused = render(ReplyId::kPurchaseRefused, Language::kId,
                        std::vector<Field>{{"meter", "12345678901"}, {"reason", "Nomor meter/IDPEL tidak ditemukan."}});
  CHECK(gsm_septets(*refused) <= kOneSms);
}

TEST_CASE("every field a template names is in reply_fields(), and both languages name the same ones") {
  std::set<std::string> known;
  for (const FieldSpec& f : reply_fields()) {
    CHECK(known.emplace(f.name).second);
    CHECK_FALSE(f.meaning.empty());
    CHECK(gsm_safe(f.longest) == f.longest);
  }
  std::set<std::string> names;
  for (ReplyId id : all_ids()) {
    INFO(reply_name(id));
    CHECK(names.emplace(reply_name(id)).second);
    const auto in_id = placeholders(reply_template(id, Language::kId));
    const auto in_en = placeholders(reply_template(id, Language::kEn));
    CHECK(in_id == in_en);
    for (const std::string& name : in_id) CHECK(known.count(name) == 1);
    CHECK(reply_template(id, Language::kId) != reply_template(id, Language::kEn));
  }
}

TEST_CASE("the token receipt shows the token in groups, kWh, amount, each charge and the reference") {
  const Charges charges{.power_purchase = 46'296, .admin = 2'500, .ppj = 1'204};
  auto text = render(ReplyId::kTokenReceipt, Language::kId,
                     std::vector<Field>{{"token", format_token("01234567890123456789")},
                                        {"meter", "14012345678"},
                                        {"kwh", format_kwh(326)},
                                        {"amount", format_rupiah(50'000)},
                                        {"charges", charges_text(Language::kId, charges)},
                                        {"ref", "0A1B2C3D"}});
  REQUIRE(text.ok());
  CHECK(*text ==
        "TOKEN 0123-4567-8901-2345-6789\nMeter 14012345678 32.6 kWh\n"
        "Bayar Rp50.000: stroom Rp46.296 admin Rp2.500 PBJT Rp1.204\nRef 0A1B2C3D");
}

TEST_CASE("charges_text names each non-zero charge; the energy part always") {
  CHECK(charges_text(Language::kId, {}) == "stroom Rp0");
  const Charges all{.power_purchase = 1, .admin = 2, .stamp_duty = 3, .ppn = 4, .ppj = 5, .instalment = 6};
  CHECK(charges_text(Language::kId, all) == "stroom Rp1 admin Rp2 PPN Rp4 PBJT Rp5 materai Rp3 angsuran Rp6");
  CHECK(charges_text(Language::kEn, all) == "energy Rp1 admin Rp2 VAT Rp4 PBJT Rp5 stamp Rp3 instalment Rp6");
  const int64_t amounts[] = {20'000, 1'000'000};
  CHECK(amounts_text(amounts) == "Rp20.000, Rp1.000.000");
  CHECK(amounts_text({}).empty());
}

TEST_CASE("key_change_text lists every key change token in order, the last after lalu / then") {
  const std::vector<std::string> four = {"11111111111111111111", "22222222222222222222", "33333333333333333333",
                                         "44444444444444444444"};
  CHECK(key_change_text(Language::kId, four) ==
        "1111-1111-1111-1111-1111, 2222-2222-2222-2222-2222, 3333-3333-3333-3333-3333 lalu 4444-4444-4444-4444-4444");
  CHECK(key_change_text(Language::kEn, std::span(four).first(2)) ==
        "1111-1111-1111-1111-1111 then 2222-2222-2222-2222-2222");
  CHECK(key_change_text(Language::kId, std::span(four).first(1)) == "1111-1111-1111-1111-1111");
}

TEST_CASE("render refuses a missing field, cuts names to their wire width and keeps replies GSM") {
  auto missing = render(ReplyId::kWrongPin, Language::kId, {});
  CHECK(missing.status().code() == StatusCode::kInvalidArgument);
  CHECK(missing.status().message() == "wrong_pin needs the field attempts");

  auto prompt = render(ReplyId::kInquiry, Language::kEn,
                       std::vector<Field>{{"meter", "12345678901"},
                                          {"idpel", "511000000002"},
                                          {"name", "J\xC3\xBCRGEN {X} ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
                                          {"tariff", "R1MTX"},
                                          {"power", format_thousands(1300)},
                                          {"unused", "ignored"}});
  REQUIRE(prompt.ok());
  CHECK(*prompt == "Meter 12345678901 IDPEL 511000000002 name J?RGEN ?X? ABCDEFGHIJKLMN R1MT/1.300VA.");
}

TEST_CASE("the confirmation prompt asks for YA <PIN> within the window, and no reply carries a PIN field") {
  for (Language language : {Language::kId, Language::kEn}) {
    CHECK(reply_template(ReplyId::kConfirmPrompt, language).find("YA <PIN>") != std::string_view::npos);
    for (ReplyId id : all_ids()) {
      for (const std::string& name : placeholders(reply_template(id, language))) CHECK(name.find("pin") == std::string::npos);
    }
  }
  auto text = render(ReplyId::kConfirmPrompt, Language::kId,
                     std::vector<Field>{{"meter", "12345678901"}, {"name", "BUDI"}, {"tariff", "R1"},
                                        {"power", "1.300"}, {"amount", "Rp50.000"}, {"admin", "Rp2.500"},
                                        {"kwh", "32.6"}, {"minutes", "5"}});
  CHECK(*text == "12345678901 a.n. BUDI R1/1.300VA. Beli Rp50.000 adm Rp2.500 = +-32.6 kWh. "
                 "Balas YA <PIN> dlm 5 menit, lainnya batal.");
}

TEST_CASE("every keyword has an example the parser accepts as that command") {
  for (Keyword k : {Keyword::kBuy, Keyword::kConfirm, Keyword::kInquiry, Keyword::kResend, Keyword::kBalance,
                    Keyword::kChangePin, Keyword::kLanguage, Keyword::kHelp}) {
    INFO(keyword_name(k));
    const SmsCommand c = parse_sms_command(command_example(k));
    CHECK_FALSE(std::holds_alternative<ParseError>(c));
    CHECK(c.index() == static_cast<size_t>(k));
  }
}

}  // namespace
}  // namespace pintar::engine
