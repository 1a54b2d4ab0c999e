#include "vending/engine/replies.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "vending/engine/reply_text.h"

namespace pintar::engine {
namespace {

using enum ReplyId;

struct ReplyTemplate {
  ReplyId id;
  std::string_view name;
  std::string_view text_id;  // Bahasa Indonesia, the default
  std::string_view text_en;
};

// "PLN 123" is PLN's contact centre. Rejections say whether to buy again, because a customer
// whose meter refused a token will otherwise pay a second time for the same problem.
constexpr std::array<ReplyTemplate, kReplyCount> kReplies = {{
    {kTokenReceipt, "token_receipt",
     "TOKEN {token}\nMeter {meter} {kwh} kWh\nBayar {amount}: {charges}\nRef {ref}",
     "TOKEN {token}\nMeter {meter} {kwh} kWh\nPaid {amount}: {charges}\nRef {ref}"},
    {kKeyChangeFirst, "key_change_first",
     "Meter {meter} perlu ganti kunci. Masukkan berurutan {kcts}, baru token di SMS berikut.",
     "Meter {meter} needs a key change. Enter in order {kcts}, then the token in the next SMS."},
    {kConfirmPrompt, "confirm_prompt",
     "{meter} a.n. {name} {tariff}/{power}VA. Beli {amount} adm {admin} = +-{kwh} kWh. "
     "Balas YA <PIN> dlm {minutes} menit, lainnya batal.",
     "{meter} {name} {tariff}/{power}VA. Buy {amount} fee {admin} = about {kwh} kWh. "
     "Reply YA <PIN> in {minutes} min, else cancelled."},
    {kNothingToConfirm, "nothing_to_confirm",
     "Tidak ada pembelian yang menunggu YA. Kirim TOKEN <meter> <nominal> <PIN>.",
     "No purchase is waiting for YA. Send TOKEN <meter> <amount> <PIN>."},
    {kInquiry, "inquiry",
     "Meter {meter} IDPEL {idpel} a.n. {name} {tariff}/{power}VA.",
     "Meter {meter} IDPEL {idpel} name {name} {tariff}/{power}VA."},
    {kInquiryUnsold, "inquiry_unsold",
     "Meter {meter} a.n. {name} {tariff}/{power}VA. Token sudah dibayar belum diterima: {unsold}. "
     "Beli nominal itu untuk menerimanya.",
     "Meter {meter} {name} {tariff}/{power}VA. Paid tokens not yet received: {unsold}. "
     "Buy that amount to receive one."},
    {kBalance, "balance",
     "Meter {meter}: sisa {credit} kWh pada {time}.",
     "Meter {meter}: {credit} kWh left at {time}."},
    {kBalanceUnknown, "balance_unknown",
     "Meter {meter} belum melaporkan sisa kWh.",
     "Meter {meter} has not reported its credit yet."},
    {kResendNothing, "resend_nothing",
     "Belum ada token untuk meter {meter}.",
     "No token has been bought for meter {meter}."},
    {kChooseMeter, "choose_meter",
     "Nomor HP ini terdaftar untuk beberapa meter. Sebutkan meternya, contoh: {example}",
     "This phone is registered for several meters. Name one, e.g. {example}"},
    {kNotSubscribed, "not_subscribed",
     "Nomor HP ini tidak terdaftar untuk meter {meter}.",
     "This phone is not registered for meter {meter}."},
    {kWrongPin, "wrong_pin",
     "PIN salah. Sisa {attempts} kali lagi sebelum diblokir sementara.",
     "Wrong PIN. {attempts} more tries before a temporary lock."},
    {kLocked, "locked",
     "PIN salah terlalu sering. Pembelian diblokir {minutes} menit. Lupa PIN? Hubungi PLN 123.",
     "Too many wrong PINs. Purchases are blocked for {minutes} minutes. Forgot your PIN? Call PLN 123."},
    {kPinChanged, "pin_changed",
     "PIN berhasil diganti.",
     "Your PIN has been changed."},
    {kLanguageSet, "language_set",
     "Balasan akan dikirim dalam Bahasa Indonesia.",
     "Replies will now be in English."},
    {kUnknownMeter, "unknown_meter",
     "Nomor meter/IDPEL {number} tidak dikenal PLN. Periksa nomornya lalu kirim lagi.",
     "PLN does not know meter/IDPEL {number}. Check the number and send again."},
    {kMeterMigrated, "meter_migrated",
     "Meter {number} sudah diganti meter {meter}. Beli untuk meter baru: TOKEN {meter} <nominal> <PIN>",
     "Meter {number} was replaced by meter {meter}. To buy for it: TOKEN {meter} <amount> <PIN>"},
    {kAmountNotAllowed, "amount_not_allowed",
     "Nominal tidak tersedia. Pilih: {denominations}.",
     "That amount is not available. Choose: {denominations}."},
    {kKwhOverLimit, "kwh_over_limit",
     "Sisa batas bulan ini {max_kwh} kWh; pilih nominal lebih kecil. Tidak ada biaya.",
     "Only {max_kwh} kWh left this month; choose a smaller amount. Nothing was charged."},
    {kPurchaseRefused, "purchase_refused",
     "Pembelian meter {meter}: {reason}",
     "Purchase for meter {meter}: {reason}"},
    {kPurchasePending, "purchase_pending",
     "Pembelian meter {meter} sedang diproses PLN. Token dikirim begitu selesai; jangan beli ulang.",
     "Your purchase for meter {meter} is being processed by PLN. The token follows; do not buy again."},
    {kP2apstDown, "p2apst_down",
     "Layanan PLN sedang tidak tersedia. Tidak ada biaya. Silakan coba lagi nanti.",
     "PLN's service is unavailable. Nothing was charged. Please try again later."},
    {kTemporaryFailure, "temporary_failure",
     "Maaf, ada gangguan sistem. Tidak ada biaya. Silakan coba lagi nanti.",
     "Sorry, a system fault. Nothing was charged. Please try again later."},
    {kBadFormat, "bad_format",
     "Format salah. Contoh: {example}. Kirim BANTUAN untuk daftar perintah.",
     "Wrong format. Example: {example}. Send HELP for the commands."},
    {kHelp, "help",
     "TOKEN <meter> <nominal> <PIN> beli; CEK <meter> info; ULANG <meter> kirim ulang token; "
     "SALDO <meter>; PIN <lama> <baru>; BAHASA EN",
     "TOKEN <meter> <amount> <PIN> buy; CEK <meter> info; ULANG <meter> resend token; "
     "SALDO <meter> credit; PIN <old> <new>; BAHASA ID"},
    {kRateLimited, "rate_limited",
     "Terlalu banyak SMS. SMS berikutnya diabaikan selama {minutes} menit.",
     "Too many SMS. Further SMS are ignored for {minutes} minutes."},
    {kModemSilent, "modem_silent",
     "Meter {meter} belum mengonfirmasi token. Mohon masukkan manual di meter: {token}",
     "Meter {meter} has not confirmed the token. Please key it in on the meter: {token}"},
    {kMeterRejectedCrc, "meter_rejected_crc",
     "Meter {meter} menolak token {token}: bukan untuk meter ini. Jangan beli ulang; hubungi PLN 123 dengan Ref.",
     "Meter {meter} rejected token {token}: not for this meter. Do not buy again; call PLN 123 with the Ref."},
    {kMeterRejectedUsed, "meter_rejected_used",
     "Meter {meter}: token sudah pernah dimasukkan dan kWh sudah masuk. Tidak perlu tindakan.",
     "Meter {meter}: the token was already entered and credited. Nothing to do."},
    {kMeterRejectedOld, "meter_rejected_old",
     "Meter {meter} menolak token {token}: lebih lama dari token terakhirnya. Jangan beli ulang; hubungi PLN 123.",
     "Meter {meter} rejected token {token}: older than its last token. Do not buy again; call PLN 123."},
    {kMeterRejectedKeyExpired, "meter_rejected_key_expired",
     "Kunci meter {meter} kedaluwarsa dan perlu diganti PLN. Hubungi PLN 123; pembelian Anda tercatat.",
     "The key of meter {meter} has expired and PLN must change it. Call PLN 123; your purchase is on record."},
    {kMeterRejectedOverLimit, "meter_rejected_over_limit",
     "Meter {meter} menolak token: melebihi batas kWh meter. Hubungi PLN 123; pembelian Anda tercatat.",
     "Meter {meter} rejected the token: over its kWh limit. Call PLN 123; your purchase is on record."},
}};

constexpr bool table_in_enum_order() {
  for (size_t i = 0; i < kReplies.size(); ++i) {
    if (static_cast<size_t>(kReplies[i].id) != i) return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "kReplies must list every ReplyId in enum order");

// The longest values: fixed-width wire fields at their width; amounts up to Rp99.999.999
// (PLN sells at most a few million rupiah at once); kWh below 100,000 (PLN's monthly limit
// is n5 whole kWh); the reason is the longest text of p2apst/response_codes.cpp (0090).
constexpr std::array<FieldSpec, 22> kFields = {{
    {"token", "1234-5678-9012-3456-7890", 0, "format_token() of the 20 digits"},
    {"kcts", "1234-5678-9012-3456-7890, 1234-5678-9012-3456-7890, 1234-5678-9012-3456-7890 lalu 1234-5678-9012-3456-7890",
     0, "key_change_text() of the key change tokens (four: a 128-bit key, EA11 with DKGA04)"},
    {"meter", "12345678901", 0, "meter number, 11 digits"},
    {"idpel", "123456789012", 0, "IDPEL, 12 digits"},
    {"number", "123456789012", 0, "the meter or IDPEL the customer sent"},
    {"name", "ABCDEFGHIJKLMNOPQRSTUVWXY", 25, "customer name as PLN sends it (an25, trimmed)"},
    {"tariff", "R1MT", 4, "tariff segment (an4, trimmed)"},
    {"power", "999.999.999", 0, "format_thousands() of the power in VA (n9)"},
    {"amount", "Rp99.999.999", 0, "format_rupiah() of what the customer pays"},
    {"admin", "Rp99.999.999", 0, "format_rupiah() of the admin charge"},
    {"kwh", "99999.9", 0, "format_kwh() of the energy"},
    {"credit", "99999.9", 0, "format_kwh() of the meter's last credit"},
    {"time", "31-12-2026 23:59 WIB", 0, "when the meter reported, local time"},
    {"charges",
     "energy Rp99.999.999 admin Rp99.999.999 VAT Rp99.999.999 PBJT Rp99.999.999 stamp Rp99.999.999 "
     "instalment Rp99.999.999",
     0, "charges_text() with all six charges"},
    {"ref", "ABCDEFGHIJKLMNOP", 0, "the purchase reference, at most 16 characters"},
    {"minutes", "999", 0, "a duration in minutes"},
    {"attempts", "9", 0, "PIN tries left"},
    {"denominations", "Rp20.000, Rp50.000, Rp100.000, Rp200.000, Rp500.000, Rp1.000.000", 0,
     "amounts_text() of the allowed amounts (the default list)"},
    {"unsold",
     "Rp99.999.999, Rp99.999.999, Rp99.999.999, Rp99.999.999, Rp99.999.999, Rp99.999.999, Rp99.999.999, "
     "Rp99.999.999, Rp99.999.999",
     0, "amounts_text() of the unsold tokens (at most nine)"},
    {"max_kwh", "99999", 0, "whole kWh still allowed this month (bit 62 n5)"},
    {"reason", "Sedang proses cut-off PLN (23:30-00:30 WIB), silakan coba lagi setelah pukul 00:30 WIB.", 0,
     "the customer text of the P2APST response code (p2apst::ResponseCode)"},
    {"example", "TOKEN 12345678901 50000 123456", 0, "command_example() of the command"},
}};

// Why these may take two SMS: a receipt lists every non-zero charge and PLN can send all six
// (with an instalment and stamp duty it runs past 160; energy, admin and PBJT fit); an
// inquiry can report up to nine unsold tokens; a 128-bit key change takes four tokens (two,
// the usual 64-bit case, fit).
constexpr std::array<ReplyId, 3> kMayExceed = {kTokenReceipt, kInquiryUnsold, kKeyChangeFirst};

const FieldSpec* find_field(std::string_view name) {
  for (const FieldSpec& f : kFields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// Cuts a gsm_safe() text (one byte per character) to `n` characters.
std::string cut(std::string text, size_t n) {
  if (n != 0 && text.size() > n) text.resize(n);
  return text;
}

}  // namespace

const std::span<const ReplyId> kMayExceedOneSms = kMayExceed;

std::span<const FieldSpec> reply_fields() { return kFields; }

std::string_view reply_template(ReplyId id, Language language) {
  const ReplyTemplate& t = kReplies[static_cast<size_t>(id)];
  return language == Language::kEn ? t.text_en : t.text_id;
}

std::string_view reply_name(ReplyId id) { return kReplies[static_cast<size_t>(id)].name; }

Result<std::string> render(ReplyId id, Language language, std::span<const Field> fields) {
  const std::string_view text = reply_template(id, language);
  std::string out;
  out.reserve(text.size() + 64);
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find('{', i);
    if (open == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, open - i);
    const size_t close = text.find('}', open);
    if (close == std::string_view::npos) return Status::internal(fmt::format("{}: unclosed field", reply_name(id)));
    const std::string_view name = text.substr(open + 1, close - open - 1);
    const auto given = std::ranges::find_if(fields, [&](const Field& f) { return f.name == name; });
    if (given == fields.end()) {
      return Status::invalid_argument(fmt::format("{} needs the field {}", reply_name(id), name));
    }
    const FieldSpec* spec = find_field(name);
    out += cut(gsm_safe(given->value), spec == nullptr ? 0 : spec->truncate_to);
    i = close + 1;
  }
  return out;
}

Result<std::string> receipt_text(Language language, const store::TransactionRecord& t,
                                 const std::optional<store::VendDetail>& detail) {
  if (!t.token) return Status::failed_precondition(fmt::format("purchase {} has no token", t.txn_id));
  Charges charges;
  if (detail) {
    const store::VendDetail& d = *detail;
    charges = {.power_purchase = d.power_purchase_rupiah, .admin = d.admin_rupiah, .stamp_duty = d.stamp_duty_rupiah,
               .ppn = d.ppn_rupiah, .ppj = d.ppj_rupiah, .instalment = d.instalment_rupiah};
  }
  const Field fields[] = {{"token", format_token(*t.token)},      {"meter", t.meter_no},
                          {"kwh", format_kwh(t.energy_deci_kwh)}, {"amount", format_rupiah(t.amount_rupiah)},
                          {"charges", charges_text(language, charges)}, {"ref", t.reference.value_or("").substr(0, 16)}};
  return render(ReplyId::kTokenReceipt, language, fields);
}

std::string charges_text(Language language, const Charges& c) {
  const bool en = language == Language::kEn;
  struct Named {
    std::string_view id, en;
    int64_t value;
    bool always;
  };
  const Named charges[] = {
      {"stroom", "energy", c.power_purchase, true}, {"admin", "admin", c.admin, false},
      {"PPN", "VAT", c.ppn, false},                 {"PBJT", "PBJT", c.ppj, false},
      {"materai", "stamp", c.stamp_duty, false},    {"angsuran", "instalment", c.instalment, false},
  };
  std::string out;
  for (const Named& n : charges) {
    if (n.value == 0 && !n.always) continue;
    if (!out.empty()) out += ' ';
    out += fmt::format("{} {}", en ? n.en : n.id, format_rupiah(n.value));
  }
  return out;
}

std::string key_change_text(Language language, std::span<const std::string> tokens) {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out += i + 1 == tokens.size() ? (language == Language::kEn ? " then " : " lalu ") : ", ";
    out += format_token(tokens[i]);
  }
  return out;
}

std::string amounts_text(std::span<const int64_t> amounts) {
  std::string out;
  for (int64_t a : amounts) {
    if (!out.empty()) out += ", ";
    out += format_rupiah(a);
  }
  return out;
}

std::string_view command_example(Keyword keyword) {
  switch (keyword) {
    case Keyword::kBuy: return "TOKEN 12345678901 50000 123456";
    case Keyword::kConfirm: return "YA 123456";
    case Keyword::kInquiry: return "CEK 12345678901";
    case Keyword::kResend: return "ULANG 12345678901";
    case Keyword::kBalance: return "SALDO 12345678901";
    case Keyword::kChangePin: return "PIN 123456 654321";
    case Keyword::kLanguage: return "BAHASA EN";
    case Keyword::kHelp: return "BANTUAN";
  }
  return "BANTUAN";
}

}  // namespace pintar::engine
