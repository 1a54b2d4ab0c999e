// The 16-bit TransferAmount encoding (IEC 62055-41 clause 6.3.6): a 2-bit decimal exponent
// e and a 14-bit mantissa m, value = m * 10^e + offset(e). Used for credit in base units
// (0.1 kWh for electricity, 0.1 m3 for water and gas, 0.1 min for time) and, in watts,
// for the power limits of class 2. Integers only. Pure functions, thread-safe.
#ifndef PINTAR_VENDING_STS_AMOUNT_H_
#define PINTAR_VENDING_STS_AMOUNT_H_

#include <cstdint>

#include "common/status.h"

namespace pintar::sts {

// The largest encodable value: m = 16383, e = 3.
inline constexpr uint32_t kMaxTransferAmount = 18'201'624;

// Encodes `units` with the smallest exponent that holds it, rounding the mantissa up: a
// conversion never gives the customer less than was paid for. A value that falls in the
// gap above one exponent's range is rounded up to the start of the next. InvalidArgument
// above kMaxTransferAmount.
Result<uint16_t> encode_amount(uint64_t units);

// The exact value an encoded amount stands for.
uint32_t decode_amount(uint16_t field);

}  // namespace pintar::sts

#endif  // PINTAR_VENDING_STS_AMOUNT_H_
