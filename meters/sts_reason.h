// What a modem answers for the STS meter's verdict on a token (docs/modem-protocol.md, the
// reasons table): the one mapping the meter-fleet simulator and a real modem's firmware
// follow, so that the engine reads REJ reasons as the meter meant them. Pure, thread-safe.
#ifndef PINTAR_METERS_STS_REASON_H_
#define PINTAR_METERS_STS_REASON_H_

#include <optional>

#include "meters/modem_protocol.h"
#include "vending/sts/meter.h"

namespace pintar::meters {

// nullopt for the results that mean the token was applied (Accepted, KeyChangePending,
// KeyChanged): the answer is ACC. Otherwise the REJ reason.
std::optional<MeterReason> reason_for(sts::MeterResult result);

}  // namespace pintar::meters

#endif  // PINTAR_METERS_STS_REASON_H_
