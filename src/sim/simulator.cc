#include "sim/simulator.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/json_writer.h"
#include "tokenizer/utf8.h"

namespace ff::sim {

namespace dom = simdjson::dom;
using report::JsonWriter;
using tokenizer::SpecialTokens;
using tokenizer::TokenId;

net::Response api_error(int status, std::string_view message, std::string_view type, std::string_view code) {
  JsonWriter w(true);
  w.begin_object().key("error").begin_object();
  w.key("message").value(message).key("type").value(type).key("code").value(code);
  w.end_object().end_object();
  return net::Response::json(status, w.str());
}

namespace {

constexpr std::int64_t kMaxTokensLimit = 393'216;
constexpr size_t kMaxTools = 128;

net::Response invalid(std::string_view message) { return api_error(400, message, "invalid_request_error", "invalid_request"); }
net::Response unprocessable(std::string_view message) {
  return api_error(422, message, "invalid_request_error", "invalid_parameter");
}

std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t fnv(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// Deterministic randomness for one request.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() { return state_ = mix(state_); }
  std::int64_t between(std::int64_t lo, std::int64_t hi) { return lo + static_cast<std::int64_t>(next() % (hi - lo + 1)); }

 private:
  std::uint64_t state_;
};

constexpr const char* kSentences[] = {
    "Here is a concise answer to your question.",
    "The key point is that the cheaper model handles this kind of task well.",
    "First, consider the inputs; then apply the rule step by step.",
    "In short, the result follows directly from the information given.",
    "This approach keeps the cost low while preserving quality.",
    "Let me summarize the main facts before giving the final answer.",
    "The data supports this conclusion, with one caveat noted below.",
    "If you need more detail, ask a follow-up question.",
};
constexpr const char* kThoughts[] = {
    "The user is asking a direct question; I should identify what is needed.",
    "Let me check the constraints once more before answering.",
    "A short, accurate reply is best here; no tools are required.",
    "I will outline the steps and verify the arithmetic.",
};

// Reads an optional field into `out`, leaving it unchanged when absent or of
// another type.
template <typename T, typename Source>
void read_optional(Source&& source, T& out) {
  T value;
  if (!std::forward<Source>(source).get(value)) out = value;
}

bool valid_tool_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// A JSON value that satisfies a (simple) JSON schema: required properties with
// values of their type, enums' first value.
void sample_from_schema(JsonWriter& w, dom::element schema, int depth) {
  dom::array enumeration;
  if (!schema["enum"].get_array().get(enumeration) && enumeration.size() > 0) {
    dom::element first = enumeration.at(0);
    std::string_view s;
    std::int64_t i;
    double d;
    bool b;
    if (!first.get_string().get(s)) w.value(s);
    else if (!first.get_int64().get(i)) w.value(i);
    else if (!first.get_double().get(d)) w.number_text(fmt::format("{}", d));
    else if (!first.get_bool().get(b)) w.value(b);
    else w.null();
    return;
  }
  std::string_view type = "object";
  read_optional(schema["type"].get_string(), type);
  if (type == "string") {
    w.value("example");
  } else if (type == "integer") {
    w.value(std::int64_t{1});
  } else if (type == "number") {
    w.number_text("1.5");
  } else if (type == "boolean") {
    w.value(true);
  } else if (type == "array") {
    w.begin_array();
    dom::element items;
    if (depth < 4 && !schema["items"].get(items)) sample_from_schema(w, items, depth + 1);
    w.end_array();
  } else if (type == "null") {
    w.null();
  } else {
    w.begin_object();
    dom::object props;
    if (depth < 4 && !schema["properties"].get_object().get(props)) {
      // Every listed property, so required ones are always present.
      for (auto [key, sub] : props) {
        w.key(key);
        sample_from_schema(w, sub, depth + 1);
      }
    }
    w.end_object();
  }
}

struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;  // JSON text
};

}  // namespace

Simulator::Simulator(const pricing::PriceBook& book, const tokenizer::BpeTokenizer& tokenizer, SimOptions options,
                     const core::Clock& clock)
    : book_(book),
      tokenizer_(tokenizer),
      options_(std::move(options)),
      clock_(clock),
      cache_(options_.cache),
      balance_(options_.balance) {}

core::Timestamp Simulator::now() const { return options_.date.value_or(clock_.now()); }

std::optional<core::Money> Simulator::balance() const {
  std::lock_guard<std::mutex> lock(mu_);
  return balance_;
}

net::Response Simulator::handle(const net::Request& req) {
  const std::string_view path = req.path();
  const bool chat = path == "/chat/completions" || path == "/v1/chat/completions" || path == "/beta/chat/completions";
  const bool known = chat || path == "/models" || path == "/v1/models" || path == "/user/balance";
  if (!known) return api_error(404, fmt::format("no route for {} {}", req.method, path), "invalid_request_error", "not_found");

  // Authorization: Bearer <key>.
  std::string_view auth = req.header("authorization");
  std::string_view key;
  if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ")) key = auth.substr(7);
  const bool key_ok = !key.empty() && (options_.keys.empty() ||
                                        std::find(options_.keys.begin(), options_.keys.end(), key) != options_.keys.end());
  if (!key_ok) {
    return api_error(401, "Authentication Fails, Your api key is invalid", "authentication_error", "invalid_api_key");
  }
  if (chat) {
    if (req.method != "POST") return api_error(405, "use POST", "invalid_request_error", "method_not_allowed");
    return chat_completions(req);
  }
  if (req.method != "GET") return api_error(405, "use GET", "invalid_request_error", "method_not_allowed");
  return path == "/user/balance" ? user_balance() : models();
}

net::Response Simulator::models() const {
  const core::Timestamp t = now();
  JsonWriter w(true);
  w.begin_object().key("object").value("list").key("data").begin_array();
  for (size_t i = 0; i < book_.models().size(); ++i) {
    const auto& m = book_.models()[i];
    pricing::QuoteResult q = book_.quote(m.id, t, "USD");
    if (!q.quote || q.quote->model != static_cast<int>(i)) continue;  // not served under its own name then
    w.begin_object().key("id").value(m.id).key("object").value("model").key("owned_by").value("deepseek").end_object();
  }
  w.end_array().end_object();
  return net::Response::json(200, w.str());
}

net::Response Simulator::user_balance() const {
  std::optional<core::Money> left = balance();
  JsonWriter w(true);
  w.begin_object();
  w.key("is_available").value(!left || left->femto() > 0);
  w.key("balance_infos").begin_array();
  if (left) {
    const std::string amount = left->to_fixed(2);
    w.begin_object();
    w.key("currency").value("USD");
    w.key("total_balance").value(amount);
    w.key("granted_balance").value("0.00");
    w.key("topped_up_balance").value(amount);
    w.end_object();
  }
  w.end_array().end_object();
  return net::Response::json(200, w.str());
}

net::Response Simulator::chat_completions(const net::Request& req) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (balance_ && balance_->femto() <= 0) {
      return api_error(402, "Insufficient Balance", "invalid_request_error", "insufficient_balance");
    }
  }
  dom::parser parser;
  dom::element root;
  if (auto err = parser.parse(req.body).get(root)) {
    return invalid(fmt::format("Failed to parse the request body as JSON: {}", simdjson::error_message(err)));
  }
  dom::object body;
  if (root.get_object().get(body)) return invalid("The request body must be a JSON object");

  // --- model, as of the simulated date ---
  std::string_view model;
  if (body["model"].get_string().get(model)) return invalid("Missing or invalid field: model (a string)");
  const core::Timestamp t = now();
  pricing::QuoteResult quote = book_.quote(model, t, "USD");
  if (!quote.quote) {
    if (quote.error == pricing::QuoteError::kRetired) {
      return invalid(fmt::format("Model Not Exist: {} is retired ({})", model,
                                 book_.explain(quote.error, model, t, "USD")));
    }
    return invalid("Model Not Exist");
  }
  const pricing::Model& billed = book_.models()[quote.quote->model];
  // Tier names are the gateway's words, not the API's.
  if (model == "flash" || model == "pro") return invalid("Model Not Exist");

  // --- parameters ---
  bool thinking = model != "deepseek-chat";
  dom::object thinking_obj;
  if (!body["thinking"].get_object().get(thinking_obj)) {
    std::string_view type;
    if (thinking_obj["type"].get_string().get(type) || (type != "enabled" && type != "disabled")) {
      return unprocessable("thinking.type must be \"enabled\" or \"disabled\"");
    }
    thinking = type == "enabled";
  }
  std::string_view effort = "high";
  if (auto e = body["reasoning_effort"]; e.error() != simdjson::NO_SUCH_FIELD) {
    std::string_view v;
    if (e.get_string().get(v)) return unprocessable("reasoning_effort must be a string");
    if (v == "minimal" || v == "low") effort = "low";
    else if (v == "medium" || v == "high" || v == "xhigh") effort = "high";
    else if (v == "max" || v == "ultra") effort = "max";
    else return unprocessable(fmt::format("unknown reasoning_effort '{}' (low, high, max)", v));
  }
  std::int64_t max_tokens = thinking ? (effort == "max" ? 131'072 : 65'536) : 8'192;
  if (auto m = body["max_tokens"]; m.error() != simdjson::NO_SUCH_FIELD && !m.is_null()) {
    if (m.get_int64().get(max_tokens)) return unprocessable("max_tokens must be an integer");
    if (max_tokens < 1 || max_tokens > kMaxTokensLimit) {
      return unprocessable(fmt::format("max_tokens must be between 1 and {}, got {}", kMaxTokensLimit, max_tokens));
    }
  }
  if (auto temp = body["temperature"]; temp.error() != simdjson::NO_SUCH_FIELD && !temp.is_null()) {
    double v;
    if (temp.get_double().get(v) || v < 0 || v > 2) return unprocessable("temperature must be a number from 0 to 2");
  }
  if (auto tp = body["top_p"]; tp.error() != simdjson::NO_SUCH_FIELD && !tp.is_null()) {
    double v;
    if (tp.get_double().get(v) || v < 0 || v > 1) return unprocessable("top_p must be a number from 0 to 1");
  }
  bool stream = false;
  if (auto s = body["stream"]; s.error() != simdjson::NO_SUCH_FIELD && !s.is_null()) {
    if (s.get_bool().get(stream)) return unprocessable("stream must be a boolean");
  }
  bool include_usage = false;
  dom::object stream_options;
  if (!body["stream_options"].get_object().get(stream_options)) {
    read_optional(stream_options["include_usage"].get_bool(), include_usage);
  }
  bool json_mode = false;
  dom::object response_format;
  if (!body["response_format"].get_object().get(response_format)) {
    std::string_view type;
    if (response_format["type"].get_string().get(type) || (type != "text" && type != "json_object")) {
      return unprocessable("response_format.type must be \"text\" or \"json_object\"");
    }
    json_mode = type == "json_object";
  }
  std::string_view user_id;
  read_optional(body["user_id"].get_string(), user_id);

  // --- tools ---
  dom::array tools;
  const bool has_tools = !body["tools"].get_array().get(tools) && tools.size() > 0;
  if (has_tools && tools.size() > kMaxTools) return unprocessable(fmt::format("at most {} tools are allowed", kMaxTools));
  std::vector<std::pair<std::string_view, dom::element>> tool_defs;  // name, parameters schema
  if (has_tools) {
    for (dom::element tool : tools) {
      std::string_view name;
      if (tool["function"]["name"].get_string().get(name)) return unprocessable("every tool needs function.name");
      if (!valid_tool_name(name)) {
        return unprocessable(fmt::format("invalid tool name '{}': use [a-zA-Z0-9_-], at most 64 characters", name));
      }
      dom::element params;
      if (tool["function"]["parameters"].get(params)) params = dom::element();
      tool_defs.emplace_back(name, params);
    }
  }
  std::string_view tool_choice = has_tools ? "auto" : "none";
  std::string_view forced_tool;
  if (auto tc = body["tool_choice"]; tc.error() != simdjson::NO_SUCH_FIELD) {
    std::string_view s;
    if (!tc.get_string().get(s)) {
      if (s != "none" && s != "auto" && s != "required") return unprocessable("tool_choice must be none, auto or required");
      tool_choice = s;
    } else if (!tc["function"]["name"].get_string().get(forced_tool)) {
      tool_choice = "named";
    } else {
      return unprocessable("tool_choice must be a string or {\"type\":\"function\",\"function\":{\"name\":...}}");
    }
    if (thinking && (tool_choice == "required" || tool_choice == "named")) {
      return invalid("tool_choice 'required' or a named function is not supported in thinking mode");
    }
  }

  // --- messages, rendered through the chat template into billed tokens ---
  dom::array messages;
  if (body["messages"].get_array().get(messages) || messages.size() == 0) {
    return invalid("Missing or empty field: messages (an array)");
  }
  auto special = [&](const char* s) { return *tokenizer_.added_token_id(s); };
  std::vector<TokenId> prompt;
  std::vector<TokenId> turn;
  std::string system_text;
  std::string last_user;
  prompt.push_back(special("<｜begin▁of▁sentence｜>"));
  auto text_of = [](dom::element content, std::string& out) -> bool {
    std::string_view s;
    if (content.is_null()) return true;
    if (!content.get_string().get(s)) {
      out.append(s);
      return true;
    }
    dom::array parts;
    if (content.get_array().get(parts)) return false;
    for (dom::element p : parts) {
      std::string_view type, text;
      if (p["type"].get_string().get(type)) return false;
      if (type == "text" && !p["text"].get_string().get(text)) out.append(text);
      else if (type == "image_url") out.append("[image]");
    }
    return true;
  };
  // System messages first, as the template gathers them.
  for (dom::element m : messages) {
    std::string_view role;
    if (!m["role"].get_string().get(role) && role == "system") {
      std::string text;
      if (!text_of(m["content"].value_unsafe(), text)) return unprocessable("message content must be a string or parts");
      system_text += (system_text.empty() ? "" : "\n\n") + text;
    }
  }
  if (has_tools) {
    system_text += (system_text.empty() ? "" : "\n\n");
    system_text += "## Tools\n";
    system_text += simdjson::to_string(tools);
  }
  tokenizer_.encode(system_text, prompt);
  bool tool_outputs_open = false;
  size_t index = 0;
  for (dom::element m : messages) {
    ++index;
    std::string_view role;
    if (m["role"].get_string().get(role)) return invalid(fmt::format("messages[{}] has no role", index - 1));
    if (role != "system" && role != "user" && role != "assistant" && role != "tool") {
      return unprocessable(fmt::format(
          "messages[{}]: unknown variant `{}`, expected one of `system`, `user`, `assistant`, `tool`", index - 1, role));
    }
    std::string text;
    dom::element content;
    if (!m["content"].get(content) && !text_of(content, text)) {
      return unprocessable(fmt::format("messages[{}].content must be a string or an array of parts", index - 1));
    }
    if (role == "system") continue;
    if (role != "tool" && tool_outputs_open) {
      prompt.push_back(special("<｜tool▁outputs▁end｜>"));
      tool_outputs_open = false;
    }
    if (role == "user") {
      prompt.push_back(special("<｜User｜>"));
      tokenizer_.encode(text, prompt);
      last_user = text;
    } else if (role == "assistant") {
      dom::array calls;
      const bool has_calls = !m["tool_calls"].get_array().get(calls) && calls.size() > 0;
      std::string_view reasoning;
      const bool has_reasoning = !m["reasoning_content"].get_string().get(reasoning);
      if (thinking && has_calls && !has_reasoning) {
        return invalid("The \"reasoning_content\" in the thinking mode must be passed back to the API");
      }
      prompt.push_back(special("<｜Assistant｜>"));
      // Reasoning of turns that called tools stays in the context; other turns' is dropped.
      if (thinking && has_calls) tokenizer_.encode(fmt::format("<think>{}</think>", reasoning), prompt);
      tokenizer_.encode(text, prompt);
      if (has_calls) {
        prompt.push_back(special("<｜tool▁calls▁begin｜>"));
        for (dom::element c : calls) {
          std::string_view name, args;
          read_optional(c["function"]["name"].get_string(), name);
          read_optional(c["function"]["arguments"].get_string(), args);
          prompt.push_back(special("<｜tool▁call▁begin｜>"));
          tokenizer_.encode("function", prompt);
          prompt.push_back(special("<｜tool▁sep｜>"));
          tokenizer_.encode(fmt::format("{}\n```json\n{}\n```", name, args), prompt);
          prompt.push_back(special("<｜tool▁call▁end｜>"));
        }
        prompt.push_back(special("<｜tool▁calls▁end｜>"));
      }
      prompt.push_back(special("<｜end▁of▁sentence｜>"));
    } else {  // tool
      std::string_view call_id;
      if (m["tool_call_id"].get_string().get(call_id)) {
        return unprocessable(fmt::format("messages[{}] (role tool) needs tool_call_id", index - 1));
      }
      if (!tool_outputs_open) {
        prompt.push_back(special("<｜tool▁outputs▁begin｜>"));
        tool_outputs_open = true;
      }
      prompt.push_back(special("<｜tool▁output▁begin｜>"));
      tokenizer_.encode(text, prompt);
      prompt.push_back(special("<｜tool▁output▁end｜>"));
    }
  }
  if (tool_outputs_open) prompt.push_back(special("<｜tool▁outputs▁end｜>"));
  prompt.push_back(special("<｜Assistant｜>"));

  // --- the answer ---
  Rng rng(mix(options_.seed ^ fnv(req.body)));
  const std::string id = fmt::format("{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}", rng.next() >> 32, rng.next() & 0xffff,
                                     rng.next() & 0xfff, rng.next() & 0xfff, rng.next() & 0xffffffffffffULL);
  std::string reasoning_text;
  if (thinking) {
    const std::int64_t n = rng.between(1, 4);
    for (std::int64_t i = 0; i < n; ++i) reasoning_text += std::string(i ? " " : "") + kThoughts[rng.next() % std::size(kThoughts)];
  }
  std::vector<ToolCall> calls;
  std::string content;
  const bool call_tool = has_tools && tool_choice != "none" &&
                         (tool_choice != "auto" || rng.next() % 100 < 70);
  if (call_tool) {
    size_t pick = rng.next() % tool_defs.size();
    if (!forced_tool.empty()) {
      auto it = std::find_if(tool_defs.begin(), tool_defs.end(), [&](auto& d) { return d.first == forced_tool; });
      if (it == tool_defs.end()) return unprocessable(fmt::format("tool_choice names '{}', which is not in tools", forced_tool));
      pick = static_cast<size_t>(it - tool_defs.begin());
    }
    JsonWriter args(true);
    if (tool_defs[pick].second.type() == dom::element_type::OBJECT) {
      sample_from_schema(args, tool_defs[pick].second, 0);
    } else {
      args.begin_object().end_object();
    }
    calls.push_back({fmt::format("call_00_{:024x}", rng.next()), std::string(tool_defs[pick].first), args.str()});
  } else if (json_mode) {
    JsonWriter j(true);
    j.begin_object().key("answer").value(kSentences[rng.next() % std::size(kSentences)]);
    j.key("confidence").number_text(fmt::format("0.{}", rng.between(50, 99))).end_object();
    content = j.str();
  } else {
    const std::int64_t n = rng.between(1, 6);
    for (std::int64_t i = 0; i < n; ++i) content += std::string(i ? " " : "") + kSentences[rng.next() % std::size(kSentences)];
  }

  // Token counts, with max_tokens cutting reasoning first, then the answer.
  std::vector<TokenId> reasoning_ids = tokenizer_.encode(reasoning_text);
  std::vector<TokenId> content_ids = tokenizer_.encode(content);
  std::int64_t tool_tokens = 0;
  for (const ToolCall& c : calls) tool_tokens += tokenizer_.count(c.name) + tokenizer_.count(c.arguments) + 6;
  std::string finish = calls.empty() ? "stop" : "tool_calls";
  auto cut = [&](std::vector<TokenId>& ids, std::string& text, std::int64_t room) {
    if (static_cast<std::int64_t>(ids.size()) <= room) return false;
    ids.resize(static_cast<size_t>(std::max<std::int64_t>(room, 0)));
    std::string bytes = *tokenizer_.decode(ids);
    // A cut can split a character; drop the incomplete tail as the API would not send it.
    while (!bytes.empty() && !tokenizer::is_valid_utf8(bytes)) bytes.pop_back();
    text = bytes;
    return true;
  };
  if (cut(reasoning_ids, reasoning_text, max_tokens)) {
    content_ids.clear();
    content.clear();
    calls.clear();
    tool_tokens = 0;
    finish = "length";
  } else if (cut(content_ids, content, max_tokens - static_cast<std::int64_t>(reasoning_ids.size()))) {
    calls.clear();
    tool_tokens = 0;
    finish = "length";
  } else if (static_cast<std::int64_t>(reasoning_ids.size() + content_ids.size()) + tool_tokens > max_tokens) {
    calls.clear();
    tool_tokens = 0;
    finish = "length";
  }
  const std::int64_t reasoning_tokens = static_cast<std::int64_t>(reasoning_ids.size());
  const std::int64_t completion_tokens = reasoning_tokens + static_cast<std::int64_t>(content_ids.size()) + tool_tokens;

  // --- cache and bill ---
  const std::string cache_user = fmt::format("{}/{}", fnv(std::string(req.header("authorization"))), user_id);
  const std::int64_t hit = cache_.lookup(cache_user, prompt, t);
  std::vector<TokenId> produced = prompt;
  produced.insert(produced.end(), reasoning_ids.begin(), reasoning_ids.end());
  produced.insert(produced.end(), content_ids.begin(), content_ids.end());
  produced.push_back(special("<｜end▁of▁sentence｜>"));
  // In thinking mode `produced` contains this turn's reasoning, which the next turn
  // does not send back: the unit at the end of the output then never matches and
  // only the input's units help, as the API's guide implies.
  cache_.record(cache_user, prompt, produced, t);
  core::TokenUsage usage;
  usage.cache_hit = hit;
  usage.cache_miss = static_cast<std::int64_t>(prompt.size()) - hit;
  usage.output = completion_tokens;
  usage.reasoning = reasoning_tokens;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (balance_) *balance_ -= quote.quote->cost(usage);
  }

  auto write_usage = [&](JsonWriter& w) {
    w.begin_object();
    w.key("prompt_tokens").value(usage.prompt());
    w.key("completion_tokens").value(usage.output);
    w.key("total_tokens").value(usage.total());
    w.key("prompt_tokens_details").begin_object().key("cached_tokens").value(usage.cache_hit).end_object();
    w.key("completion_tokens_details").begin_object().key("reasoning_tokens").value(usage.reasoning).end_object();
    w.key("prompt_cache_hit_tokens").value(usage.cache_hit);
    w.key("prompt_cache_miss_tokens").value(usage.cache_miss);
    w.end_object();
  };
  auto write_calls = [&](JsonWriter& w, bool with_index) {
    w.begin_array();
    for (size_t i = 0; i < calls.size(); ++i) {
      w.begin_object();
      if (with_index) w.key("index").value(static_cast<std::int64_t>(i));
      w.key("id").value(calls[i].id).key("type").value("function");
      w.key("function").begin_object().key("name").value(calls[i].name).key("arguments").value(calls[i].arguments);
      w.end_object().end_object();
    }
    w.end_array();
  };
  const std::int64_t created = t.unix_seconds;
  const std::string fingerprint = "fp_ffsim_0001";

  // Timing: time to first token, then tokens at the model's rate (scaled by --speed).
  const ModelSpeed& speed = billed.tier == core::Tier::kPro ? options_.pro : options_.flash;
  auto scaled = [&](double ms) {
    return options_.speed <= 0 ? std::chrono::milliseconds(0)
                               : std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms / options_.speed)));
  };
  const double ms_per_token = 1000.0 / speed.tokens_per_second;

  if (!stream) {
    JsonWriter w(true);
    w.begin_object();
    w.key("id").value(id).key("object").value("chat.completion").key("created").value(created);
    w.key("model").value(model);
    w.key("choices").begin_array().begin_object();
    w.key("index").value(std::int64_t{0});
    w.key("message").begin_object();
    w.key("role").value("assistant");
    w.key("content").value(content);
    if (thinking) w.key("reasoning_content").value(reasoning_text);
    if (!calls.empty()) {
      w.key("tool_calls");
      write_calls(w, false);
    }
    w.end_object();
    w.key("logprobs").null();
    w.key("finish_reason").value(finish);
    w.end_object().end_array();
    w.key("usage");
    write_usage(w);
    w.key("system_fingerprint").value(fingerprint);
    w.end_object();
    net::Response r = net::Response::json(200, w.str());
    const auto total = scaled(static_cast<double>(speed.first_token_ms) + ms_per_token * static_cast<double>(completion_tokens));
    if (total.count() > 0) r.stream = std::vector<net::Chunk>{{total, std::move(r.body)}};
    return r;
  }

  // SSE: role first, reasoning deltas, content deltas, tool calls, then the last
  // chunk with finish_reason and usage, then [DONE].
  std::vector<net::Chunk> chunks;
  auto chunk = [&](std::chrono::milliseconds delay, const std::function<void(JsonWriter&)>& delta,
                   const char* finish_reason, bool last) {
    JsonWriter w(true);
    w.begin_object();
    w.key("id").value(id).key("object").value("chat.completion.chunk").key("created").value(created);
    w.key("model").value(model).key("system_fingerprint").value(fingerprint);
    w.key("choices").begin_array().begin_object();
    w.key("index").value(std::int64_t{0});
    w.key("delta").begin_object();
    delta(w);
    w.end_object();
    w.key("logprobs").null();
    w.key("finish_reason");
    if (finish_reason) {
      w.value(finish_reason);
    } else {
      w.null();
    }
    w.end_object().end_array();
    if (last) {
      w.key("usage");
      write_usage(w);
    } else if (include_usage) {
      w.key("usage").null();
    }
    w.end_object();
    chunks.push_back({delay, "data: " + w.str() + "\n\n"});
  };
  chunk(scaled(static_cast<double>(speed.first_token_ms)), [](JsonWriter& w) { w.key("role").value("assistant").key("content").value(""); }, nullptr, false);
  auto deltas = [&](const std::vector<TokenId>& ids, const char* field) {
    // A few tokens per event, split on token boundaries.
    constexpr size_t kPerChunk = 4;
    for (size_t i = 0; i < ids.size(); i += kPerChunk) {
      size_t n = std::min(kPerChunk, ids.size() - i);
      std::string piece = *tokenizer_.decode(std::span<const TokenId>(ids.data() + i, n));
      chunk(scaled(ms_per_token * static_cast<double>(n)),
            [&](JsonWriter& w) { w.key(field).value(piece); }, nullptr, false);
    }
  };
  deltas(reasoning_ids, "reasoning_content");
  deltas(content_ids, "content");
  for (size_t i = 0; i < calls.size(); ++i) {
    chunk(scaled(ms_per_token * static_cast<double>(tool_tokens)), [&](JsonWriter& w) {
      w.key("tool_calls").begin_array().begin_object();
      w.key("index").value(static_cast<std::int64_t>(i)).key("id").value(calls[i].id).key("type").value("function");
      w.key("function").begin_object().key("name").value(calls[i].name).key("arguments").value(calls[i].arguments);
      w.end_object().end_object().end_array();
    }, nullptr, false);
  }
  chunk(std::chrono::milliseconds(0), [](JsonWriter& w) { w.key("content").value("").key("role").null(); },
        finish.c_str(), true);
  chunks.push_back({std::chrono::milliseconds(0), "data: [DONE]\n\n"});
  net::Response r;
  r.headers.emplace_back("content-type", "text/event-stream; charset=utf-8");
  r.headers.emplace_back("cache-control", "no-cache");
  r.stream = std::move(chunks);
  return r;
}

}  // namespace ff::sim
