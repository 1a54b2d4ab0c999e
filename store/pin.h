// PIN hashing: how a subscriber's purchase PIN is stored and checked.
//
// A PIN is stored as HMAC-SHA-256(PIN key, canonical(domain, MSISDN, meter, PIN)), with the
// fields length-prefixed as in chain.h. Why a keyed hash rather than a slow password hash:
// a 6-digit PIN has only 10^6 values, so anyone holding the database could try them all
// against even a deliberately slow hash (bcrypt, Argon2) in minutes; the salt-like MSISDN
// and meter only make that per-row. What protects the PINs is a key kept outside the
// database (systemd credential, HSM-backed file): without it the hashes are useless. And a
// slow hash on every purchase would cap the vending rate at a few hundred per second per
// core, for no gain. Binding the MSISDN and meter means equal PINs do not show as equal
// hashes. Checks compare in constant time.
//
// Thread-safe: const methods only.
#ifndef PINTAR_STORE_PIN_H_
#define PINTAR_STORE_PIN_H_

#include <string_view>

#include "common/crypto.h"
#include "common/secret.h"
#include "common/status.h"

namespace pintar::store {

inline constexpr size_t kPinDigits = 6;
inline constexpr size_t kMinPinKeyBytes = 32;

// True when `pin` is exactly kPinDigits ASCII digits.
bool is_valid_pin(std::string_view pin);

class PinHasher {
 public:
  // InvalidArgument when the key is shorter than kMinPinKeyBytes.
  static Result<PinHasher> create(Secret key);

  // The stored form of a PIN; InvalidArgument (without the PIN in the message) when the PIN
  // is not kPinDigits digits.
  Result<crypto::Sha256Digest> hash(std::string_view msisdn, std::string_view meter_no, std::string_view pin) const;
  // Whether `pin` is the PIN `stored` was made from; constant time in the PIN's value.
  bool matches(std::string_view msisdn, std::string_view meter_no, std::string_view pin,
               const crypto::Sha256Digest& stored) const;

 private:
  explicit PinHasher(Secret key) : key_(std::move(key)) {}
  Secret key_;
};

}  // namespace pintar::store

#endif  // PINTAR_STORE_PIN_H_
