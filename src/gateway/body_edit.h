// Edits of a request body that keep every other byte as the client sent it:
// the gateway changes `model` (and asks streams for their usage) and forwards
// the rest untouched.
//
// Preconditions: `body` is valid JSON with an object at the top (the caller has
// parsed it). Pure functions; any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ff::gateway {

struct Span {
  std::size_t offset = 0;
  std::size_t length = 0;
};

// Where the value of the top-level member `key` is in `body` (the raw JSON text
// of the value, quotes included for a string), or nullopt when it is absent.
std::optional<Span> find_member(std::string_view body, std::string_view key);

// Where each element of the JSON array `array_json` is (offsets into it).
std::vector<Span> array_elements(std::string_view array_json);

// `body` with the top-level member `key` set to `json_value` (raw JSON):
// replaced in place when present, else added as the last member.
std::string set_member(std::string_view body, std::string_view key, std::string_view json_value);

}  // namespace ff::gateway
