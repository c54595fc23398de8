// ChatView: a chat request read once, typed, for every stage that reads it in
// the gateway: the router's features, the cascade's terms and the reasoning
// restore. It reads the two chat shapes the gateway serves, OpenAI Chat
// Completions and Anthropic Messages (a Responses request is read in its chat
// form, wire/responses.h):
//   - the messages, each with its role, its content (a string, or parts with a
//     type and, for text parts, their text), the tool calls an assistant turn
//     makes (id, function name, arguments), its reasoning_content and, for a
//     tool turn, its tool_call_id;
//   - Anthropic's top-level `system` text;
//   - the tools defined, with each one's name and parameter schema (OpenAI:
//     function.name, function.parameters; Anthropic: name, input_schema);
//   - response_format's type, the output caps, `model` and `thinking.type`.
// A request that is not shaped as a chat request still gets a view, of what
// could be read; problem() says the first thing wrong, in the words the
// router reports (`flashfirst route` prints them). The simulator reads the
// messages and the tools from a view too, and says what is wrong itself, in
// DeepSeek's words and order.
//
// A view points into the parsed document it was read from: it is valid while
// that document is (for the gateway, until the request's first co_await).
// Any thread; a view is immutable once read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "wire/errors.h"

namespace ff::wire {

// One content part: {"type": ..., ...}.
struct PartView {
  std::string_view type;
  std::string_view text;  // its `text`, when that is a string
  bool has_text = false;
  simdjson::dom::element part;  // the whole part (a tool_use's input, a tool_result's content)
};

// One tool call of an assistant turn (OpenAI's tool_calls).
struct ToolCallView {
  std::string_view id;         // "" when it has none
  std::string_view name;       // function.name, "" when it has none
  std::string_view arguments;  // function.arguments, when a string
  bool has_id = false;
  bool has_arguments = false;
};

struct MessageView {
  std::size_t index = 0;  // its place in `messages`
  std::string_view role;
  // `content`: absent (kNone), null (kNull), a string (kText), an array of
  // parts (kParts), or of another type (kOther).
  enum class Content { kNone, kNull, kText, kParts, kOther } content = Content::kNone;
  std::string_view text;                         // kText
  std::size_t first_part = 0, part_count = 0;    // kParts: ChatView::part()
  bool untyped_part = false;                     // kParts: a part that is not an object with a string
                                                 // `type`, left out of the parts
  std::size_t first_call = 0, call_count = 0;    // ChatView::call()
  bool has_reasoning = false;                    // reasoning_content, not null
  std::optional<std::string_view> reasoning;     // reasoning_content, when a string
  std::optional<std::string_view> tool_call_id;  // when a string
};

// One tool definition.
struct ToolView {
  std::string_view name;  // "" when it has none
  bool has_name = false;
  simdjson::dom::element schema;  // its parameters / input_schema, when given (of any type, null too)
  bool has_schema = false;
  simdjson::dom::element tool;  // the whole definition
};

class ChatView {
 public:
  ChatView() = default;
  // Reads `root` in the chat shape of `protocol` (kResponses: its chat form,
  // which is in Chat Completions' shape).
  ChatView(const simdjson::dom::element& root, Protocol protocol);

  // The first thing that keeps the request from being read as a chat request
  // ("`messages` is empty"), or "" when there is none.
  const std::string& problem() const { return problem_; }

  Protocol protocol() const { return protocol_; }
  const std::vector<MessageView>& messages() const { return messages_; }
  const PartView& part(std::size_t i) const { return parts_[i]; }
  const ToolCallView& call(std::size_t i) const { return calls_[i]; }
  // Anthropic's top-level `system`: its text, or its text blocks' texts.
  const std::vector<std::string_view>& system() const { return system_; }
  const std::vector<ToolView>& tools() const { return tools_; }
  std::string_view response_format_type() const { return response_format_type_; }
  // max_tokens or max_completion_tokens, the later named (0 when neither is).
  std::int64_t max_tokens() const { return max_tokens_; }
  // Whether a positive max_tokens, max_completion_tokens or max_output_tokens is set.
  bool capped() const { return output_cap_ > 0; }
  // wire::output_cap of the request the view reads.
  std::int64_t output_cap() const { return output_cap_; }
  std::string_view model() const { return model_; }
  std::string_view thinking_type() const { return thinking_type_; }

 private:
  void note(std::string problem);
  void read_message(std::size_t index, const simdjson::dom::element& m, std::string& content_problem);

  Protocol protocol_ = Protocol::kOpenAi;
  std::string problem_;
  std::vector<MessageView> messages_;
  std::vector<PartView> parts_;
  std::vector<ToolCallView> calls_;
  std::vector<std::string_view> system_;
  std::vector<ToolView> tools_;
  std::string_view response_format_type_;
  std::int64_t max_tokens_ = 0;
  std::int64_t output_cap_ = 0;
  std::string_view model_;
  std::string_view thinking_type_;
};

// The output cap a request names in any protocol's field (max_tokens,
// max_completion_tokens or max_output_tokens): the last of them, in that order,
// that is positive, or 0 when none is.
std::int64_t output_cap(const simdjson::dom::element& request);

}  // namespace ff::wire
