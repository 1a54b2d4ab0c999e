#include "vending/sts/sta.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/crypto.h"

namespace pintar::sts {
namespace {

// IEC 62055-41, the sample substitution and permutation tables of the STA worked example.
// Test and demo use only.
constexpr StaTables::Definition kSampleDefinition = {
    .s1 = {12, 10, 8, 4, 3, 15, 0, 2, 14, 1, 5, 13, 6, 9, 7, 11},
    .s2 = {6, 9, 7, 4, 3, 10, 12, 14, 2, 13, 1, 15, 0, 11, 8, 5},
    .p = {29, 27, 34, 9,  16, 62, 55, 2,  40, 49, 38, 25, 33, 61, 30, 23, 1,  41, 21, 57, 42, 15,
          5,  58, 19, 53, 22, 17, 48, 28, 24, 39, 3,  60, 36, 14, 11, 52, 54, 12, 31, 51, 10, 26,
          0,  45, 37, 43, 44, 6,  59, 4,  7,  35, 56, 50, 13, 18, 32, 47, 46, 63, 20, 8},
};

template <size_t N>
bool is_permutation(const std::array<uint8_t, N>& table) {
  std::array<bool, N> seen{};
  for (uint8_t v : table) {
    if (v >= N || seen[v]) return false;
    seen[v] = true;
  }
  return true;
}

template <size_t N>
std::array<uint8_t, N> inverse_of(const std::array<uint8_t, N>& table) {
  std::array<uint8_t, N> inverse{};
  for (size_t i = 0; i < N; ++i) inverse[table[i]] = static_cast<uint8_t>(i);
  return inverse;
}

// Moves input bit i to output bit p[i].
uint64_t permute(uint64_t x, const std::array<uint8_t, 64>& p) {
  uint64_t out = 0;
  for (int i = 0; i < 64; ++i) out |= (x >> i & 1) << p[i];
  return out;
}

// Substitutes both nibbles of a byte; choice bit 0 (low nibble) / bit 1 (high nibble)
// selects the second table.
uint8_t substitute(uint8_t byte, int choice, const std::array<uint8_t, 16>& first,
                   const std::array<uint8_t, 16>& second) {
  const uint8_t low = (choice & 1 ? second : first)[byte & 0xF];
  const uint8_t high = (choice & 2 ? second : first)[byte >> 4];
  return static_cast<uint8_t>(high << 4 | low);
}

Result<std::vector<uint8_t>> parse_values(std::string_view list, size_t line) {
  std::vector<uint8_t> values;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t end = list.find(',', pos);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = list.substr(pos, end - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t' || item.back() == '\r')) item.remove_suffix(1);
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc() || ptr != item.data() + item.size() || value > 255) {
      return Status::invalid_argument(fmt::format("line {}: value {} is not a small number", line, values.size() + 1));
    }
    values.push_back(static_cast<uint8_t>(value));
    pos = end + 1;
  }
  return values;
}

}  // namespace

std::shared_ptr<const StaTables> StaTables::sample() {
  static const std::shared_ptr<const StaTables> tables = build(kSampleDefinition, true).value();
  return tables;
}

Result<std::shared_ptr<const StaTables>> StaTables::parse(std::string_view text) {
  Definition definition{};
  bool have_s1 = false, have_s2 = false, have_p = false;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      return Status::invalid_argument(fmt::format("line {}: expected NAME = values", line_number));
    }
    std::string_view name = line.substr(0, equals);
    name.remove_prefix(std::min(name.find_first_not_of(" \t"), name.size()));
    name = name.substr(0, name.find_last_not_of(" \t") + 1);
    auto values = parse_values(line.substr(equals + 1), line_number);
    if (!values.ok()) return values.status();
    auto assign = [&](auto& table, bool& seen) -> Status {
      if (seen) return Status::invalid_argument(fmt::format("line {}: {} given twice", line_number, name));
      if (values->size() != table.size()) {
        return Status::invalid_argument(
            fmt::format("line {}: {} has {} values, not {}", line_number, name, values->size(), table.size()));
      }
      std::copy(values->begin(), values->end(), table.begin());
      seen = true;
      return Status::ok_status();
    };
    if (name == "S1") {
      PINTAR_RETURN_IF_ERROR(assign(definition.s1, have_s1));
    } else if (name == "S2") {
      PINTAR_RETURN_IF_ERROR(assign(definition.s2, have_s2));
    } else if (name == "P") {
      PINTAR_RETURN_IF_ERROR(assign(definition.p, have_p));
    } else {
      return Status::invalid_argument(fmt::format("line {}: unknown table (S1, S2 or P)", line_number));
    }
  }
  if (!have_s1 || !have_s2 || !have_p) return Status::invalid_argument("the STA table file needs S1, S2 and P");
  auto tables = build(definition, false);
  crypto::cleanse(std::span(reinterpret_cast<uint8_t*>(&definition), sizeof definition));
  return tables;
}

Result<std::shared_ptr<const StaTables>> StaTables::build(const Definition& d, bool is_sample) {
  if (!is_permutation(d.s1)) return Status::invalid_argument("S1 is not a permutation of 0..15");
  if (!is_permutation(d.s2)) return Status::invalid_argument("S2 is not a permutation of 0..15");
  if (!is_permutation(d.p)) return Status::invalid_argument("P is not a permutation of 0..63");
  const auto s1_inverse = inverse_of(d.s1);
  const auto s2_inverse = inverse_of(d.s2);
  const auto p_inverse = inverse_of(d.p);

  auto tables = std::make_shared<StaTables>();
  tables->is_sample_ = is_sample;
  for (int choice = 0; choice < 4; ++choice) {
    for (int value = 0; value < 256; ++value) {
      const auto byte = static_cast<uint8_t>(value);
      const uint8_t forward = substitute(byte, choice, d.s1, d.s2);
      const uint8_t backward = substitute(byte, choice, s1_inverse, s2_inverse);
      tables->inverse_substitution_[choice][value] = backward;
      for (int j = 0; j < 8; ++j) {
        tables->encrypt_round_[choice][j][value] = permute(uint64_t{forward} << (8 * j), d.p);
        tables->decrypt_round_[choice][j][value] = permute(uint64_t{backward} << (8 * j), p_inverse);
      }
    }
  }
  for (int j = 0; j < 8; ++j) {
    for (int value = 0; value < 256; ++value) {
      tables->inverse_permutation_[j][value] = permute(uint64_t(value) << (8 * j), p_inverse);
    }
  }
  return std::shared_ptr<const StaTables>(std::move(tables));
}

StaCipher::StaCipher(std::shared_ptr<const StaTables> tables, uint64_t decoder_key) : tables_(std::move(tables)) {
  // Key alignment: the complemented key rotated right by 12; then one bit left per round.
  // Nibble n is substituted with S2 when bit 4n+3 of the round key is 1.
  uint64_t round_key = std::rotr(~decoder_key, 12);
  for (int r = 0; r < kRounds; ++r) {
    for (int j = 0; j < 8; ++j) {
      const auto low = static_cast<uint8_t>(round_key >> (8 * j + 3) & 1);
      const auto high = static_cast<uint8_t>(round_key >> (8 * j + 7) & 1);
      choice_[r * 8 + j] = static_cast<uint8_t>(high << 1 | low);
    }
    round_key = std::rotl(round_key, 1);
  }
}

StaCipher::~StaCipher() { crypto::cleanse(choice_); }

uint64_t StaCipher::encrypt(uint64_t block) const {
  const StaTables::RoundTable& round = tables_->encrypt_round();
  const uint8_t* choice = choice_.data();
  for (int r = 0; r < kRounds; ++r, choice += 8) {
    uint64_t next = 0;
    for (int j = 0; j < 8; ++j) next |= round[choice[j]][j][block >> (8 * j) & 0xFF];
    block = next;
  }
  return block;
}

uint64_t StaCipher::decrypt(uint64_t block) const {
  // Encryption is S(r) then P for r = 0..15; undoing it is P^-1, then S^-1(r) and P^-1 for
  // r = 15..1, then S^-1(0).
  uint64_t next = 0;
  for (int j = 0; j < 8; ++j) next |= tables_->inverse_permutation()[j][block >> (8 * j) & 0xFF];
  block = next;
  const StaTables::RoundTable& round = tables_->decrypt_round();
  for (int r = kRounds - 1; r >= 1; --r) {
    const uint8_t* choice = choice_.data() + r * 8;
    next = 0;
    for (int j = 0; j < 8; ++j) next |= round[choice[j]][j][block >> (8 * j) & 0xFF];
    block = next;
  }
  next = 0;
  for (int j = 0; j < 8; ++j) {
    next |= uint64_t{tables_->inverse_substitution()[choice_[j]][block >> (8 * j) & 0xFF]} << (8 * j);
  }
  return next;
}

}  // namespace pintar::sts
