#include "store/pin.h"

#include <algorithm>

#include <fmt/format.h>

#include "store/chain.h"

namespace pintar::store {

bool is_valid_pin(std::string_view pin) {
  return pin.size() == kPinDigits && std::ranges::all_of(pin, [](char c) { return c >= '0' && c <= '9'; });
}

Result<PinHasher> PinHasher::create(Secret key) {
  if (key.size() < kMinPinKeyBytes) {
    return Status::invalid_argument(
        fmt::format("the PIN key has {} bytes; at least {} are needed", key.size(), kMinPinKeyBytes));
  }
  return PinHasher(std::move(key));
}

Result<crypto::Sha256Digest> PinHasher::hash(std::string_view msisdn, std::string_view meter_no,
                                             std::string_view pin) const {
  if (!is_valid_pin(pin)) return Status::invalid_argument(fmt::format("a PIN must be {} digits", kPinDigits));
  CanonicalRow message;
  message.add(std::string_view("pintar.pin.v1")).add(msisdn).add(meter_no).add(pin);
  std::string bytes = std::move(message).release();
  const crypto::Sha256Digest digest = crypto::hmac_sha256(key_.bytes(), crypto::as_bytes(bytes));
  crypto::cleanse({reinterpret_cast<uint8_t*>(bytes.data()), bytes.size()});
  return digest;
}

bool PinHasher::matches(std::string_view msisdn, std::string_view meter_no, std::string_view pin,
                        const crypto::Sha256Digest& stored) const {
  auto computed = hash(msisdn, meter_no, pin);
  return computed.ok() && crypto::constant_time_equal(*computed, stored);
}

}  // namespace pintar::store
