#include "wire/answer_stream.h"

#include <simdjson.h>

#include "core/json_writer.h"
#include "wire/json_read.h"
#include "wire/responses.h"

namespace ff::wire {

namespace dom = simdjson::dom;
using core::JsonWriter;

namespace {

// A member's integer value, or 0 when it is absent or of another type.
std::int64_t int_or_zero(simdjson::simdjson_result<dom::element> e) {
  std::int64_t v = 0;
  return e.get_int64().get(v) ? 0 : v;
}

}  // namespace

std::optional<std::string> completion_as_stream(std::string_view answer, std::string_view flashfirst) {
  thread_local dom::parser parser;
  dom::element root;
  dom::array choices;
  if (parser.parse(answer.data(), answer.size()).get(root) || root["choices"].get_array().get(choices))
    return std::nullopt;
  std::string out;
  // Every chunk starts with the answer's own id, created, model and fingerprint.
  auto chunk = [&](auto&& choices_writer, bool last) {
    JsonWriter w(true);
    w.begin_object();
    std::string_view s;
    std::int64_t created = 0;
    if (!root["id"].get_string().get(s)) w.key("id").value(s);
    w.key("object").value("chat.completion.chunk");
    if (!root["created"].get_int64().get(created)) w.key("created").value(created);
    if (!root["model"].get_string().get(s)) w.key("model").value(s);
    if (!root["system_fingerprint"].get_string().get(s)) w.key("system_fingerprint").value(s);
    w.key("choices").begin_array();
    choices_writer(w);
    w.end_array();
    dom::element usage;
    if (last && !root["usage"].get(usage)) w.key("usage").number_text(simdjson::minify(usage));
    if (last) w.key("flashfirst").number_text(flashfirst);
    w.end_object();
    out += "data: ";
    out += w.str();
    out += "\n\n";
  };
  for (dom::element c : choices) {
    const std::int64_t index = int_or_zero(c["index"]);
    dom::element message;
    if (c["message"].get(message)) continue;
    auto delta = [&](auto&& fill) {
      chunk(
          [&](JsonWriter& w) {
            w.begin_object().key("index").value(index).key("delta").begin_object();
            fill(w);
            w.end_object().key("logprobs").null().key("finish_reason").null().end_object();
          },
          false);
    };
    delta([&](JsonWriter& w) { w.key("role").value("assistant").key("content").value(""); });
    std::string_view text;
    if (!message["reasoning_content"].get_string().get(text) && !text.empty()) {
      delta([&](JsonWriter& w) { w.key("reasoning_content").value(text); });
    }
    if (!message["content"].get_string().get(text) && !text.empty()) {
      delta([&](JsonWriter& w) { w.key("content").value(text); });
    }
    dom::array calls;
    if (!message["tool_calls"].get_array().get(calls) && calls.size() > 0) {
      delta([&](JsonWriter& w) {
        w.key("tool_calls").begin_array();
        std::int64_t i = 0;
        for (dom::element call : calls) {
          w.begin_object()
              .key("index")
              .value(i++)
              .key("id")
              .value(string_or_empty(call["id"]))
              .key("type")
              .value("function");
          w.key("function").begin_object().key("name").value(string_or_empty(call["function"]["name"]));
          w.key("arguments").value(string_or_empty(call["function"]["arguments"])).end_object();
          w.end_object();
        }
        w.end_array();
      });
    }
  }
  // The finish reasons, with the usage on the same (last) chunk.
  chunk(
      [&](JsonWriter& w) {
        for (dom::element c : choices) {
          std::string_view finish;
          w.begin_object()
              .key("index")
              .value(int_or_zero(c["index"]))
              .key("delta")
              .begin_object()
              .end_object()
              .key("logprobs")
              .null();
          w.key("finish_reason");
          if (!c["finish_reason"].get_string().get(finish)) {
            w.value(finish);
          } else {
            w.null();
          }
          w.end_object();
        }
      },
      true);
  out += "data: [DONE]\n\n";
  return out;
}

std::optional<std::string> response_as_stream(std::string_view answer, std::string_view flashfirst) {
  thread_local dom::parser parser;
  dom::element root;
  std::string_view object;
  if (parser.parse(answer.data(), answer.size()).get(root) || root["object"].get_string().get(object) ||
      object != "response") {
    return std::nullopt;
  }
  std::string out;
  for (const ResponseEvent& e : response_events(root, nullptr, flashfirst)) out += e.sse;
  return out;
}

}  // namespace ff::wire
