// A whole answer as the stream its client asked for: what the gateway sends
// when it asked the upstream for the whole answer to check it first (a
// `buffer_streams` category), so that the client still reads a stream.
//
// completion_as_stream(): a chat.completion as chat.completion.chunk events:
// the role chunk, then per choice its reasoning, content and tool calls as one
// delta each, then the finish reasons with the usage, then `data: [DONE]`.
// response_as_stream(): a Response object as its typed events
// (wire/responses.h, one delta per text).
// Both put `flashfirst` (raw JSON: the gateway's figures) on the event that
// carries the usage, and give nullopt for an answer that is not of their shape.
//
// Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ff::wire {

std::optional<std::string> completion_as_stream(std::string_view answer, std::string_view flashfirst);
std::optional<std::string> response_as_stream(std::string_view answer, std::string_view flashfirst);

}  // namespace ff::wire
