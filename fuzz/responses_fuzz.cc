// wire::responses_as_chat and wire::response_events on any JSON object:
//   - a request read as chat is a JSON object with a non-empty `messages` list,
//     or an error with a message;
//   - the events of a response are numbered from 0 with no gap, each names its
//     type twice (the `event:` line and `type`), each delta event's data carries
//     the delta it reports, and the deltas of each text add up to its `.done` text,
//     however the texts are cut.
#include <simdjson.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fuzz_check.h"
#include "wire/responses.h"

namespace {

namespace dom = simdjson::dom;

// Cuts a text every `n` characters (never inside one: the JSON writer would
// replace a cut character's bytes).
std::vector<std::string> by_characters(std::string_view text, int n) {
  std::vector<std::string> out;
  std::string piece;
  int count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool starts_character = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts_character && count == n) {
      out.push_back(std::move(piece));
      piece.clear();
      count = 0;
    }
    if (starts_character) ++count;
    piece.push_back(text[i]);
  }
  if (!piece.empty()) out.push_back(std::move(piece));
  return out;
}

void check_events(const dom::element& response, const ff::wire::DeltaSplit& split) {
  const std::vector<ff::wire::ResponseEvent> events = ff::wire::response_events(response, split, R"({"x":1})");
  FF_FUZZ_CHECK(events.size() >= 3, "only %zu events", events.size());
  dom::parser p;
  std::map<std::pair<std::int64_t, std::int64_t>, std::string> texts;  // (output, content) -> deltas so far
  std::int64_t expected = 0;
  for (const ff::wire::ResponseEvent& e : events) {
    FF_FUZZ_CHECK(e.sse.rfind("event: ", 0) == 0 && e.sse.size() > 2 && e.sse.substr(e.sse.size() - 2) == "\n\n",
                  "not an event: %s", e.sse.c_str());
    const std::size_t data = e.sse.find("\ndata: ");
    FF_FUZZ_CHECK(data != std::string::npos, "no data line: %s", e.sse.c_str());
    const std::string type = e.sse.substr(7, data - 7);
    const std::string json = e.sse.substr(data + 7, e.sse.size() - data - 9);
    dom::element root;
    FF_FUZZ_CHECK(!p.parse(json).get(root), "the data is not JSON: %s", json.c_str());
    std::string_view t, delta, text;
    std::int64_t n = -1, output = 0, content = 0;
    FF_FUZZ_CHECK(!root["type"].get_string().get(t) && t == type, "type %s on the event line, not in the data",
                  type.c_str());
    FF_FUZZ_CHECK(!root["sequence_number"].get_int64().get(n) && n == expected++, "sequence number %lld",
                  static_cast<long long>(n));
    (void)!root["output_index"].get_int64().get(output);
    (void)!root["content_index"].get_int64().get(content);
    std::string& so_far = texts[std::make_pair(output, content)];
    if (!root["delta"].get_string().get(delta)) {
      FF_FUZZ_CHECK(delta == e.delta, "the delta reported is not the one sent");
      so_far += delta;
    } else {
      FF_FUZZ_CHECK(e.delta.empty(), "a delta reported for %s", type.c_str());
    }
    if (type == "response.output_text.done" || type == "response.reasoning_text.done") {
      FF_FUZZ_CHECK(!root["text"].get_string().get(text) && so_far == text, "the deltas do not add up to the text");
    }
    if (type == "response.function_call_arguments.done") {
      FF_FUZZ_CHECK(!root["arguments"].get_string().get(text) && so_far == text,
                    "the deltas do not add up to the arguments");
    }
  }
  FF_FUZZ_CHECK(
      ff::wire::ends_response_stream(std::string_view(events.back().sse).substr(7, events.back().sse.find('\n') - 7)),
      "the last event does not end the stream");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dom::parser parser;
  dom::element root;
  if (parser.parse(reinterpret_cast<const char*>(data), size).get(root) || root.type() != dom::element_type::OBJECT)
    return 0;

  auto chat = ff::wire::responses_as_chat(root);
  if (chat.ok()) {
    dom::parser cp;
    dom::element c;
    dom::array messages;
    FF_FUZZ_CHECK(!cp.parse(*chat).get(c) && !c["messages"].get_array().get(messages) && messages.size() > 0,
                  "the chat form is not a request with messages: %s", chat->c_str());
  } else {
    FF_FUZZ_CHECK(!chat.error().message.empty(), "an error without a message");
  }

  check_events(root, nullptr);
  const int n = size > 0 ? 1 + data[0] % 5 : 1;
  check_events(root, [n](std::string_view text) { return by_characters(text, n); });
  return 0;
}
