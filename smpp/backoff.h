// Reconnect delay: exponential from `min`, capped at `max`, with "equal jitter" (uniform in
// [d/2, d]) so that many binds of a restarted SMSC do not reconnect in step. Thread-safe if
// the random engine is not shared.
#ifndef PINTAR_SMPP_BACKOFF_H_
#define PINTAR_SMPP_BACKOFF_H_

#include <chrono>
#include <random>

namespace pintar::smpp {

std::chrono::milliseconds backoff_delay(int failures, std::chrono::milliseconds min, std::chrono::milliseconds max,
                                        std::minstd_rand& random);

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_BACKOFF_H_
