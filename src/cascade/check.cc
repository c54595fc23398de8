#include "cascade/check.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>

#include "wire/chat_completion.h"
#include "wire/chat_view.h"

namespace ff::cascade {

namespace dom = simdjson::dom;

namespace {

bool type_matches(dom::element v, std::string_view type) {
  switch (v.type()) {
    case dom::element_type::OBJECT:
      return type == "object";
    case dom::element_type::ARRAY:
      return type == "array";
    case dom::element_type::STRING:
      return type == "string";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
      return type == "integer" || type == "number";
    case dom::element_type::DOUBLE: {
      double d = 0;
      if (v.get_double().get(d)) return false;
      return type == "number" || (type == "integer" && std::floor(d) == d);
    }
    case dom::element_type::BOOL:
      return type == "boolean";
    case dom::element_type::NULL_VALUE:
      return type == "null";
  }
  return false;
}

std::optional<std::string> check(dom::element schema, dom::element v, const std::string& where, int depth) {
  if (depth > 32 || schema.type() != dom::element_type::OBJECT) return std::nullopt;
  std::string_view type;
  dom::array types;
  if (!schema["type"].get_string().get(type)) {
    if (!type_matches(v, type)) return fmt::format("{} must be {}", where, type);
  } else if (!schema["type"].get_array().get(types)) {
    bool any = false;
    for (dom::element t : types) {
      std::string_view s;
      if (!t.get_string().get(s) && type_matches(v, s)) any = true;
    }
    if (!any) return fmt::format("{} has none of the allowed types", where);
  }
  dom::array allowed;
  if (!schema["enum"].get_array().get(allowed)) {
    const std::string got = simdjson::minify(v);
    bool found = false;
    for (dom::element a : allowed) found = found || simdjson::minify(a) == got;
    if (!found) return fmt::format("{} is not one of the allowed values", where);
  }
  if (v.type() == dom::element_type::OBJECT) {
    dom::array required;
    if (!schema["required"].get_array().get(required)) {
      for (dom::element r : required) {
        std::string_view name;
        if (r.get_string().get(name)) continue;
        if (v[name].error())
          return fmt::format("missing required property '{}'{}", name, where == "arguments" ? "" : " in " + where);
      }
    }
    dom::object props;
    if (!schema["properties"].get_object().get(props)) {
      for (auto [name, sub] : props) {
        dom::element value;
        if (v[name].get(value)) continue;
        if (auto e = check(sub, value, fmt::format("'{}'", name), depth + 1)) return e;
      }
    }
  }
  if (v.type() == dom::element_type::ARRAY) {
    dom::element items;
    if (!schema["items"].get(items)) {
      std::size_t i = 0;
      for (dom::element item : dom::array(v)) {
        if (auto e = check(items, item, fmt::format("{}[{}]", where, i++), depth + 1)) return e;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_schema(std::string_view schema_json, std::string_view value_json) {
  thread_local dom::parser sp, vp;  // parsers keep their buffers: reused per thread
  dom::element schema, value;
  if (sp.parse(schema_json.data(), schema_json.size()).get(schema)) return std::nullopt;  // no usable schema
  if (vp.parse(value_json.data(), value_json.size()).get(value)) return "arguments are not valid JSON";
  return check(schema, value, "arguments", 0);
}

namespace {

// The request's tools, each read by `name_of` and `schema_of` in its shape.
template <typename NameOf, typename SchemaOf>
void read_tools(const dom::element& req, Terms& terms, NameOf name_of, SchemaOf schema_of) {
  dom::array tools;
  if (req["tools"].get_array().get(tools)) return;
  for (dom::element t : tools) {
    std::string_view name;
    if (name_of(t).get(name)) continue;
    dom::element schema;
    const bool has_schema = !schema_of(t).get(schema) && schema.type() == dom::element_type::OBJECT;
    terms.tools.push_back({std::string(name), has_schema ? simdjson::minify(schema) : std::string()});
  }
}

bool is_json_object(simdjson::simdjson_result<dom::element> type) {
  std::string_view v;
  return !type.get_string().get(v) && v == "json_object";
}

// Why a call of tool `name` with `arguments` (JSON text) fails the terms, or nullopt.
std::optional<std::string> check_call(const Terms& terms, std::string_view name, std::string_view arguments) {
  for (const Terms::Tool& t : terms.tools) {
    if (t.name != name) continue;
    if (t.schema.empty()) return std::nullopt;
    if (auto e = check_schema(t.schema, arguments.empty() ? "{}" : arguments)) {
      return fmt::format("tool '{}': {}", name, *e);
    }
    return std::nullopt;
  }
  return fmt::format("tool call to undefined tool '{}'", name);
}

// The terms of a request given as text: none when it cannot be read.
template <typename Read>
Terms terms_of_text(std::string_view request_body, Read read) {
  thread_local dom::parser rq;
  dom::element req;
  if (rq.parse(request_body.data(), request_body.size()).get(req) || req.type() != dom::element_type::OBJECT) {
    return Terms{};
  }
  return read(req);
}

constexpr const char* kUncappedCut = " at the model's own output limit (the client set no max_tokens)";

}  // namespace

Terms terms_of(const wire::ChatView& request) {
  Terms t;
  t.capped = request.capped();
  t.json_object = request.protocol() != wire::Protocol::kAnthropic && request.response_format_type() == "json_object";
  t.tools.reserve(request.tools().size());
  for (const wire::ToolView& tool : request.tools()) {
    if (!tool.has_name) continue;
    const bool object = tool.has_schema && tool.schema.type() == dom::element_type::OBJECT;
    t.tools.push_back({std::string(tool.name), object ? simdjson::minify(tool.schema) : std::string()});
  }
  return t;
}

Terms chat_terms(const dom::element& req) { return terms_of(wire::ChatView(req, wire::Protocol::kOpenAi)); }

Terms messages_terms(const dom::element& req) { return terms_of(wire::ChatView(req, wire::Protocol::kAnthropic)); }

Terms responses_terms(const dom::element& req) {
  Terms t;
  if (req.type() != dom::element_type::OBJECT) return t;
  t.capped = wire::output_cap(req) > 0;
  t.json_object = is_json_object(req["text"]["format"]["type"]);
  read_tools(
      req, t, [](dom::element x) { return x["name"].get_string(); }, [](dom::element x) { return x["parameters"]; });
  return t;
}

std::optional<std::string> check_answer(std::string_view request_body, std::string_view response_body) {
  thread_local dom::parser rs;
  dom::element res;
  if (rs.parse(response_body.data(), response_body.size()).get(res)) return "not a chat completion";
  return check_answer(terms_of_text(request_body, chat_terms), res);
}

std::optional<std::string> check_answer(std::string_view request_body, const dom::element& response) {
  return check_answer(terms_of_text(request_body, chat_terms), response);
}

std::optional<std::string> check_choice(const Terms& terms, const wire::ChoiceView& choice) {
  if (!choice.present) return "not a chat completion";
  if (choice.finish_reason) {
    const std::string_view finish = *choice.finish_reason;
    if (finish == "length") {
      // A cut at the client's own cap passes as it is, even with no content
      // (in thinking mode reasoning counts against the cap too).
      if (terms.capped) return std::nullopt;
      return fmt::format("finish_reason length{}", kUncappedCut);
    }
    if (finish == "content_filter" || finish == "insufficient_system_resource") {
      return fmt::format("finish_reason {}", finish);
    }
  }
  const bool has_content = choice.content && choice.content->find_first_not_of(" \t\r\n") != std::string_view::npos;
  if (!has_content && !choice.has_calls) return "empty answer";
  if (has_content && terms.json_object) {
    thread_local dom::parser jp;
    dom::element j;
    if (jp.parse(choice.content->data(), choice.content->size()).get(j) || j.type() != dom::element_type::OBJECT) {
      return "answer is not a JSON object under json_object";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_answer(const Terms& terms, const dom::element& res) {
  const wire::ChoiceView choice = wire::first_choice(res);
  if (auto failure = check_choice(terms, choice)) return failure;
  dom::array calls;
  if (choice.has_calls && !res["choices"].at(0)["message"]["tool_calls"].get_array().get(calls)) {
    for (dom::element call : calls) {
      std::string_view name, args;
      if (call["function"]["name"].get_string().get(name)) return "tool call without a name";
      if (call["function"]["arguments"].get_string().get(args)) args = "{}";
      if (auto failure = check_call(terms, name, args)) return failure;
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_anthropic_answer(std::string_view request_body, std::string_view response_body) {
  thread_local dom::parser rs;
  dom::element res;
  if (rs.parse(response_body.data(), response_body.size()).get(res)) return "not a message";
  return check_anthropic_answer(terms_of_text(request_body, messages_terms), res);
}

std::optional<std::string> check_anthropic_answer(const Terms& terms, const dom::element& res) {
  dom::array blocks;
  std::string_view type;
  if (res.type() != dom::element_type::OBJECT || res["type"].get_string().get(type) || type != "message" ||
      res["content"].get_array().get(blocks)) {
    return "not a message";
  }
  std::string_view stop;
  if (!res["stop_reason"].get_string().get(stop)) {
    if (stop == "max_tokens") {
      if (terms.capped) return std::nullopt;
      return fmt::format("stop_reason max_tokens{}", kUncappedCut);
    }
    if (stop == "refusal") return "stop_reason refusal";
  }
  bool has_text = false, has_calls = false;
  for (dom::element b : blocks) {
    std::string_view bt, text;
    if (b["type"].get_string().get(bt)) continue;
    if (bt == "text" && !b["text"].get_string().get(text) &&
        text.find_first_not_of(" \t\r\n") != std::string_view::npos) {
      has_text = true;
    }
    if (bt == "tool_use") has_calls = true;
  }
  if (!has_text && !has_calls) return "empty answer";
  for (dom::element b : blocks) {
    std::string_view bt, name;
    if (b["type"].get_string().get(bt) || bt != "tool_use") continue;
    if (b["name"].get_string().get(name)) return "tool call without a name";
    dom::element input;
    const bool has_input = !b["input"].get(input);
    const Terms::Tool* tool = nullptr;
    for (const Terms::Tool& t : terms.tools) {
      if (t.name == name) {
        tool = &t;
        break;
      }
    }
    if (tool == nullptr) return fmt::format("tool call to undefined tool '{}'", name);
    if (!has_input) return fmt::format("tool '{}': no input", name);
    if (!tool->schema.empty()) {
      if (auto e = check_schema(tool->schema, simdjson::minify(input))) return fmt::format("tool '{}': {}", name, *e);
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_responses_answer(std::string_view request_body, const dom::element& res) {
  return check_responses_answer(terms_of_text(request_body, responses_terms), res);
}

std::optional<std::string> check_responses_answer(const Terms& terms, const dom::element& res) {
  std::string_view status, object;
  dom::array items;
  if (res.type() != dom::element_type::OBJECT || res["object"].get_string().get(object) || object != "response" ||
      res["output"].get_array().get(items)) {
    return "not a response";
  }
  if (!res["status"].get_string().get(status)) {
    if (status == "failed") return "status failed";
    if (status == "incomplete") {
      std::string_view reason;
      if (res["incomplete_details"]["reason"].get_string().get(reason)) reason = "unknown";
      if (reason != "max_output_tokens") return fmt::format("status incomplete ({})", reason);
      if (terms.capped) return std::nullopt;
      return fmt::format("status incomplete (max_output_tokens){}", kUncappedCut);
    }
  }
  std::string text;
  bool has_calls = false;
  for (dom::element item : items) {
    std::string_view type;
    if (item["type"].get_string().get(type)) continue;
    has_calls = has_calls || type == "function_call";
    dom::array parts;
    if (type != "message" || item["content"].get_array().get(parts)) continue;
    for (dom::element p : parts) {
      std::string_view pt, t;
      if (!p["type"].get_string().get(pt) && pt == "output_text" && !p["text"].get_string().get(t)) text.append(t);
    }
  }
  const bool has_text = text.find_first_not_of(" \t\r\n") != std::string::npos;
  if (!has_text && !has_calls) return "empty answer";
  if (has_text && terms.json_object) {
    thread_local dom::parser jp;
    dom::element j;
    if (jp.parse(text.data(), text.size()).get(j) || j.type() != dom::element_type::OBJECT) {
      return "answer is not a JSON object under json_object";
    }
  }
  for (dom::element item : items) {
    std::string_view type, name, args;
    if (item["type"].get_string().get(type) || type != "function_call") continue;
    if (item["name"].get_string().get(name)) return "tool call without a name";
    if (item["arguments"].get_string().get(args)) args = "{}";
    if (auto failure = check_call(terms, name, args)) return failure;
  }
  return std::nullopt;
}

}  // namespace ff::cascade
