// The request stage: what the gateway reads from a chat request before it
// routes it. Each check that fails is a 400 `invalid_request_error` in the
// request's own protocol; the message says what to fix.
//   - the body is a JSON object;
//   - no member is named twice (upstream parsers keep the last, the gateway
//     would route and bill by the first);
//   - `model`, when present, is a string; `stream` a boolean or null;
//   - the `x-flashfirst-tier` header, when present, is `pro` or `flash`;
//   - a Responses API request reads as a chat request (what the router reads).
//
// The parsed values point into thread-local parsers: valid until the next call
// on the same thread, so read them before the request's first co_await.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <simdjson.h>

#include "wire/chat_view.h"
#include "wire/errors.h"

namespace ff::gateway {

struct ChatRequest {
  simdjson::dom::element root;  // the client's request
  // The request typed (wire/chat_view.h), as the router, the reasoning restore
  // and the cascade's terms read it: `root`, or a Responses request's chat form.
  wire::ChatView view;
  std::string chat_form;           // that chat form's JSON (empty for the other protocols)
  std::string requested = "auto";  // `model` as sent
  bool stream = false;
  std::string_view tier_header;  // "", "pro" or "flash" (a view of the header passed in)
  // The output cap the client's request names (wire::output_cap), 0 for none.
  std::int64_t max_tokens = 0;
};

struct RequestRefusal {
  std::string message;
  std::string code;  // invalid_request or invalid_tier
};

std::variant<ChatRequest, RequestRefusal> read_chat_request(const std::string& body, std::string_view tier_header,
                                                            wire::Protocol protocol);

}  // namespace ff::gateway
