#include "common/counters.h"

#include <fmt/format.h>

namespace pintar {

std::string Counters::to_text() const {
  std::string out;
  for (size_t i = 0; i < specs_.size(); ++i) out += fmt::format("{} {}\n", specs_[i].name, value(i));
  return out;
}

}  // namespace pintar
