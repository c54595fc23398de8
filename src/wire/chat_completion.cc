#include "wire/chat_completion.h"

#include <simdjson.h>

#include "wire/usage_ondemand.h"

namespace ff::wire {

namespace dom = simdjson::dom;
namespace od = simdjson::ondemand;

ChoiceView first_choice(const dom::element& completion) {
  ChoiceView c;
  dom::element choice;
  if (completion.type() != dom::element_type::OBJECT || completion["choices"].at(0).get(choice)) return c;
  c.present = true;
  std::string_view s;
  if (!choice["finish_reason"].get_string().get(s)) c.finish_reason = s;
  dom::element message;  // looked up once: each lookup by name reads the members before it
  if (choice["message"].get(message)) return c;
  if (!message["content"].get_string().get(s)) c.content = s;
  dom::array calls;
  c.has_calls = !message["tool_calls"].get_array().get(calls) && calls.size() > 0;
  return c;
}

namespace {

// A member whose value is a string (set once: the first naming counts); false
// on a parse error. Another type leaves `out` unset.
bool string_member(od::value v, bool& named, std::optional<std::string_view>& out) {
  if (named) return true;
  named = true;
  od::json_type type;
  if (v.type().get(type)) return false;
  if (type != od::json_type::string) return true;
  std::string_view s;
  if (v.get_string().get(s)) return false;
  out = s;
  return true;
}

// The message object of a choice; false for tool calls, another type, or a
// parse error.
bool read_message(od::value v, ChoiceView& c) {
  od::object message;
  if (v.get_object().get(message)) return false;
  bool content_named = false, calls_named = false;
  for (auto member : message) {
    od::field f;
    if (std::move(member).get(f)) return false;
    if (f.key().unsafe_is_equal("content")) {
      if (!string_member(f.value(), content_named, c.content)) return false;
    } else if (f.key().unsafe_is_equal("tool_calls") && !calls_named) {
      calls_named = true;
      od::json_type type;
      if (f.value().type().get(type)) return false;
      if (type == od::json_type::array) {
        od::array calls;
        if (f.value().get_array().get(calls)) return false;
        for (auto call : calls) {
          (void)call;
          return false;  // a tool call: the DOM's reader checks it
        }
      }
    }
  }
  return true;
}

// The `choices` array: exactly one object.
bool read_choices(od::value v, ChoiceView& c) {
  od::array choices;
  if (v.get_array().get(choices)) return false;
  for (auto element : choices) {
    if (c.present) return false;  // a second choice (the DOM's reader looks at every one)
    od::object choice;
    if (element.get_object().get(choice)) return false;
    c.present = true;
    bool finish_named = false, message_named = false;
    for (auto member : choice) {
      od::field f;
      if (std::move(member).get(f)) return false;
      if (f.key().unsafe_is_equal("finish_reason")) {
        if (!string_member(f.value(), finish_named, c.finish_reason)) return false;
      } else if (f.key().unsafe_is_equal("message") && !message_named) {
        message_named = true;
        if (!read_message(f.value(), c)) return false;
      }
    }
  }
  return c.present;
}

// The `usage` member: null, or an object whose counts are well formed.
bool read_usage_member(od::value v, UsageRead& out) {
  od::json_type type;
  if (v.type().get(type)) return false;
  if (type == od::json_type::null) return true;  // kAbsent
  od::object usage;
  if (type != od::json_type::object || v.get_object().get(usage)) return false;
  UsageFields fields;
  if (!collect_usage(usage, fields)) return false;
  auto billed = billed_usage(fields);
  if (!billed.ok()) {
    out.status = UsageRead::Status::kInvalid;
    out.why = billed.error().message;
  } else {
    out.status = UsageRead::Status::kOk;
    out.usage = *billed;
  }
  return true;
}

}  // namespace

std::optional<CompletionRead> read_completion(const std::string& body) {
  if (body.find("\\u") != std::string::npos) return std::nullopt;
  thread_local od::parser parser;
  od::document doc;
  od::object root;
  if (parser.iterate(body).get(doc) || doc.get_object().get(root)) return std::nullopt;
  CompletionRead out;
  bool choices_named = false, usage_named = false;
  for (auto member : root) {
    od::field f;
    if (std::move(member).get(f)) return std::nullopt;
    if (f.key().unsafe_is_equal("choices") && !choices_named) {
      choices_named = true;
      if (!read_choices(f.value(), out.choice)) return std::nullopt;
    } else if (f.key().unsafe_is_equal("usage") && !usage_named) {
      usage_named = true;
      if (!read_usage_member(f.value(), out.usage)) return std::nullopt;
    }
  }
  if (!choices_named) return std::nullopt;
  // Nothing may follow the object (the iteration above ends at its close).
  const char* after = nullptr;
  if (!doc.current_location().get(after)) return std::nullopt;
  return out;
}

}  // namespace ff::wire
