// Counters: named event counts, declared as a table with a description per counter (the
// Osmocom rate_ctr idea), so that operators and docs/ read the same list as the code.
//
//   enum GatewayCounter : size_t { kSubmitSm, kThrottled, kGatewayCounterCount };
//   constexpr CounterSpec kGatewayCounters[] = {
//       {"smpp.submit_sm", "submit_sm PDUs sent"},
//       {"smpp.throttled", "submit_sm answered with ESME_RTHROTTLED (0x58)"}};
//   Counters counters(kGatewayCounters);  counters.add(kThrottled);
//
// add() and value() are lock-free and may be called from any thread.
#ifndef PINTAR_COMMON_COUNTERS_H_
#define PINTAR_COMMON_COUNTERS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace pintar {

struct CounterSpec {
  std::string_view name;
  std::string_view description;
};

class Counters {
 public:
  explicit Counters(std::span<const CounterSpec> specs)
      : specs_(specs), values_(std::make_unique<std::atomic<uint64_t>[]>(specs.size())) {}

  void add(size_t index, uint64_t n = 1) { values_[index].fetch_add(n, std::memory_order_relaxed); }
  uint64_t value(size_t index) const { return values_[index].load(std::memory_order_relaxed); }
  std::span<const CounterSpec> specs() const { return specs_; }

  // "name value" lines, one per counter, in declaration order.
  std::string to_text() const;

 private:
  std::span<const CounterSpec> specs_;
  std::unique_ptr<std::atomic<uint64_t>[]> values_;
};

}  // namespace pintar

#endif  // PINTAR_COMMON_COUNTERS_H_
