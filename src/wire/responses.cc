#include "wire/responses.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <optional>

#include "core/json_writer.h"
#include "wire/json_read.h"

namespace ff::wire {

namespace dom = simdjson::dom;
using core::JsonWriter;

namespace {

// One chat message being built from Responses input items (function calls join
// the assistant turn before them, so messages are gathered before they are written).
struct ChatMessage {
  std::string role;
  std::string text;
  std::vector<std::string> images;  // image URLs (or file ids), as image_url parts
  std::optional<std::string> reasoning;
  struct Call {
    std::string id, name, arguments;
  };
  std::vector<Call> calls;
  std::string tool_call_id;
};

// The text of a content value (a string or a list of parts) into `m`.
std::optional<std::string> read_content(dom::element content, std::string_view where, ChatMessage& m) {
  std::string_view s;
  if (!content.get_string().get(s)) {
    m.text.append(s);
    return std::nullopt;
  }
  dom::array parts;
  if (content.get_array().get(parts)) return fmt::format("{}.content must be a string or a list of parts", where);
  std::size_t j = 0;
  for (dom::element p : parts) {
    std::string_view type;
    if (p["type"].get_string().get(type)) return fmt::format("{}.content[{}] needs a string `type`", where, j);
    if (type == "input_text" || type == "output_text" || type == "text") {
      if (p["text"].get_string().get(s)) return fmt::format("{}.content[{}].text must be a string", where, j);
      m.text.append(s);
    } else if (type == "refusal") {
      if (!p["refusal"].get_string().get(s)) m.text.append(s);
    } else if (type == "input_image") {
      if (!p["image_url"].get_string().get(s) || !p["file_id"].get_string().get(s)) m.images.emplace_back(s);
    } else if (type != "input_file" && type != "input_audio") {
      return fmt::format("{}.content[{}].type '{}' is not one of input_text, output_text, input_image, input_file",
                         where, j, type);
    }
    ++j;
  }
  return std::nullopt;
}

// The text of a reasoning item: its reasoning_text parts, else its summary.
std::string reasoning_text(dom::element item) {
  std::string out;
  for (const char* field : {"content", "summary"}) {
    dom::array parts;
    if (item[field].get_array().get(parts)) continue;
    for (dom::element p : parts) {
      std::string_view s;
      if (!p["text"].get_string().get(s)) out.append(s);
    }
    if (!out.empty()) break;
  }
  return out;
}

// `input` as chat messages (after any system message from `instructions`).
std::optional<std::string> read_input(dom::element input, std::vector<ChatMessage>& out) {
  std::string_view s;
  if (!input.get_string().get(s)) {
    out.push_back({"user", std::string(s), {}, std::nullopt, {}, ""});
    return std::nullopt;
  }
  dom::array items;
  if (input.get_array().get(items)) return std::string("`input` must be a string or a list of items");
  if (items.size() == 0) return std::string("`input` is empty");
  std::optional<std::string> pending_reasoning;  // from a reasoning item, for the assistant turn after it
  auto assistant_turn = [&]() -> ChatMessage& {
    out.push_back({"assistant", "", {}, std::move(pending_reasoning), {}, ""});
    pending_reasoning.reset();
    return out.back();
  };
  std::size_t i = 0;
  for (dom::element item : items) {
    const std::string where = fmt::format("input[{}]", i++);
    if (item.type() != dom::element_type::OBJECT) return where + " must be an object";
    std::string_view type = "message";
    if (auto t = item["type"]; present(t) && t.get_string().get(type)) return where + ".type must be a string";
    if (type == "message") {
      std::string_view role;
      if (item["role"].get_string().get(role)) return where + " needs a string `role`";
      if (role != "user" && role != "assistant" && role != "system" && role != "developer") {
        return fmt::format("{}.role '{}' is not one of user, assistant, system, developer", where, role);
      }
      dom::element content;
      if (item["content"].get(content)) return where + " needs `content`";
      ChatMessage& m =
          role == "assistant" ? assistant_turn() : out.emplace_back(ChatMessage{role == "system" ? "system" : "user"});
      if (auto err = read_content(content, where, m)) return err;
    } else if (type == "function_call") {
      std::string_view id, name, args;
      if (item["call_id"].get_string().get(id)) return where + " (function_call) needs a string `call_id`";
      if (item["name"].get_string().get(name)) return where + " (function_call) needs a string `name`";
      if (item["arguments"].get_string().get(args)) return where + " (function_call) needs `arguments` as a string";
      // Calls join the assistant turn just before them (a text, or other calls).
      ChatMessage& m =
          !out.empty() && out.back().role == "assistant" && !pending_reasoning ? out.back() : assistant_turn();
      m.calls.push_back({std::string(id), std::string(name), std::string(args)});
    } else if (type == "function_call_output") {
      std::string_view id;
      if (item["call_id"].get_string().get(id)) return where + " (function_call_output) needs a string `call_id`";
      dom::element output;
      if (item["output"].get(output)) return where + " (function_call_output) needs `output`";
      ChatMessage& m = out.emplace_back(ChatMessage{"tool"});
      m.tool_call_id = std::string(id);
      if (auto err = read_content(output, where, m)) return where + ".output must be a string or a list of parts";
    } else if (type == "reasoning") {
      pending_reasoning = reasoning_text(item);
    } else if (type == "item_reference") {
      return where + ": item_reference is not supported: the DeepSeek Responses API keeps no items; send them whole";
    } else {
      return fmt::format("{}.type '{}' is not one of message, function_call, function_call_output, reasoning", where,
                         type);
    }
  }
  if (out.empty()) return std::string("`input` has no message, function call or function call output");
  return std::nullopt;
}

void write_messages(JsonWriter& w, const std::vector<ChatMessage>& messages) {
  w.key("messages").begin_array();
  for (const ChatMessage& m : messages) {
    w.begin_object().key("role").value(m.role);
    if (m.images.empty()) {
      w.key("content").value(m.text);
    } else {
      w.key("content").begin_array();
      if (!m.text.empty()) w.begin_object().key("type").value("text").key("text").value(m.text).end_object();
      for (const std::string& url : m.images) {
        w.begin_object().key("type").value("image_url");
        w.key("image_url").begin_object().key("url").value(url).end_object().end_object();
      }
      w.end_array();
    }
    if (m.reasoning) w.key("reasoning_content").value(*m.reasoning);
    if (!m.calls.empty()) {
      w.key("tool_calls").begin_array();
      for (const ChatMessage::Call& c : m.calls) {
        w.begin_object().key("id").value(c.id).key("type").value("function");
        w.key("function").begin_object().key("name").value(c.name).key("arguments").value(c.arguments);
        w.end_object().end_object();
      }
      w.end_array();
    }
    if (m.role == "tool") w.key("tool_call_id").value(m.tool_call_id);
    w.end_object();
  }
  w.end_array();
}

}  // namespace

core::Result<std::string> responses_as_chat(const dom::element& root) {
  if (root.type() != dom::element_type::OBJECT) return core::make_error("the request body must be a JSON object");
  for (const char* name : {"previous_response_id", "conversation"}) {
    if (present(root[name])) {
      return core::make_error(fmt::format(
          "`{}` is not supported: the DeepSeek Responses API is stateless; send the whole conversation in `input`",
          name));
    }
  }
  bool background = false;
  if (!root["background"].get_bool().get(background) && background) {
    return core::make_error("`background` is not supported: the DeepSeek Responses API answers in the request");
  }

  JsonWriter w(true);
  w.begin_object();
  // Members that mean the same in both formats, as sent.
  for (const char* name : {"model", "stream", "temperature", "top_p", "user_id", "metadata"}) {
    dom::element v;
    if (!root[name].get(v)) w.key(name).number_text(simdjson::minify(v));
  }
  if (auto v = root["max_output_tokens"]; present(v)) {
    std::int64_t n = 0;
    if (v.get_int64().get(n)) return core::make_error("`max_output_tokens` must be an integer");
    w.key("max_tokens").value(n);
  }
  if (auto r = root["reasoning"]; present(r)) {
    if (r.type() != dom::element_type::OBJECT) return core::make_error("`reasoning` must be an object");
    if (auto e = r["effort"]; present(e)) {
      std::string_view effort;
      if (e.get_string().get(effort)) return core::make_error("`reasoning.effort` must be a string");
      if (effort == "none") {
        w.key("thinking").begin_object().key("type").value("disabled").end_object();
      } else {
        w.key("reasoning_effort").value(effort);
      }
    }
  }
  if (auto f = root["text"]["format"]; present(f)) {
    std::string_view type;
    if (f["type"].get_string().get(type)) return core::make_error("`text.format` needs a string `type`");
    // DeepSeek's JSON mode is json_object; it has no json_schema (reference §2).
    if (type == "json_object") {
      w.key("response_format").begin_object().key("type").value("json_object").end_object();
    } else if (type != "text") {
      return core::make_error(fmt::format(
          "text.format.type '{}' is not supported: use text or json_object (DeepSeek has no json_schema)", type));
    }
  }
  if (auto tools = root["tools"]; present(tools)) {
    dom::array list;
    if (tools.get_array().get(list)) return core::make_error("`tools` must be a list");
    w.key("tools").begin_array();
    std::size_t i = 0;
    for (dom::element t : list) {
      std::string_view type, name;
      if (t["type"].get_string().get(type)) return core::make_error(fmt::format("tools[{}] needs a string `type`", i));
      ++i;
      if (type != "function") continue;  // hosted tools say nothing about the task
      if (t["name"].get_string().get(name)) {
        return core::make_error(fmt::format("tools[{}]: a function tool needs a string `name`", i - 1));
      }
      w.begin_object().key("type").value("function").key("function").begin_object().key("name").value(name);
      for (const char* field : {"description", "parameters", "strict"}) {
        dom::element v;
        if (!t[field].get(v)) w.key(field).number_text(simdjson::minify(v));
      }
      w.end_object().end_object();
    }
    w.end_array();
  }
  if (auto tc = root["tool_choice"]; present(tc)) {
    std::string_view s, name;
    if (!tc.get_string().get(s)) {
      w.key("tool_choice").value(s);
    } else if (!tc["type"].get_string().get(s) && s == "function" && !tc["name"].get_string().get(name)) {
      w.key("tool_choice").begin_object().key("type").value("function");
      w.key("function").begin_object().key("name").value(name).end_object().end_object();
    } else {
      return core::make_error("`tool_choice` must be none, auto, required or {\"type\":\"function\",\"name\":...}");
    }
  }

  std::vector<ChatMessage> messages;
  if (auto ins = root["instructions"]; present(ins)) {
    std::string_view s;
    if (ins.get_string().get(s)) return core::make_error("`instructions` must be a string");
    messages.push_back({"system", std::string(s), {}, std::nullopt, {}, ""});
  }
  dom::element input;
  if (root["input"].get(input) || input.is_null()) return core::make_error("`input` is required");
  if (auto err = read_input(input, messages)) return core::make_error(std::move(*err));
  write_messages(w, messages);
  w.end_object();
  return w.str();
}

bool ends_response_stream(std::string_view type) {
  return type == "response.completed" || type == "response.incomplete" || type == "response.failed";
}

namespace {

// Writes the members of `object` as they are, except those `skip` names; returns nothing.
template <typename Skip>
void copy_members(JsonWriter& w, dom::element object, Skip skip) {
  dom::object o;
  if (object.get(o)) return;
  for (auto [key, value] : o) {
    if (!skip(key)) w.key(key).number_text(simdjson::minify(value));
  }
}

std::string string_of(dom::element e, const char* field) {
  std::string_view s;
  return e[field].get_string().get(s) ? std::string() : std::string(s);
}

class EventWriter {
 public:
  explicit EventWriter(std::vector<ResponseEvent>& out) : out_(out) {}

  // An event of `type`, its other members written by `fill`.
  template <typename Fill>
  void add(std::string_view type, Fill fill, std::string delta = {}, std::string_view flashfirst = {}) {
    JsonWriter w(true);
    w.begin_object().key("type").value(type).key("sequence_number").value(sequence_++);
    fill(w);
    if (!flashfirst.empty()) w.key("flashfirst").number_text(flashfirst);
    w.end_object();
    out_.push_back({fmt::format("event: {}\ndata: {}\n\n", type, w.str()), std::move(delta)});
  }

 private:
  std::vector<ResponseEvent>& out_;
  std::int64_t sequence_ = 0;
};

}  // namespace

std::vector<ResponseEvent> response_events(const dom::element& response, const DeltaSplit& split,
                                           std::string_view flashfirst) {
  std::vector<ResponseEvent> out;
  EventWriter events(out);
  auto pieces = [&](std::string_view text) {
    return split ? split(text) : std::vector<std::string>{std::string(text)};
  };
  // The response as it stands before any output: in progress, no output, no usage.
  auto in_progress = [&](JsonWriter& w) {
    w.key("response").begin_object();
    copy_members(w, response, [](std::string_view k) {
      return k == "status" || k == "output" || k == "usage" || k == "incomplete_details";
    });
    w.key("status").value("in_progress").key("output").begin_array().end_array();
    w.key("incomplete_details").null().key("usage").null();
    w.end_object();
  };
  events.add("response.created", in_progress);
  events.add("response.in_progress", in_progress);

  // Each output item: added, its parts and their deltas, done.
  auto stream_item = [&](dom::element item, std::int64_t index) {
    const std::string type = string_of(item, "type"), id = string_of(item, "id");
    auto where = [&](JsonWriter& w) { w.key("item_id").value(id).key("output_index").value(index); };
    // output_item.added: the item with its text still to come.
    events.add("response.output_item.added", [&](JsonWriter& w) {
      w.key("output_index").value(index).key("item").begin_object();
      copy_members(w, item, [](std::string_view k) { return k == "status" || k == "content" || k == "arguments"; });
      if (type == "message" || type == "reasoning") w.key("content").begin_array().end_array();
      if (type == "function_call") w.key("arguments").value("");
      if (type != "reasoning") w.key("status").value("in_progress");
      w.end_object();
    });
    dom::array parts;
    if ((type == "message" || type == "reasoning") && !item["content"].get_array().get(parts)) {
      std::int64_t part_index = 0;
      for (dom::element part : parts) {
        const std::string part_type = string_of(part, "type");
        const bool text_part = part_type == "output_text" || part_type == "reasoning_text";
        auto at = [&](JsonWriter& w) {
          where(w);
          w.key("content_index").value(part_index);
        };
        events.add("response.content_part.added", [&](JsonWriter& w) {
          at(w);
          w.key("part").begin_object();
          if (text_part) {
            copy_members(w, part, [](std::string_view k) { return k == "text"; });
            w.key("text").value("");
          } else {
            copy_members(w, part, [](std::string_view) { return false; });
          }
          w.end_object();
        });
        if (text_part) {
          const std::string text = string_of(part, "text");
          const std::string stem = part_type == "output_text" ? "response.output_text" : "response.reasoning_text";
          for (std::string& piece : pieces(text)) {
            events.add(
                stem + ".delta",
                [&](JsonWriter& w) {
                  at(w);
                  w.key("delta").value(piece);
                  if (part_type == "output_text") w.key("logprobs").begin_array().end_array();
                },
                piece);
          }
          events.add(stem + ".done", [&](JsonWriter& w) {
            at(w);
            w.key("text").value(text);
            if (part_type == "output_text") w.key("logprobs").begin_array().end_array();
          });
        }
        events.add("response.content_part.done", [&](JsonWriter& w) {
          at(w);
          w.key("part").number_text(simdjson::minify(part));
        });
        ++part_index;
      }
    } else if (type == "function_call") {
      const std::string arguments = string_of(item, "arguments");
      for (std::string& piece : pieces(arguments)) {
        events.add(
            "response.function_call_arguments.delta",
            [&](JsonWriter& w) {
              where(w);
              w.key("delta").value(piece);
            },
            piece);
      }
      events.add("response.function_call_arguments.done", [&](JsonWriter& w) {
        where(w);
        w.key("arguments").value(arguments);
      });
    }
    events.add("response.output_item.done", [&](JsonWriter& w) {
      w.key("output_index").value(index).key("item").number_text(simdjson::minify(item));
    });
  };
  dom::array items;
  if (!response["output"].get_array().get(items)) {
    std::int64_t index = 0;
    for (dom::element item : items) stream_item(item, index++);
  }

  const std::string status = string_of(response, "status");
  const std::string end = ends_response_stream("response." + status) ? "response." + status : "response.completed";
  events.add(
      end, [&](JsonWriter& w) { w.key("response").number_text(simdjson::minify(response)); }, {}, flashfirst);
  return out;
}

}  // namespace ff::wire
