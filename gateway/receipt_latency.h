// ReceiptLatency: for one SMSC, the time from a submit_sm_resp (the message id the SMSC gave
// the MT) to the final delivery receipt for that id, observed into a histogram
// (gateway.submit_to_receipt).
//
// Bounded: it remembers the ids of the last `capacity` submits; an older one is forgotten (a
// receipt for it then is simply not measured), so MTs whose receipt never comes cost no
// memory for ever. An id given again (SMSCs reuse them) is measured from its newest submit. Intermediate
// receipts (ENROUTE, ACCEPTED) are not the end: the id waits for its final one.
//
// Thread-safe: sessions report submits and receipts from their own threads.
#ifndef PINTAR_GATEWAY_RECEIPT_LATENCY_H_
#define PINTAR_GATEWAY_RECEIPT_LATENCY_H_

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/clock.h"
#include "common/histogram.h"

namespace pintar::gateway {

inline constexpr HistogramSpec kSubmitToReceiptHistogram{
    "gateway.submit_to_receipt", "submit_sm_resp with a message id -> the final delivery receipt for it, per SMSC"};

class ReceiptLatency {
 public:
  // `histogram` must outlive this object.
  ReceiptLatency(size_t capacity, Histogram& histogram) : capacity_(capacity), histogram_(histogram) {}

  void submitted(std::string_view message_id, Clock::SteadyTime at);
  // True when the receipt was final and its submit remembered: observed, and forgotten.
  bool receipt(std::string_view message_id, bool is_final, Clock::SteadyTime at);
  size_t remembered() const;

 private:
  struct Submit {
    Clock::SteadyTime at;
    uint64_t serial;
  };
  const size_t capacity_;
  Histogram& histogram_;
  mutable std::mutex mutex_;
  uint64_t next_serial_ = 0;
  std::unordered_map<std::string, Submit> by_id_;
  std::deque<std::pair<uint64_t, std::string>> order_;  // (serial, id) of each submit, oldest first
};

}  // namespace pintar::gateway

#endif  // PINTAR_GATEWAY_RECEIPT_LATENCY_H_
