// Small text helpers for messages a person reads. Pure; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ff::core {

// "1 tool", "2 tools", "0 tools": a count and its noun, plural by adding "s"
// unless `plural` names another form ("1 query", "2 queries").
inline std::string count_of(std::int64_t n, std::string_view singular, std::string_view plural = {}) {
  std::string out = std::to_string(n);
  out += ' ';
  if (n == 1) {
    out += singular;
  } else if (plural.empty()) {
    out.append(singular).push_back('s');
  } else {
    out += plural;
  }
  return out;
}

}  // namespace ff::core
