#include "cli/sts_cli.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/output.h"
#include "common/crypto.h"
#include "common/exit_codes.h"
#include "common/hex.h"
#include "vending/sts/token.h"
#include "vending/sts/token_meaning.h"

namespace pintar::sts {
namespace {

[[noreturn]] void usage(std::string_view message) { cli::fail(exit_code::kUsage, message); }

template <typename T>
T or_usage(Result<T> result, std::string_view option) {
  if (!result.ok()) usage(fmt::format("{}: {}", option, result.status().message()));
  return std::move(result).value();
}

const std::string& required(const std::string& text, std::string_view option) {
  if (text.empty()) usage(fmt::format("{} is required", option));
  return text;
}

// A decimal number of 1..max_digits digits, at most `max`.
uint32_t decimal(const std::string& text, std::string_view option, uint32_t max, size_t max_digits = 8) {
  required(text, option);
  if (text.size() > max_digits || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    usage(fmt::format("{} takes a decimal number of at most {} digits", option, max_digits));
  }
  const auto value = static_cast<uint32_t>(std::stoul(text));
  if (value > max) usage(fmt::format("{} is at most {}", option, max));
  return value;
}

// A hexadecimal number of 1..max_digits digits.
uint32_t hexadecimal(const std::string& text, std::string_view option, size_t max_digits) {
  required(text, option);
  if (text.size() > max_digits || !std::all_of(text.begin(), text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; })) {
    usage(fmt::format("{} takes at most {} hexadecimal digits", option, max_digits));
  }
  return static_cast<uint32_t>(std::stoul(text, nullptr, 16));
}

uint32_t six_digit_sgc(const std::string& text) {
  if (text.size() != 6) usage("--sgc takes the 6-digit supply group code");
  return decimal(text, "--sgc", 999'999, 6);
}

DecoderKey decoder_key(EncryptionAlgorithm ea, const std::string& hex, std::string_view option) {
  return or_usage(DecoderKey::from_hex(ea, required(hex, option)), option);
}

// "sample" (or nothing) is the built-in IEC sample set; anything else is a table file.
std::shared_ptr<const StaTables> tables_for(EncryptionAlgorithm ea, const std::string& spec) {
  if (ea != EncryptionAlgorithm::kEa07) return nullptr;
  if (spec.empty() || spec == "sample") return StaTables::sample();
  std::error_code error;
  if (!std::filesystem::is_regular_file(spec, error)) usage(fmt::format("--tables: {} is not a readable file", spec));
  std::ifstream in(spec, std::ios::binary);
  if (!in) usage(fmt::format("--tables: cannot read {}", spec));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return or_usage(StaTables::parse(text), fmt::format("--tables {}", spec));
}

TokenCipher cipher_for(EncryptionAlgorithm ea, const std::string& dk_hex, std::string_view option,
                       const std::string& tables) {
  return or_usage(TokenCipher::create(decoder_key(ea, dk_hex, option), tables_for(ea, tables)), option);
}

// Whoever issues a token made with the sample tables says so (see sta.h).
void warn_if_sample(const cli::Context& context, const TokenCipher& cipher) {
  if (!cipher.uses_sample_tables()) return;
  context.load_config();  // logging to stderr, as configured
  spdlog::warn("{}", kSampleTablesWarning);
}

struct DkOptions {
  std::string dkga, vk, pan, kt, sgc, ti, krn, bd = "93", ea = "07";
};

void add_dk(CLI::App& sts) {
  auto o = std::make_shared<DkOptions>();
  CLI::App* dk = sts.add_subcommand("dk", "Derive a meter's decoder key (DKGA02 or DKGA04); prints it in hex");
  dk->add_option("--dkga", o->dkga, "02 (DES) or 04 (HMAC-SHA-256)");
  dk->add_option("--vk", o->vk, "vending key, hex (8 bytes for 02, 20 bytes for 04)");
  dk->add_option("--pan", o->pan, "18-digit meter PAN");
  dk->add_option("--kt", o->kt, "key type 0..3");
  dk->add_option("--sgc", o->sgc, "6-digit supply group code");
  dk->add_option("--ti", o->ti, "tariff index 00..99");
  dk->add_option("--krn", o->krn, "key revision number 1..9");
  dk->add_option("--bd", o->bd, "base date 93, 14 or 35 (DKGA04; default 93)");
  dk->add_option("--ea", o->ea, "07 (STA) or 11 (MISTY1) (default 07)");
  dk->callback([o] {
    const KeyDerivation dkga = or_usage(parse_key_derivation(required(o->dkga, "--dkga")), "--dkga");
    std::vector<uint8_t> vk_bytes = or_usage(hex_decode(required(o->vk, "--vk")), "--vk");
    const VendingKey vk = or_usage(VendingKey::import(dkga, vk_bytes), "--vk");
    crypto::cleanse(vk_bytes);
    KeyParameters params{.pan = required(o->pan, "--pan"),
                         .key_type = static_cast<uint8_t>(decimal(o->kt, "--kt", 3, 1)),
                         .sgc = six_digit_sgc(required(o->sgc, "--sgc")),
                         .tariff_index = static_cast<uint8_t>(decimal(o->ti, "--ti", 99, 2)),
                         .krn = static_cast<uint8_t>(decimal(o->krn, "--krn", 9, 1)),
                         .base_date = or_usage(parse_base_date(o->bd), "--bd"),
                         .ea = or_usage(parse_encryption_algorithm(o->ea), "--ea")};
    const DecoderKey key = or_usage(derive_decoder_key(vk, params), "sts dk");
    fmt::print("{}\n", key.to_hex());
  });
}

struct TokenOptions {
  std::string ea, dk, token_class, sub, rnd, tid, time, bd = "93", field, tables;
};

void add_token(CLI::App& sts, const cli::Context& context) {
  auto o = std::make_shared<TokenOptions>();
  CLI::App* token = sts.add_subcommand("token", "Make one token from its fields; prints the 20 digits");
  token->add_option("--ea", o->ea, "07 (STA) or 11 (MISTY1)");
  token->add_option("--dk", o->dk, "decoder key, hex (not needed for class 1)");
  token->add_option("--class", o->token_class, "token class 0..2");
  token->add_option("--sub", o->sub, "subclass 0..15");
  token->add_option("--rnd", o->rnd, "RND 0..15");
  token->add_option("--tid", o->tid, "token identifier 0..16777215");
  token->add_option("--time", o->time, "issue time YYYY-MM-DDTHH:MMZ (instead of --tid)");
  token->add_option("--bd", o->bd, "base date 93, 14 or 35 for --time (default 93)");
  token->add_option("--field", o->field, "the 16-bit field, hex (amount, register, limit, ...)");
  token->add_option("--tables", o->tables, "STA tables: sample (default) or a table file (EA07)");
  token->callback([o, &context] {
    const EncryptionAlgorithm ea = or_usage(parse_encryption_algorithm(required(o->ea, "--ea")), "--ea");
    const auto token_class = static_cast<uint8_t>(decimal(o->token_class, "--class", 2, 1));
    if (o->tid.empty() == o->time.empty()) usage("give either --tid or --time");
    const uint32_t tid = o->tid.empty()
                             ? or_usage(tid_from_time(or_usage(parse_utc_minute(o->time), "--time"),
                                                      or_usage(parse_base_date(o->bd), "--bd")),
                                        "--time")
                             : decimal(o->tid, "--tid", kMaxTid);
    const TokenFields fields{.subclass = static_cast<uint8_t>(decimal(o->sub, "--sub", 15, 2)),
                             .rnd = static_cast<uint8_t>(decimal(o->rnd, "--rnd", 15, 2)),
                             .tid = tid,
                             .field = static_cast<uint16_t>(hexadecimal(o->field, "--field", 4))};
    const TokenData data = or_usage(token_from_fields(token_class, fields), "sts token");
    if (token_class == kClassTest) {
      fmt::print("{}\n", to_string(encode_clear_token(data)));
      return;
    }
    const TokenCipher cipher = cipher_for(ea, o->dk, "--dk", o->tables);
    const TokenNumber number = encode_token(cipher, data);
    warn_if_sample(context, cipher);
    fmt::print("{}\n", to_string(number));
  });
}

struct KctOptions {
  std::string ea, old_dk, new_dk, kt, krn, ti, ken, ro, sgc, tables;
};

void add_kct(CLI::App& sts, const cli::Context& context) {
  auto o = std::make_shared<KctOptions>();
  CLI::App* kct = sts.add_subcommand("kct", "Make the key-change token set for a new decoder key; one token a line");
  kct->add_option("--ea", o->ea, "07 (STA, 2 tokens) or 11 (MISTY1, 4 tokens)");
  kct->add_option("--old-dk", o->old_dk, "the meter's current decoder key, hex (encrypts the set)");
  kct->add_option("--new-dk", o->new_dk, "the new decoder key, hex");
  kct->add_option("--kt", o->kt, "new key type 0..3");
  kct->add_option("--krn", o->krn, "new key revision number 1..9");
  kct->add_option("--ti", o->ti, "new tariff index 00..99");
  kct->add_option("--ken", o->ken, "key expiry number, 2 hex digits (FF: never)");
  kct->add_option("--ro", o->ro, "rollover 0|1 (1: the meter clears its TID memory)");
  kct->add_option("--sgc", o->sgc, "6-digit supply group code (required for EA11)");
  kct->add_option("--tables", o->tables, "STA tables: sample (default) or a table file (EA07)");
  kct->callback([o, &context] {
    const EncryptionAlgorithm ea = or_usage(parse_encryption_algorithm(required(o->ea, "--ea")), "--ea");
    const DecoderKey new_key = decoder_key(ea, o->new_dk, "--new-dk");
    if (o->ro != "0" && o->ro != "1") usage("--ro is 0 or 1");
    if (ea == EncryptionAlgorithm::kEa11) required(o->sgc, "--sgc (EA11)");
    const NewKeySettings settings{.key_type = static_cast<uint8_t>(decimal(o->kt, "--kt", 3, 1)),
                                  .krn = static_cast<uint8_t>(decimal(o->krn, "--krn", 9, 1)),
                                  .tariff_index = static_cast<uint8_t>(decimal(o->ti, "--ti", 99, 2)),
                                  .ken = static_cast<uint8_t>(hexadecimal(o->ken, "--ken", 2)),
                                  .rollover = o->ro == "1",
                                  .sgc = o->sgc.empty() ? 0 : six_digit_sgc(o->sgc)};
    const auto set = or_usage(key_change_tokens(new_key, settings), "sts kct");
    const TokenCipher cipher = cipher_for(ea, o->old_dk, "--old-dk", o->tables);
    std::string out;
    for (const TokenData& data : set) out += to_string(encode_token(cipher, data)) + "\n";
    warn_if_sample(context, cipher);
    fmt::print("{}", out);
  });
}

struct DecodeOptions {
  std::string ea, dk, tables, token, format = "text";
};

void add_decode(CLI::App& sts) {
  auto o = std::make_shared<DecodeOptions>();
  CLI::App* decode = sts.add_subcommand("decode", "Decrypt and explain a token (--format json for scripts)");
  decode->add_option("--ea", o->ea, "07 (STA) or 11 (MISTY1)");
  decode->add_option("--dk", o->dk, "the meter's decoder key, hex");
  decode->add_option("--tables", o->tables, "STA tables: sample (default) or a table file (EA07)");
  decode->add_option("TOKEN", o->token, "the 20 digits (dashes and spaces allowed)");
  cli::add_format_option(*decode, o->format);
  decode->callback([o] {
    const EncryptionAlgorithm ea = or_usage(parse_encryption_algorithm(required(o->ea, "--ea")), "--ea");
    const TokenNumber number = or_usage(parse_token_number(required(o->token, "TOKEN")), "TOKEN");
    const TokenCipher cipher = cipher_for(ea, o->dk, "--dk", o->tables);
    cli::print_as(o->format, decode_report(decode_token(cipher, number)));
  });
}

}  // namespace

void add_sts_commands(CLI::App& app, const cli::Context& context) {
  CLI::App* sts = app.add_subcommand("sts", "STS (IEC 62055-41) tokens: decoder keys, tokens, key changes, decoding");
  sts->require_subcommand(1);
  add_dk(*sts);
  add_token(*sts, context);
  add_kct(*sts, context);
  add_decode(*sts);
}

}  // namespace pintar::sts
