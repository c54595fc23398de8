// Reading a chat completion (the OpenAI / DeepSeek shape) the way the gateway
// needs it after every call: its first choice, as the cascade's check reads it,
// and its usage. Two readers give the same result: first_choice() over a parsed
// DOM, and read_completion(), one On-Demand pass over the body that builds no
// DOM (the answer's DOM was a tenth of the gateway's instructions per request).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "wire/usage.h"

namespace simdjson::dom {
class element;
}

namespace ff::wire {

// The first choice of a chat completion.
struct ChoiceView {
  bool present = false;                           // choices[0] is there
  std::optional<std::string_view> finish_reason;  // when a string
  std::optional<std::string_view> content;        // message.content, when a string
  bool has_calls = false;                         // message.tool_calls is a non-empty array
};

// From a parsed answer; views into its document. Absent for anything that has
// no choices[0] (not an object, no `choices`, an empty array).
ChoiceView first_choice(const simdjson::dom::element& completion);

struct CompletionRead {
  ChoiceView choice;
  UsageRead usage;
};

// The usual answer, read in one On-Demand pass: an object with exactly one
// choice, an object whose message (if any) is an object without tool calls,
// and a usage that is absent, null or a well-formed object (billable or not).
// nullopt for anything else, which the caller reads with the DOM instead:
// malformed JSON, another shape, tool calls (their arguments are checked and
// their reasoning remembered from the DOM), a malformed count (whose reason
// read_usage() gives), or a body with a \u escape anywhere (keys are compared
// as written, so one spelled with escapes must go to the DOM, which decodes it).
// Unlike the DOM, it does not validate what it skips: a value of a member it
// does not read (`id`, `created`...) that is malformed goes unnoticed.
// The views are into a per-thread parser: valid until this thread's next call.
// `body` must have SIMDJSON_PADDING bytes of capacity past its size, or nullopt.
std::optional<CompletionRead> read_completion(const std::string& body);

}  // namespace ff::wire
