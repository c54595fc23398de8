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

#include "wire/errors.h"

namespace simdjson::dom {
class element;
}

namespace ff::gateway {

struct Span {
  std::size_t offset = 0;
  std::size_t length = 0;
};

// The first top-level member of `root` named twice, or nullopt. The edits below
// assume each member is named once: with two, the gateway would read one and
// the upstream might take the other (most JSON parsers keep the last).
std::optional<std::string> repeated_member(const simdjson::dom::element& root);

// Where the value of the top-level member `key` is in `body` (the raw JSON text
// of the value, quotes included for a string), or nullopt when it is absent.
std::optional<Span> find_member(std::string_view body, std::string_view key);

// Where each element of the JSON array `array_json` is (offsets into it).
std::vector<Span> array_elements(std::string_view array_json);

// `body` with the top-level member `key` set to `json_value` (raw JSON):
// replaced in place when present, else added as the last member.
std::string set_member(std::string_view body, std::string_view key, std::string_view json_value);

// `body` with the member `key` added as the last one. Precondition: `body` has
// no top-level `key` (the caller knows from its parse); no search is made.
std::string add_member(std::string_view body, std::string_view key, std::string_view json_value);

// Applies the policy's reasoning effort (`none`, `low`, `high` or `max`) to
// `body`, whose parse is `root`, the way the DeepSeek API takes it in each
// protocol: on chat completions `reasoning_effort`, with `none` as
// `"thinking":{"type":"disabled"}`; on Anthropic Messages `output_config.effort`,
// `none` as thinking disabled; on the Responses API `reasoning.effort`, where
// `none` turns thinking off. A request that sets its own (`thinking`, or the
// protocol's effort member) is left as it is. Returns the effort the request carries as sent: the policy's, or the
// client's own (`none` for thinking disabled; `high`, the API's default, when
// the client turned thinking on without naming an effort). An empty
// `policy_effort` edits nothing: the client's own effort, or "" when it set none.
std::string apply_effort(std::string& body, const simdjson::dom::element& root, wire::Protocol protocol,
                         std::string_view policy_effort);

// Gives a request that names no user of its own `user_id` (validated by the
// caller: [A-Za-z0-9_-]+, so written as is): `user_id` on chat completions
// (and on the Responses API, which documents no field of its own for it [?]),
// `metadata.user_id` on Anthropic Messages, as the DeepSeek API takes them. A
// request that names one (or an empty `user_id`) keeps it. Returns whether the
// body was edited.
bool apply_user_id(std::string& body, const simdjson::dom::element& root, wire::Protocol protocol,
                   std::string_view user_id);

}  // namespace ff::gateway
