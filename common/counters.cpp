#include "common/counters.h"

#include <fmt/format.h>

namespace pintar {

std::string CounterSet::to_text() const {
  std::string out;
  for (size_t i = 0; i < specs_.size(); ++i) out += fmt::format("{} {}\n", specs_[i].name, value_at(i));
  return out;
}

}  // namespace pintar
