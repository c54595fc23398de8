// The cascade's check of a Flash answer: does it demonstrably fail, so that the
// request should be asked again on Pro?
//
// An answer fails when it was refused (finish_reason `content_filter`,
// `insufficient_system_resource`) or cut short of what the client allowed
// (`length` when the request sets no `max_tokens`/`max_completion_tokens`/
// `max_output_tokens`: a cut
// at the client's own cap is the answer it asked for, passed as it is, since Pro
// would stop at the same cap), is empty (no content and
// no tool call), is not a JSON object under `response_format: json_object`, or
// calls a tool the request did not define or with arguments that break that
// tool's JSON schema (type, required, properties, items, enum — the subset
// function schemas use). A failure names its reason, for the ledger and the
// response headers.
//
// Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace simdjson::dom {
class element;
}
namespace ff::wire {
class ChatView;
struct ChoiceView;
}

namespace ff::cascade {

// What an answer is checked against, read once from the request it answers, as
// the client sent it (its caps are the client's): the caller parses the request
// once, before the call, and the check reads only these.
struct Terms {
  bool capped = false;       // a positive max_tokens, max_completion_tokens or max_output_tokens
  bool json_object = false;  // response_format (Responses: text.format) of type json_object
  struct Tool {
    std::string name;
    std::string schema;  // the parameters / input_schema object as JSON text; "" for none
  };
  std::vector<Tool> tools;
};

// The terms of a request as the gateway reads it (a Responses request in its
// chat form), and of a Chat Completions, Anthropic Messages or Responses
// request (the document's root).
Terms terms_of(const wire::ChatView& request);
Terms chat_terms(const simdjson::dom::element& request);
Terms messages_terms(const simdjson::dom::element& request);
Terms responses_terms(const simdjson::dom::element& request);

// Why `response` (a chat completion, parsed) fails `terms`, or nullopt when it
// passes. A response that is not a chat completion at all is a failure too ("not
// a chat completion").
std::optional<std::string> check_answer(const Terms& terms, const simdjson::dom::element& response);
// The same check of a chat completion's first choice as wire::ChoiceView reads
// it (wire/chat_completion.h), all of it but the tool calls: a choice with
// calls (has_calls) that passes still needs check_answer().
std::optional<std::string> check_choice(const Terms& terms, const wire::ChoiceView& choice);
// The same, from JSON texts: `request_body` is read for its terms first (an
// unreadable request has none: a cut is then uncapped, a tool call undefined).
std::optional<std::string> check_answer(std::string_view request_body, std::string_view response_body);
std::optional<std::string> check_answer(std::string_view request_body, const simdjson::dom::element& response);

// The same check of an Anthropic Messages answer (`/v1/messages`): stop_reason
// `max_tokens` or `refusal`; no text and no tool_use block; a tool_use naming a
// tool the request did not define, or whose input breaks its `input_schema`. A
// response that is not a message is "not a message".
std::optional<std::string> check_anthropic_answer(const Terms& terms, const simdjson::dom::element& response);
std::optional<std::string> check_anthropic_answer(std::string_view request_body, std::string_view response_body);

// The same check of a Responses API answer (`/responses`): status `incomplete`
// for max_output_tokens (a failure only when the request set no
// max_output_tokens) or content_filter, status `failed`; no output text and no
// function_call item; output text that is not a JSON object under `text.format`
// json_object; a function_call naming a function tool the request did not
// define, or whose arguments break its `parameters`. A response that is not a
// Response object is "not a response".
std::optional<std::string> check_responses_answer(const Terms& terms, const simdjson::dom::element& response);
std::optional<std::string> check_responses_answer(std::string_view request_body,
                                                  const simdjson::dom::element& response);

// Whether `value_json` satisfies `schema_json`; nullopt if so, else the first
// violation ("missing required property 'city'", "'days' must be integer").
std::optional<std::string> check_schema(std::string_view schema_json, std::string_view value_json);

}  // namespace ff::cascade
