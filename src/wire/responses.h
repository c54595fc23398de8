// The OpenAI Responses API (`POST /responses`) as DeepSeek serves it: stateless,
// with streams of typed events that end in response.completed / .incomplete /
// .failed and no `data: [DONE]` (reference/deepseek-api.md §1). What the gateway
// and the simulator share of it:
//
// responses_as_chat(): a Responses request as the Chat Completions request it
// stands for, so that the router, the simulator and `route train` read one shape.
//   - `instructions` becomes a system message; `input` (a string, or a list of
//     items) becomes `messages`: message items by role (`developer` counts as
//     `user`, as DeepSeek treats it); `function_call` items become the
//     assistant turn's `tool_calls`, with the `reasoning` item before them as
//     its `reasoning_content`; `function_call_output` items become tool messages.
//   - Function tools become chat tools (other tool types are left out);
//     `tool_choice` as chat writes it; `text.format` json_object becomes
//     `response_format`; `reasoning.effort` becomes `reasoning_effort` ("none":
//     thinking disabled); `max_output_tokens` becomes `max_tokens`; `model`,
//     `stream`, `temperature`, `top_p`, `user_id` and `metadata` as they are.
//   - A request that needs state the API does not keep (`previous_response_id`,
//     `conversation`, `background`, an `item_reference`), or that is malformed,
//     is an error that names the field.
//
// response_events(): the events that stream a whole Response object, in the
// order OpenAI's SDKs accumulate them: response.created, response.in_progress;
// per output item output_item.added, its parts and deltas, output_item.done;
// then the end event its status names. Each event is
// "event: <type>\ndata: <json>\n\n" with a rising `sequence_number`.
//
// Pure functions; any thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace simdjson::dom {
class element;
}

namespace ff::wire {

// The Chat Completions request (JSON text) that `request`, a parsed Responses
// request, stands for; or an error naming what is wrong or unsupported.
core::Result<std::string> responses_as_chat(const simdjson::dom::element& request);

struct ResponseEvent {
  std::string sse;    // the whole event, blank line included
  std::string delta;  // the text or arguments a delta event adds; "" for others
};

// How a text is cut into deltas (e.g. a few tokens each); one delta of the
// whole text when null.
using DeltaSplit = std::function<std::vector<std::string>(std::string_view text)>;

// The events that stream `response`, a parsed Response object (status, output
// items, usage). `flashfirst`, when not empty, is raw JSON added to the last
// event as the member "flashfirst" (the gateway's figures; clients ignore it).
std::vector<ResponseEvent> response_events(const simdjson::dom::element& response, const DeltaSplit& split,
                                           std::string_view flashfirst = {});

// Whether an event type ends a Responses stream (response.completed,
// response.incomplete, response.failed).
bool ends_response_stream(std::string_view event_type);

}  // namespace ff::wire
