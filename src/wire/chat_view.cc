#include "wire/chat_view.h"

#include <fmt/format.h>

#include "wire/json_read.h"

namespace ff::wire {

namespace dom = simdjson::dom;

namespace {

using Member = simdjson::simdjson_result<dom::element>;

// The top-level members a view reads, found in one pass over the request's
// keys (where root["name"] scans them once per name). A repeated key counts
// once, its first time, as root["name"] finds it.
struct TopLevel {
  Member messages{simdjson::NO_SUCH_FIELD}, system{simdjson::NO_SUCH_FIELD}, tools{simdjson::NO_SUCH_FIELD},
      response_format{simdjson::NO_SUCH_FIELD}, max_tokens{simdjson::NO_SUCH_FIELD},
      max_completion_tokens{simdjson::NO_SUCH_FIELD}, max_output_tokens{simdjson::NO_SUCH_FIELD},
      model{simdjson::NO_SUCH_FIELD}, thinking{simdjson::NO_SUCH_FIELD};

  explicit TopLevel(const dom::object& root) {
    for (dom::key_value_pair kv : root) {
      Member* slot = member(kv.key);
      if (slot != nullptr && slot->error() != simdjson::SUCCESS) *slot = Member(dom::element(kv.value));
    }
  }
  Member* member(std::string_view key) {
    if (key == "messages") return &messages;
    if (key == "model") return &model;
    if (key == "max_tokens") return &max_tokens;
    if (key == "tools") return &tools;
    if (key == "system") return &system;
    if (key == "response_format") return &response_format;
    if (key == "max_completion_tokens") return &max_completion_tokens;
    if (key == "max_output_tokens") return &max_output_tokens;
    if (key == "thinking") return &thinking;
    return nullptr;
  }
  // wire::output_cap of the request.
  std::int64_t output_cap() const {
    std::int64_t cap = 0;
    for (const Member* m : {&max_tokens, &max_completion_tokens, &max_output_tokens}) {
      std::int64_t v = 0;
      if (!m->get_int64().get(v) && v > 0) cap = v;
    }
    return cap;
  }
};

}  // namespace

void ChatView::note(std::string problem) {
  if (problem_.empty()) problem_ = std::move(problem);
}

ChatView::ChatView(const dom::element& root, Protocol protocol) : protocol_(protocol) {
  if (root.type() != dom::element_type::OBJECT) {
    note("the request must be a JSON object");
    return;
  }
  const TopLevel top(root.get_object().value_unsafe());
  dom::array messages;
  const bool has_messages = !top.messages.get_array().get(messages);
  if (!has_messages) {
    note("the request has no `messages` array");
  } else if (messages.size() == 0) {
    note("`messages` is empty");
  }
  if (const Member& sys = top.system; sys.error() == simdjson::SUCCESS) {
    std::string_view s;
    dom::array blocks;
    if (!sys.get_string().get(s)) {
      system_.push_back(s);
    } else if (!sys.get_array().get(blocks)) {
      for (dom::element b : blocks) {
        if (!b["text"].get_string().get(s)) system_.push_back(s);
      }
    } else {
      note("`system` must be a string or an array of text blocks");
    }
  }
  // What is wrong with a message's shape is said before what is wrong with any
  // message's content.
  std::string shape_problem, content_problem;
  if (has_messages) {
    messages_.reserve(messages.size());
    std::size_t i = 0;
    for (dom::element m : messages) {
      std::string_view role;
      if (m.type() != dom::element_type::OBJECT) {
        if (shape_problem.empty()) shape_problem = fmt::format("messages[{}] must be an object", i);
      } else if (m["role"].get_string().get(role)) {
        if (shape_problem.empty()) shape_problem = fmt::format("messages[{}].role must be a string", i);
      } else {
        read_message(i, m, content_problem);
        messages_.back().role = role;
      }
      ++i;
    }
  }
  note(std::move(shape_problem));
  note(std::move(content_problem));

  if (const Member& tools = top.tools; present(tools)) {
    dom::array list;
    if (tools.get_array().get(list)) {
      note("`tools` must be an array");
    } else {
      tools_.reserve(list.size());
      const bool messages_shape = protocol == Protocol::kAnthropic;
      for (dom::element t : list) {
        ToolView& v = tools_.emplace_back();
        v.tool = t;
        v.has_name = !(messages_shape ? t["name"] : t["function"]["name"]).get_string().get(v.name);
        v.has_schema = !(messages_shape ? t["input_schema"] : t["function"]["parameters"]).get(v.schema);
      }
    }
  }
  response_format_type_ = string_or_empty(top.response_format["type"]);
  for (const auto& [name, mt] : {std::pair<std::string_view, const Member&>{"max_tokens", top.max_tokens},
                                  {"max_completion_tokens", top.max_completion_tokens}}) {
    if (present(mt)) {
      if (mt.get_int64().get(max_tokens_)) note(fmt::format("`{}` must be an integer", name));
    }
  }
  output_cap_ = top.output_cap();
  model_ = string_or_empty(top.model);
  thinking_type_ = string_or_empty(top.thinking["type"]);
}

void ChatView::read_message(std::size_t i, const dom::element& m, std::string& content_problem) {
  MessageView& v = messages_.emplace_back();
  v.index = i;
  auto problem = [&](std::string_view tail) {
    if (content_problem.empty()) content_problem = fmt::format("messages[{}]{}", i, tail);
  };
  dom::element content;
  if (m["content"].get(content) == simdjson::SUCCESS) {
    dom::array parts;
    if (!content.get_string().get(v.text)) {
      v.content = MessageView::Content::kText;
    } else if (!content.get_array().get(parts)) {
      v.content = MessageView::Content::kParts;
      v.first_part = parts_.size();
      for (dom::element p : parts) {
        PartView part;
        part.part = p;
        if (p.type() != dom::element_type::OBJECT || p["type"].get_string().get(part.type)) {
          problem(".content parts must be objects with a `type`");
          v.untyped_part = true;
          continue;
        }
        part.has_text = !p["text"].get_string().get(part.text);
        if (part.type == "text" && !part.has_text) problem(".content text part needs a string `text`");
        parts_.push_back(part);
      }
      v.part_count = parts_.size() - v.first_part;
    } else if (content.is_null()) {
      v.content = MessageView::Content::kNull;
    } else {
      v.content = MessageView::Content::kOther;
      problem(".content must be a string, an array of parts or null");
    }
  }
  if (auto tc = m["tool_calls"]; present(tc)) {
    dom::array calls;
    if (tc.get_array().get(calls)) {
      problem(".tool_calls must be an array");
    } else {
      v.first_call = calls_.size();
      for (dom::element c : calls) {
        ToolCallView call;
        call.has_id = !c["id"].get_string().get(call.id);
        call.name = string_or_empty(c["function"]["name"]);
        call.has_arguments = !c["function"]["arguments"].get_string().get(call.arguments);
        calls_.push_back(call);
      }
      v.call_count = calls_.size() - v.first_call;
    }
  }
  const auto reasoning = m["reasoning_content"];
  v.has_reasoning = present(reasoning);
  if (std::string_view r; !reasoning.get_string().get(r)) v.reasoning = r;
  if (std::string_view id; !m["tool_call_id"].get_string().get(id)) v.tool_call_id = id;
}

std::int64_t output_cap(const dom::element& request) {
  dom::object root;
  return request.get_object().get(root) ? 0 : TopLevel(root).output_cap();
}

}  // namespace ff::wire
