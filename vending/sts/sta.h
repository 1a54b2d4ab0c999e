// EA07, the Standard Transfer Algorithm (IEC 62055-41 clause 6.5.4): a 64-bit block
// cipher of 16 rounds, each a key-selected nibble substitution (table S1 or S2 per
// nibble) followed by a 64-bit bit permutation P.
//
// The tables are not part of pintar: production tables are issued by the STS Association
// to its members and a deployment loads them from a file (StaTables::parse). The
// standard's SAMPLE tables are built in for tests and the demo; a token made with them is
// only accepted by a meter configured with the same sample tables, so whoever issues one
// must log a warning (kSampleTablesWarning).
//
// Speed: each table set precomputes, for every byte position and every choice of
// S-box for its two nibbles, the permuted 64-bit image of every byte value, so a round is
// 8 table loads ORed together; each StaCipher precomputes which tables its key selects
// in every round. StaTables and StaCipher are immutable once built and may be shared
// between threads.
#ifndef PINTAR_VENDING_STS_STA_H_
#define PINTAR_VENDING_STS_STA_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "common/status.h"

namespace pintar::sts {

inline constexpr std::string_view kSampleTablesWarning =
    "STS token issued with the IEC 62055-41 SAMPLE STA tables: only a test meter accepts it; load the operator's "
    "tables for production";

class StaTables {
 public:
  // The raw tables: S-boxes on nibbles and P[i] = output bit position of input bit i
  // (bit 0 = least significant).
  struct Definition {
    std::array<uint8_t, 16> s1;
    std::array<uint8_t, 16> s2;
    std::array<uint8_t, 64> p;
  };

  // The IEC 62055-41 sample tables (built once, never destroyed).
  static std::shared_ptr<const StaTables> sample();

  // Parses the operator's table file. Text, one table per line, '#' starts a comment:
  //   S1 = 16 comma-separated values 0..15
  //   S2 = 16 values 0..15
  //   P  = 64 values 0..63
  // Each must be a permutation. InvalidArgument naming the line and problem otherwise.
  static Result<std::shared_ptr<const StaTables>> parse(std::string_view text);

  // Validates a definition and precomputes its lookup tables.
  static Result<std::shared_ptr<const StaTables>> build(const Definition& definition, bool is_sample);

  bool is_sample() const { return is_sample_; }

  // For each of the 4 S-box choices of a byte's two nibbles (bit 0: low nibble uses S2,
  // bit 1: high nibble uses S2), byte position and byte value: the 64-bit result of
  // substituting that byte and permuting it.
  using RoundTable = std::array<std::array<std::array<uint64_t, 256>, 8>, 4>;

  const RoundTable& encrypt_round() const { return encrypt_round_; }
  // Inverse S-boxes then inverse permutation (the middle of decryption).
  const RoundTable& decrypt_round() const { return decrypt_round_; }
  // Inverse permutation alone (first step of decryption), indexed [byte position][value].
  const std::array<std::array<uint64_t, 256>, 8>& inverse_permutation() const { return inverse_permutation_; }
  // Inverse substitution alone (last step of decryption), indexed [choice][value].
  const std::array<std::array<uint8_t, 256>, 4>& inverse_substitution() const { return inverse_substitution_; }

  StaTables() = default;  // use build(); public for make_shared

 private:
  bool is_sample_ = false;
  RoundTable encrypt_round_;
  RoundTable decrypt_round_;
  std::array<std::array<uint64_t, 256>, 8> inverse_permutation_;
  std::array<std::array<uint8_t, 256>, 4> inverse_substitution_;
};

// One decoder key scheduled for one table set.
class StaCipher {
 public:
  StaCipher(std::shared_ptr<const StaTables> tables, uint64_t decoder_key);
  StaCipher(const StaCipher&) = default;
  StaCipher& operator=(const StaCipher&) = default;
  ~StaCipher();

  uint64_t encrypt(uint64_t block) const;
  uint64_t decrypt(uint64_t block) const;
  bool uses_sample_tables() const { return tables_->is_sample(); }

 private:
  static constexpr int kRounds = 16;
  std::shared_ptr<const StaTables> tables_;
  // S-box choice (0..3) of byte j in round r, at [r * 8 + j].
  std::array<uint8_t, kRounds * 8> choice_;
};

}  // namespace pintar::sts

#endif  // PINTAR_VENDING_STS_STA_H_
