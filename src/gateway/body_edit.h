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

// Edits of one request body, gathered and then applied in one pass over the
// client's bytes: the body is copied once however many edits a request needs.
// The top-level members are read only as far as a lookup needs (a request's
// `model` usually comes first), and at most once.
// Preconditions as above; `body` must outlive the edits.
class BodyEdits {
 public:
  explicit BodyEdits(std::string_view body) : body_(body) {}

  // Where the value of the top-level member `key` is, or nullopt when absent.
  std::optional<Span> find(std::string_view key);
  // Sets the top-level member `key` to `json_value` (raw JSON): replaced in
  // place when present, else added as the last member. Setting a key again
  // replaces the earlier setting.
  void set(std::string_view key, std::string json_value);
  // Adds the member `key`, which the body does not have (the caller knows from
  // its parse): no lookup is made.
  void add(std::string_view key, std::string json_value);
  // Replaces the bytes at `span` of the body with `text`. Replaced spans must
  // not overlap unless equal (the later replacement wins).
  void replace(Span span, std::string text);

  // The body with every edit applied.
  std::string apply() const;
  std::string_view body() const { return body_; }

 private:
  struct Member {
    Span key;  // quotes included
    Span value;
  };
  std::string_view body_;
  std::vector<Member> members_;  // read so far, in order
  std::size_t scanned_ = 0;      // where reading the members stopped (0: not started)
  bool scan_done_ = false;
  std::vector<std::pair<Span, std::string>> replaced_;      // in body order
  std::vector<std::pair<std::string, std::string>> added_;  // key, raw JSON value
};

// Sets the top-level member `key` of the body of `edits`, whose parse is `root`:
// added without a lookup when the parse has no such member.
void put_member(BodyEdits& edits, const simdjson::dom::element& root, std::string_view key, std::string json_value);

// Applies the policy's reasoning effort (`none`, `low`, `high` or `max`) to
// the body of `edits`, whose parse is `root`, the way the DeepSeek API takes it in each
// protocol: on chat completions `reasoning_effort`, with `none` as
// `"thinking":{"type":"disabled"}`; on Anthropic Messages `output_config.effort`,
// `none` as thinking disabled; on the Responses API `reasoning.effort`, where
// `none` turns thinking off. A request that sets its own (`thinking`, or the
// protocol's effort member) is left as it is. Returns the effort the request carries as sent: the policy's, or the
// client's own (`none` for thinking disabled; `high`, the API's default, when
// the client turned thinking on without naming an effort). An empty
// `policy_effort` edits nothing: the client's own effort, or "" when it set none.
std::string apply_effort(BodyEdits& edits, const simdjson::dom::element& root, wire::Protocol protocol,
                         std::string_view policy_effort);

// Gives a request that names no user of its own `user_id` (validated by the
// caller: [A-Za-z0-9_-]+, so written as is): `user_id` on chat completions
// (and on the Responses API, which documents no field of its own for it [?]),
// `metadata.user_id` on Anthropic Messages, as the DeepSeek API takes them. A
// request that names one (or an empty `user_id`) keeps it. Returns whether the
// body was edited.
bool apply_user_id(BodyEdits& edits, const simdjson::dom::element& root, wire::Protocol protocol,
                   std::string_view user_id);

}  // namespace ff::gateway
