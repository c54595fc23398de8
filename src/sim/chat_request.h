// ChatRequest: one chat request, whichever wire format it came in (OpenAI Chat
// Completions, Anthropic Messages or the Responses API), validated the way
// DeepSeek validates it.
//
// parse_openai(), parse_anthropic() and parse_responses() turn a request body into a ChatRequest or
// an ApiError carrying the status and message the API would answer with (the
// messages and tools read through wire::ChatView, the gateway's own view). The
// simulator then works on ChatRequest only, and formats its answer back in the
// caller's format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ff::sim {

struct ApiError {
  int status = 400;
  std::string message;
  std::string type = "invalid_request_error";
  std::string code = "invalid_request";
};

struct ToolDef {
  std::string name;
  std::string schema_json;  // the parameters / input_schema, as JSON text ("" if none)
};

struct ToolCallIn {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text
};

struct Turn {
  enum class Role { kUser, kAssistant, kTool };
  Role role = Role::kUser;
  std::string text;
  std::optional<std::string> reasoning;  // assistant turns: reasoning_content sent back
  std::vector<ToolCallIn> tool_calls;    // assistant turns
  std::string tool_call_id;              // tool turns
};

struct ChatRequest {
  std::string model;  // as requested
  bool thinking = true;
  std::string effort = "high";    // low | high | max
  std::int64_t max_tokens = 0;    // after defaults
  bool max_tokens_given = false;  // the client set its own cap
  bool stream = false;
  bool include_usage = false;  // OpenAI stream_options.include_usage
  bool json_mode = false;
  std::string user_id;
  std::string system;  // all system text, joined
  std::vector<Turn> turns;
  std::vector<ToolDef> tools;
  std::string tool_choice = "none";  // none | auto | required | named
  std::string forced_tool;           // with tool_choice "named"
  // metadata (eval suites): the checkable answer, and the task category whose
  // failure rate applies.
  std::optional<std::string> expected_answer;
  std::string category;
};

using ParseResult = std::variant<ChatRequest, ApiError>;

// The model id the Anthropic endpoint maps a Claude name to (claude-opus* -> Pro,
// claude-sonnet* / claude-haiku* -> Flash), or the name itself.
std::string anthropic_model_alias(const std::string& model, const std::string& flash_id, const std::string& pro_id);

ParseResult parse_openai(std::string_view body);
ParseResult parse_anthropic(std::string_view body);
// A Responses API request, read as the Chat Completions request it stands for
// (wire/responses.h); what cannot be read that way is a 400.
ParseResult parse_responses(std::string_view body);

}  // namespace ff::sim
