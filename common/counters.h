// Counters: named event counts, declared as a table with a description per counter (the
// Osmocom rate_ctr idea), so that operators, `pintar stats`, /metrics and docs/metrics.md read
// the same list as the code.
//
//   enum GatewayCounter : size_t { kSubmitSm, kThrottled, kGatewayCounterCount };
//   constexpr size_t counter_count(GatewayCounter) { return kGatewayCounterCount; }  // found by ADL
//   inline constexpr CounterSpec kGatewayCounters[] = {
//       {"smpp.submit_sm", "submit_sm PDUs sent"},
//       {"smpp.throttled", "submit_sm answered with ESME_RTHROTTLED (0x58)"}};
//   Counters<GatewayCounter> counters(kGatewayCounters);  counters.add(kThrottled);
//
// The table must have exactly counter_count(E{}) entries (a compile error otherwise), and every
// name is "module.snake_case" (valid_counter_name; a compile error for a constexpr table, and
// checked for every table a daemon exports by the metrics tests).
//
// add() and value() are lock-free and may be called from any thread.
#ifndef PINTAR_COMMON_COUNTERS_H_
#define PINTAR_COMMON_COUNTERS_H_

#include <array>
#include <atomic>
#include <concepts>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace pintar {

struct CounterSpec {
  std::string_view name;
  std::string_view description;
};

// "module.snake_case": one dot between two runs of [a-z0-9_] that start with a letter.
constexpr bool valid_counter_name(std::string_view name) {
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos || name.find('.', dot + 1) != std::string_view::npos) return false;
  auto part_ok = [](std::string_view part) {
    if (part.empty() || part.front() < 'a' || part.front() > 'z' || part.back() == '_') return false;
    for (char c : part) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
  };
  return part_ok(name.substr(0, dot)) && part_ok(name.substr(dot + 1));
}

template <size_t N>
constexpr bool valid_counter_names(const CounterSpec (&specs)[N]) {
  for (const CounterSpec& spec : specs) {
    if (!valid_counter_name(spec.name)) return false;
  }
  return true;
}

// An enum whose counters are declared: counter_count(E{}) (found by argument-dependent lookup
// next to the enum) says how many it has.
template <typename E>
concept CounterEnum = std::is_enum_v<E> && requires(E e) {
  { counter_count(e) } -> std::convertible_to<size_t>;
};

// The untyped, read-only side of a set of counters: what exporters and logs read.
class CounterSet {
 public:
  std::span<const CounterSpec> specs() const { return specs_; }
  uint64_t value_at(size_t index) const { return values_[index].load(std::memory_order_relaxed); }
  // "name value" lines, one per counter, in declaration order.
  std::string to_text() const;

 protected:
  explicit CounterSet(std::span<const CounterSpec> specs)
      : specs_(specs), values_(std::make_unique<std::atomic<uint64_t>[]>(specs.size())) {}
  void add_at(size_t index, uint64_t n) { values_[index].fetch_add(n, std::memory_order_relaxed); }

 private:
  std::span<const CounterSpec> specs_;
  std::unique_ptr<std::atomic<uint64_t>[]> values_;
};

template <CounterEnum E>
class Counters : public CounterSet {
 public:
  static constexpr size_t kCount = counter_count(E{});

  // The table is referenced, not copied: it must outlive the counters (they are static tables).
  template <size_t N>
  explicit Counters(const CounterSpec (&specs)[N]) : CounterSet(std::span<const CounterSpec>(specs, N)) {
    static_assert(N == kCount, "the counter table needs exactly one entry per counter of the enum");
  }
  template <size_t N>
  explicit Counters(const std::array<CounterSpec, N>& specs) : CounterSet(specs) {
    static_assert(N == kCount, "the counter table needs exactly one entry per counter of the enum");
  }

  void add(E counter, uint64_t n = 1) { add_at(static_cast<size_t>(counter), n); }
  uint64_t value(E counter) const { return value_at(static_cast<size_t>(counter)); }
};

}  // namespace pintar

#endif  // PINTAR_COMMON_COUNTERS_H_
