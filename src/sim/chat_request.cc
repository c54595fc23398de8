#include "sim/chat_request.h"

#include <simdjson.h>

#include <algorithm>

#include <fmt/format.h>

#include "core/usage.h"
#include "wire/chat_view.h"
#include "wire/responses.h"

namespace ff::sim {

namespace dom = simdjson::dom;

namespace {

constexpr std::int64_t kMaxTokensLimit = 393'216;
constexpr size_t kMaxTools = 128;

ApiError invalid(std::string message) {
  return ApiError{400, std::move(message), "invalid_request_error", "invalid_request"};
}
ApiError unprocessable(std::string message) {
  return ApiError{422, std::move(message), "invalid_request_error", "invalid_parameter"};
}

bool present(const simdjson::simdjson_result<dom::element>& e) {
  return e.error() != simdjson::NO_SUCH_FIELD && !e.is_null();
}

bool valid_tool_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// Text of an OpenAI message's content: absent, null, a string, or an array of
// parts that each have a type; nullopt for anything else.
std::optional<std::string> openai_text(const wire::ChatView& view, const wire::MessageView& m) {
  using Content = wire::MessageView::Content;
  switch (m.content) {
    case Content::kNone:
    case Content::kNull:
      return std::string();
    case Content::kText:
      return std::string(m.text);
    case Content::kOther:
      return std::nullopt;
    case Content::kParts:
      break;
  }
  if (m.untyped_part) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < m.part_count; ++i) {
    const wire::PartView& p = view.part(m.first_part + i);
    if (p.type == "text" && p.has_text) out.append(p.text);
    if (p.type == "image_url") out.append("[image]");
  }
  return out;
}

// The tools as the view read them: each must be named.
std::optional<ApiError> read_tools(const wire::ChatView& view, std::vector<ToolDef>& tools, ApiError unnamed) {
  for (const wire::ToolView& t : view.tools()) {
    if (!t.has_name) return unnamed;
    tools.push_back(ToolDef{std::string(t.name), t.has_schema ? simdjson::to_string(t.schema) : std::string()});
  }
  return std::nullopt;
}

std::optional<ApiError> read_effort(std::string_view v, std::string& effort) {
  if (v == "minimal" || v == "low")
    effort = "low";
  else if (v == "medium" || v == "high" || v == "xhigh")
    effort = "high";
  else if (v == "max" || v == "ultra")
    effort = "max";
  else
    return unprocessable(fmt::format("unknown reasoning effort '{}' (low, high, max)", v));
  return std::nullopt;
}

std::optional<ApiError> check_common(ChatRequest& r, bool max_tokens_given) {
  r.max_tokens_given = max_tokens_given;
  if (!max_tokens_given) r.max_tokens = r.thinking ? (r.effort == "max" ? 131'072 : 65'536) : 8'192;
  if (r.max_tokens < 1 || r.max_tokens > kMaxTokensLimit) {
    return unprocessable(fmt::format("max_tokens must be between 1 and {}, got {}", kMaxTokensLimit, r.max_tokens));
  }
  if (r.tools.size() > kMaxTools) return unprocessable(fmt::format("at most {} tools are allowed", kMaxTools));
  for (const ToolDef& t : r.tools) {
    if (!valid_tool_name(t.name)) {
      return unprocessable(fmt::format("invalid tool name '{}': use [a-zA-Z0-9_-], at most 64 characters", t.name));
    }
  }
  if (r.tool_choice == "named" &&
      std::none_of(r.tools.begin(), r.tools.end(), [&](const ToolDef& t) { return t.name == r.forced_tool; })) {
    return unprocessable(fmt::format("tool_choice names '{}', which is not in tools", r.forced_tool));
  }
  if (r.thinking && (r.tool_choice == "required" || r.tool_choice == "named")) {
    return invalid("tool_choice 'required' or a named function is not supported in thinking mode");
  }
  // Thinking-mode tool loops must send back the reasoning of every tool-calling turn.
  if (r.thinking) {
    for (const Turn& t : r.turns) {
      if (t.role == Turn::Role::kAssistant && !t.tool_calls.empty() && !t.reasoning) {
        return invalid("The \"reasoning_content\" in the thinking mode must be passed back to the API");
      }
    }
  }
  if (r.turns.empty()) return invalid("messages must hold at least one user or assistant message");
  return std::nullopt;
}

// metadata: user_id (Anthropic's place for it), and for eval suites the expected
// answer and the task category.
void read_metadata(dom::element root, ChatRequest& r) {
  std::string_view s;
  if (!root["metadata"]["user_id"].get_string().get(s)) r.user_id = std::string(s);
  if (!root["metadata"]["expected_answer"].get_string().get(s)) r.expected_answer = std::string(s);
  if (!root["metadata"]["category"].get_string().get(s)) r.category = std::string(s);
}

}  // namespace

std::string anthropic_model_alias(const std::string& model, const std::string& flash_id, const std::string& pro_id) {
  const auto tier = core::claude_tier(model);
  return !tier ? model : *tier == core::Tier::kPro ? pro_id : flash_id;
}

namespace {

// Parses a request body that must be a JSON object, with this thread's parser
// (its buffers are the costly part of parsing, so they are reused). The element
// stays valid until the thread parses again.
std::optional<ApiError> parse_body(std::string_view body, dom::element& root) {
  thread_local dom::parser parser;
  if (auto err = parser.parse(body.data(), body.size()).get(root)) {
    return invalid(fmt::format("Failed to parse the request body as JSON: {}", simdjson::error_message(err)));
  }
  if (root.type() != dom::element_type::OBJECT) return invalid("The request body must be a JSON object");
  return std::nullopt;
}

}  // namespace

ParseResult parse_openai(std::string_view body) {
  dom::element root;
  if (auto err = parse_body(body, root)) return *err;
  ChatRequest r;
  std::string_view s;
  if (root["model"].get_string().get(s)) return invalid("Missing or invalid field: model (a string)");
  r.model = std::string(s);
  r.thinking = r.model != "deepseek-chat";
  if (auto t = root["thinking"]; present(t)) {
    if (t["type"].get_string().get(s) || (s != "enabled" && s != "disabled")) {
      return unprocessable("thinking.type must be \"enabled\" or \"disabled\"");
    }
    r.thinking = s == "enabled";
  }
  if (auto e = root["reasoning_effort"]; present(e)) {
    if (e.get_string().get(s)) return unprocessable("reasoning_effort must be a string");
    if (auto err = read_effort(s, r.effort)) return *err;
  }
  bool max_given = false;
  if (auto m = root["max_tokens"]; present(m)) {
    if (m.get_int64().get(r.max_tokens)) return unprocessable("max_tokens must be an integer");
    max_given = true;
  }
  for (const char* name : {"temperature", "top_p"}) {
    if (auto v = root[name]; present(v)) {
      double d;
      const double hi = std::string_view(name) == "temperature" ? 2 : 1;
      if (v.get_double().get(d) || d < 0 || d > hi)
        return unprocessable(fmt::format("{} must be a number from 0 to {}", name, hi));
    }
  }
  if (auto v = root["stream"]; present(v) && v.get_bool().get(r.stream))
    return unprocessable("stream must be a boolean");
  bool include = false;
  if (!root["stream_options"]["include_usage"].get_bool().get(include)) r.include_usage = include;
  if (auto f = root["response_format"]; present(f)) {
    if (f["type"].get_string().get(s) || (s != "text" && s != "json_object")) {
      return unprocessable("response_format.type must be \"text\" or \"json_object\"");
    }
    r.json_mode = s == "json_object";
  }
  if (!root["user_id"].get_string().get(s)) r.user_id = std::string(s);
  read_metadata(root, r);

  const wire::ChatView view(root, wire::Protocol::kOpenAi);
  if (auto err = read_tools(view, r.tools, unprocessable("every tool needs function.name"))) return *err;
  r.tool_choice = r.tools.empty() ? "none" : "auto";
  if (auto tc = root["tool_choice"]; present(tc)) {
    if (!tc.get_string().get(s)) {
      if (s != "none" && s != "auto" && s != "required")
        return unprocessable("tool_choice must be none, auto or required");
      r.tool_choice = std::string(s);
    } else if (!tc["function"]["name"].get_string().get(s)) {
      r.tool_choice = "named";
      r.forced_tool = std::string(s);
    } else {
      return unprocessable("tool_choice must be a string or {\"type\":\"function\",\"function\":{\"name\":...}}");
    }
  }

  dom::array messages;
  if (root["messages"].get_array().get(messages) || messages.size() == 0) {
    return invalid("Missing or empty field: messages (an array)");
  }
  // The view leaves out a message that is not an object with a string role.
  auto read = view.messages().begin();
  for (size_t i = 0; i < messages.size(); ++i, ++read) {
    if (read == view.messages().end() || read->index != i) return invalid(fmt::format("messages[{}] has no role", i));
    const wire::MessageView& m = *read;
    std::optional<std::string> text = openai_text(view, m);
    if (!text) return unprocessable(fmt::format("messages[{}].content must be a string or an array of parts", i));
    if (m.role == "system") {
      r.system += (r.system.empty() ? "" : "\n\n") + *text;
    } else if (m.role == "user") {
      r.turns.push_back(Turn{Turn::Role::kUser, std::move(*text), std::nullopt, {}, ""});
    } else if (m.role == "assistant") {
      Turn t{Turn::Role::kAssistant, std::move(*text), std::nullopt, {}, ""};
      if (m.reasoning) t.reasoning = std::string(*m.reasoning);
      for (std::size_t c = 0; c < m.call_count; ++c) {
        const wire::ToolCallView& call = view.call(m.first_call + c);
        t.tool_calls.push_back(ToolCallIn{std::string(call.id), std::string(call.name), std::string(call.arguments)});
      }
      r.turns.push_back(std::move(t));
    } else if (m.role == "tool") {
      if (!m.tool_call_id) return unprocessable(fmt::format("messages[{}] (role tool) needs tool_call_id", i));
      r.turns.push_back(Turn{Turn::Role::kTool, std::move(*text), std::nullopt, {}, std::string(*m.tool_call_id)});
    } else {
      return unprocessable(fmt::format(
          "messages[{}]: unknown variant `{}`, expected one of `system`, `user`, `assistant`, `tool`", i, m.role));
    }
  }
  if (auto err = check_common(r, max_given)) return *err;
  return r;
}

ParseResult parse_anthropic(std::string_view body) {
  dom::element root;
  if (auto err = parse_body(body, root)) return *err;
  ChatRequest r;
  std::string_view s;
  if (root["model"].get_string().get(s)) return invalid("model: field required");
  r.model = std::string(s);
  if (root["max_tokens"].get_int64().get(r.max_tokens)) return invalid("max_tokens: field required (an integer)");
  // DeepSeek: thinking is on unless disabled; budget_tokens is ignored; output_config.effort is honoured.
  r.thinking = true;
  if (!root["thinking"]["type"].get_string().get(s)) r.thinking = s != "disabled";
  if (!root["output_config"]["effort"].get_string().get(s)) {
    if (auto err = read_effort(s, r.effort)) return *err;
  }
  if (auto v = root["stream"]; present(v) && v.get_bool().get(r.stream)) return invalid("stream must be a boolean");
  if (auto t = root["temperature"]; present(t)) {
    double d;
    if (t.get_double().get(d) || d < 0 || d > 2) return unprocessable("temperature must be a number from 0 to 2");
  }
  read_metadata(root, r);
  const wire::ChatView view(root, wire::Protocol::kAnthropic);
  // system: a string or an array of text blocks (cache_control is ignored).
  if (auto sys = root["system"]; present(sys)) {
    if (!sys.is_string() && !sys.is_array()) return invalid("system must be a string or an array of text blocks");
    for (std::string_view text : view.system()) r.system += (r.system.empty() ? "" : "\n\n") + std::string(text);
  }
  if (auto err = read_tools(view, r.tools, invalid("every tool needs a name"))) return *err;
  r.tool_choice = r.tools.empty() ? "none" : "auto";
  if (!root["tool_choice"]["type"].get_string().get(s)) {
    if (s == "auto" || s == "none")
      r.tool_choice = std::string(s);
    else if (s == "any")
      r.tool_choice = "required";
    else if (s == "tool" && !root["tool_choice"]["name"].get_string().get(s)) {
      r.tool_choice = "named";
      r.forced_tool = std::string(s);
    } else {
      return invalid("tool_choice.type must be auto, any, tool or none");
    }
  }
  dom::array messages;
  if (root["messages"].get_array().get(messages) || messages.size() == 0)
    return invalid("messages: at least one message is required");
  using Content = wire::MessageView::Content;
  auto read = view.messages().begin();
  for (size_t i = 0; i < messages.size(); ++i, ++read) {
    if (read == view.messages().end() || read->index != i || (read->role != "user" && read->role != "assistant")) {
      return invalid(fmt::format("messages.{}.role: Input should be 'user' or 'assistant'", i));
    }
    const wire::MessageView& m = *read;
    if (m.content == Content::kNone) return invalid(fmt::format("messages.{}.content: field required", i));
    Turn t{m.role == "user" ? Turn::Role::kUser : Turn::Role::kAssistant, "", std::nullopt, {}, ""};
    if (m.content == Content::kText) {
      t.text = std::string(m.text);
      r.turns.push_back(std::move(t));
    } else {
      if (m.content != Content::kParts)
        return invalid(fmt::format("messages.{}.content must be a string or blocks", i));
      if (m.untyped_part) return invalid(fmt::format("messages.{}: a content block has no type", i));
      for (std::size_t p = 0; p < m.part_count; ++p) {
        const wire::PartView& part = view.part(m.first_part + p);
        const std::string_view type = part.type;
        const dom::element& b = part.part;
        if (type == "text" && part.has_text) {
          t.text += std::string(part.text);
        } else if (type == "thinking" && !b["thinking"].get_string().get(s)) {
          t.reasoning = std::string(s);
        } else if (type == "tool_use") {
          ToolCallIn call;
          if (!b["id"].get_string().get(s)) call.id = std::string(s);
          if (!b["name"].get_string().get(s)) call.name = std::string(s);
          dom::element input;
          if (!b["input"].get(input)) call.arguments = simdjson::to_string(input);
          t.tool_calls.push_back(std::move(call));
        } else if (type == "tool_result") {
          // A tool result becomes a tool turn of its own.
          Turn tool{Turn::Role::kTool, "", std::nullopt, {}, ""};
          if (!b["tool_use_id"].get_string().get(s)) tool.tool_call_id = std::string(s);
          dom::element c;
          if (!b["content"].get(c)) {
            if (!c.get_string().get(s))
              tool.text = std::string(s);
            else
              tool.text = simdjson::to_string(c);
          }
          r.turns.push_back(std::move(tool));
        }
      }
      if (!t.text.empty() || !t.tool_calls.empty() || t.role == Turn::Role::kAssistant) r.turns.push_back(std::move(t));
    }
  }
  // The Anthropic format does not round-trip DeepSeek's reasoning; tool loops
  // without thinking blocks are accepted there.
  for (Turn& t : r.turns) {
    if (t.role == Turn::Role::kAssistant && !t.tool_calls.empty() && !t.reasoning) t.reasoning = std::string();
  }
  if (auto err = check_common(r, true)) return *err;
  return r;
}

ParseResult parse_responses(std::string_view body) {
  dom::element root;
  if (auto err = parse_body(body, root)) return *err;
  auto chat = wire::responses_as_chat(root);
  if (!chat.ok()) return invalid(chat.error().message);
  return parse_openai(*chat);  // `root` is not used again: the parser may be reused
}

}  // namespace ff::sim
