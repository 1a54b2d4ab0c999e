// MeterDecoder: what an STS meter does with a typed token (IEC 62055-41 clause 8 and the
// meter application process), for the meter simulator and for helpdesk diagnosis ("what
// would the meter say to this token?").
//
// It keeps the meter's state: its decoder key, key expiry number (KEN), the TID memory
// (the most recent accepted TIDs; a token whose TID is in it is USED, one below its
// smallest is OLD), credit registers, the power limits, and key-change sections until a
// set is complete. Not synchronised: one thread at a time.
#ifndef PINTAR_VENDING_STS_METER_H_
#define PINTAR_VENDING_STS_METER_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>

#include "common/status.h"
#include "vending/sts/token.h"

namespace pintar::sts {

// The meter's answer, named as the standard's error vocabulary.
enum class MeterResult : uint8_t {
  kAccepted,           // applied (credit added, limit set, test run, ...)
  kKeyChangePending,   // a key-change section was stored; the set is not complete yet
  kKeyChanged,         // the last section of a key-change set arrived: new key in use
  kFormatError,        // not 20 digits, or not a token number
  kAuthenticationError,  // CRC (or, for class 1, manufacturer code) does not match
  kOldError,           // TID below the smallest TID in memory
  kUsedError,          // TID already in memory
  kKeyExpiredError,    // TID's top 8 bits exceed the KEN
  kFunctionError,      // a valid token this meter does not support
};
std::string_view meter_result_name(MeterResult result);  // "Accepted", "OldError", ...

struct MeterConfig {
  DecoderKey key;                           // the meter's current decoder key (EA from its length)
  std::shared_ptr<const StaTables> tables;  // EA07 only
  uint8_t ken = 0xFF;                       // 0xFF: keys never expire
  uint8_t manufacturer_code = 0;            // class 1 tokens must carry it
  size_t tid_memory_size = 20;              // the standard sets no size; one firmware keeps 20
  uint32_t manufacture_tid = 0;             // meters leave the factory with this TID in memory
};

class MeterDecoder {
 public:
  static Result<MeterDecoder> create(MeterConfig config);

  struct Outcome {
    MeterResult result;
    std::optional<TokenData> data;  // decrypted token, when it authenticated
  };
  Outcome enter(std::string_view token_text);

  // Accumulated credit in tenths of the register's unit.
  uint64_t credit(CreditRegister reg) const { return credit_[static_cast<size_t>(reg)]; }
  std::optional<uint32_t> maximum_power_limit_watts() const { return maximum_power_limit_; }
  std::optional<uint32_t> maximum_phase_power_unbalance_limit_watts() const { return maximum_unbalance_limit_; }
  uint32_t tamper_clears() const { return tamper_clears_; }
  const std::set<uint32_t>& tid_memory() const { return tid_memory_; }
  uint8_t ken() const { return config_.ken; }
  uint8_t krn() const { return krn_; }
  const DecoderKey& key() const { return config_.key; }

 private:
  MeterDecoder(MeterConfig config, TokenCipher cipher);
  MeterResult check_tid(uint32_t tid) const;
  void remember_tid(uint32_t tid);
  MeterResult apply(const TokenData& data);
  MeterResult key_change_section(const TokenData& data);

  MeterConfig config_;
  TokenCipher cipher_;
  std::set<uint32_t> tid_memory_;
  std::array<uint64_t, 4> credit_{};
  std::optional<uint32_t> maximum_power_limit_;
  std::optional<uint32_t> maximum_unbalance_limit_;
  uint32_t tamper_clears_ = 0;
  uint8_t krn_ = 0;
  std::map<uint8_t, uint64_t> key_sections_;  // subclass -> DataBlock
};

}  // namespace pintar::sts

#endif  // PINTAR_VENDING_STS_METER_H_
