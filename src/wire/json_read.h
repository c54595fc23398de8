// Small readers of a parsed JSON value that the wire formats share (internal
// to the wire module's sources).
#pragma once

#include <string_view>

#include <simdjson.h>

namespace ff::wire {

// A member that is there and is not null.
inline bool present(const simdjson::simdjson_result<simdjson::dom::element>& e) {
  return e.error() == simdjson::SUCCESS && !e.is_null();
}

// A member's string value, or "" when it is absent or of another type.
inline std::string_view string_or_empty(simdjson::simdjson_result<simdjson::dom::element> e) {
  std::string_view v;
  return e.get_string().get(v) ? std::string_view() : v;
}

}  // namespace ff::wire
