#include "wire/responses.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

namespace ff::wire {
namespace {

namespace dom = simdjson::dom;

// responses_as_chat on a body: the chat JSON, or "error: <message>".
std::string as_chat(std::string_view body) {
  dom::parser p;
  dom::element root;
  if (p.parse(body.data(), body.size()).get(root)) return "not JSON";
  auto chat = responses_as_chat(root);
  return chat.ok() ? *chat : "error: " + chat.error().message;
}

TEST(ResponsesAsChat, AStringInputWithInstructions) {
  EXPECT_EQ(as_chat(R"({"model":"auto","instructions":"Be brief.","input":"Hi","stream":true,"max_output_tokens":64})"),
            R"({"model":"auto","stream":true,"max_tokens":64,"messages":[{"role":"system","content":"Be brief."},)"
            R"({"role":"user","content":"Hi"}]})");
}

TEST(ResponsesAsChat, EffortFormatAndTools) {
  EXPECT_EQ(as_chat(R"({"input":"x","reasoning":{"effort":"none"}})"),
            R"({"thinking":{"type":"disabled"},"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(as_chat(R"({"input":"x","reasoning":{"effort":"max","summary":"auto"}})"),
            R"({"reasoning_effort":"max","messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(as_chat(R"({"input":"x","text":{"format":{"type":"json_object"}}})"),
            R"({"response_format":{"type":"json_object"},"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(as_chat(R"({"input":"x","text":{"format":{"type":"text"}}})"),
            R"({"messages":[{"role":"user","content":"x"}]})");
  // Function tools take the chat shape; hosted tools say nothing about the task and are left out.
  EXPECT_EQ(as_chat(R"({"input":"x","tools":[{"type":"web_search"},{"type":"function","name":"f",)"
                    R"("description":"d","parameters":{"type":"object"},"strict":true}],)"
                    R"("tool_choice":{"type":"function","name":"f"}})"),
            R"({"tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object"},)"
            R"("strict":true}}],"tool_choice":{"type":"function","function":{"name":"f"}},)"
            R"("messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(as_chat(R"({"input":"x","tool_choice":"required"})"),
            R"({"tool_choice":"required","messages":[{"role":"user","content":"x"}]})");
}

TEST(ResponsesAsChat, ItemsBecomeMessagesAndOneToolTurn) {
  // A thinking-mode tool loop sent back whole: the reasoning item joins the
  // assistant turn its calls make; two calls are one turn; their outputs are
  // tool messages; developer counts as user; parts are joined.
  EXPECT_EQ(
      as_chat(
          R"({"input":[)"
          R"({"role":"developer","content":"Use tools."},)"
          R"({"type":"message","role":"user","content":[{"type":"input_text","text":"Weather in "},)"
          R"({"type":"input_text","text":"Oslo and Rome?"},{"type":"input_image","image_url":"data:x"}]},)"
          R"({"type":"reasoning","id":"rs_1","summary":[],"content":[{"type":"reasoning_text","text":"Two calls."}]},)"
          R"({"type":"function_call","call_id":"c1","name":"w","arguments":"{\"city\":\"Oslo\"}"},)"
          R"({"type":"function_call","call_id":"c2","name":"w","arguments":"{}"},)"
          R"({"type":"function_call_output","call_id":"c1","output":"sunny"},)"
          R"({"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"rain"}]},)"
          R"({"role":"assistant","content":[{"type":"output_text","text":"Sunny; rain."}]}]})"),
      R"({"messages":[{"role":"user","content":"Use tools."},)"
      R"({"role":"user","content":[{"type":"text","text":"Weather in Oslo and Rome?"},)"
      R"({"type":"image_url","image_url":{"url":"data:x"}}]},)"
      R"({"role":"assistant","content":"","reasoning_content":"Two calls.","tool_calls":[)"
      R"({"id":"c1","type":"function","function":{"name":"w","arguments":"{\"city\":\"Oslo\"}"}},)"
      R"({"id":"c2","type":"function","function":{"name":"w","arguments":"{}"}}]},)"
      R"({"role":"tool","content":"sunny","tool_call_id":"c1"},{"role":"tool","content":"rain","tool_call_id":"c2"},)"
      R"({"role":"assistant","content":"Sunny; rain."}]})");
  // A call after an assistant text joins that turn.
  EXPECT_EQ(as_chat(R"({"input":[{"role":"user","content":"q"},{"role":"assistant","content":"Looking."},)"
                    R"({"type":"function_call","call_id":"c","name":"f","arguments":"{}"}]})"),
            R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"Looking.","tool_calls":[)"
            R"({"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}]})");
}

TEST(ResponsesAsChat, MalformedAndStatefulRequestsAreErrorsNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"([1])", "error: the request body must be a JSON object"},
      {R"({"model":"auto"})", "error: `input` is required"},
      {R"({"input":null})", "error: `input` is required"},
      {R"({"input":7})", "error: `input` must be a string or a list of items"},
      {R"({"input":[]})", "error: `input` is empty"},
      {R"({"instructions":"Be brief.","input":[]})", "error: `input` is empty"},
      {R"({"input":[{"type":"reasoning","summary":[]}]})",
       "error: `input` has no message, function call or function call output"},
      {R"({"input":["hi"]})", "error: input[0] must be an object"},
      {R"({"input":[{"content":"hi"}]})", "error: input[0] needs a string `role`"},
      {R"({"input":[{"role":"tool","content":"hi"}]})",
       "error: input[0].role 'tool' is not one of user, assistant, system, developer"},
      {R"({"input":[{"role":"user"}]})", "error: input[0] needs `content`"},
      {R"({"input":[{"role":"user","content":5}]})", "error: input[0].content must be a string or a list of parts"},
      {R"({"input":[{"role":"user","content":[{"text":"x"}]}]})", "error: input[0].content[0] needs a string `type`"},
      {R"({"input":[{"role":"user","content":[{"type":"input_text","text":1}]}]})",
       "error: input[0].content[0].text must be a string"},
      {R"({"input":[{"role":"user","content":[{"type":"video"}]}]})",
       "error: input[0].content[0].type 'video' is not one of input_text, output_text, input_image, input_file"},
      {R"({"input":[{"type":"function_call","name":"f","arguments":"{}"}]})",
       "error: input[0] (function_call) needs a string `call_id`"},
      {R"({"input":[{"type":"function_call","call_id":"c","name":"f","arguments":{}}]})",
       "error: input[0] (function_call) needs `arguments` as a string"},
      {R"({"input":[{"type":"function_call_output","call_id":"c"}]})",
       "error: input[0] (function_call_output) needs `output`"},
      {R"({"input":[{"type":"function_call_output","call_id":"c","output":3}]})",
       "error: input[0].output must be a string or a list of parts"},
      {R"({"input":[{"type":"item_reference","id":"msg_1"}]})",
       "error: input[0]: item_reference is not supported: the DeepSeek Responses API keeps no items; send them whole"},
      {R"({"input":[{"type":"computer_call"}]})",
       "error: input[0].type 'computer_call' is not one of message, function_call, function_call_output, reasoning"},
      {R"({"input":"x","previous_response_id":"resp_1"})",
       "error: `previous_response_id` is not supported: the DeepSeek Responses API is stateless; send the whole "
       "conversation in `input`"},
      {R"({"input":"x","conversation":{"id":"c"}})",
       "error: `conversation` is not supported: the DeepSeek Responses API is stateless; send the whole conversation "
       "in `input`"},
      {R"({"input":"x","background":true})",
       "error: `background` is not supported: the DeepSeek Responses API answers in the request"},
      {R"({"input":"x","max_output_tokens":"64"})", "error: `max_output_tokens` must be an integer"},
      {R"({"input":"x","reasoning":"high"})", "error: `reasoning` must be an object"},
      {R"({"input":"x","reasoning":{"effort":3}})", "error: `reasoning.effort` must be a string"},
      {R"({"input":"x","text":{"format":{"type":"json_schema","schema":{}}}})",
       "error: text.format.type 'json_schema' is not supported: use text or json_object (DeepSeek has no json_schema)"},
      {R"({"input":"x","tools":{}})", "error: `tools` must be a list"},
      {R"({"input":"x","tools":[{"type":"function"}]})", "error: tools[0]: a function tool needs a string `name`"},
      {R"({"input":"x","tool_choice":{"type":"function"}})",
       R"(error: `tool_choice` must be none, auto, required or {"type":"function","name":...})"},
      {R"({"input":"x","instructions":["a"]})", "error: `instructions` must be a string"},
  };
  for (const auto& [body, expected] : cases) EXPECT_EQ(as_chat(body), expected) << body;
  // Null stateful fields are as good as absent.
  EXPECT_EQ(as_chat(R"({"input":"x","previous_response_id":null,"background":false})"),
            R"({"messages":[{"role":"user","content":"x"}]})");
}

// The events of a response, each as "<type> <sequence_number>" plus its data.
struct Parsed {
  std::vector<std::string> types;
  std::vector<std::int64_t> sequence;
  std::string text, reasoning, arguments;
  std::string last_data;
};

Parsed parse_events(const std::vector<ResponseEvent>& events) {
  Parsed out;
  dom::parser p;
  for (const ResponseEvent& e : events) {
    EXPECT_EQ(e.sse.substr(0, 7), "event: ");
    EXPECT_EQ(e.sse.substr(e.sse.size() - 2), "\n\n");
    const std::size_t data = e.sse.find("\ndata: ");
    const std::string type = e.sse.substr(7, data - 7);
    const std::string json = e.sse.substr(data + 7, e.sse.size() - data - 9);
    dom::element root = p.parse(json);
    EXPECT_EQ(std::string_view(root["type"]), type);
    out.types.push_back(type);
    out.sequence.push_back(std::int64_t(root["sequence_number"]));
    std::string_view delta;
    if (!root["delta"].get_string().get(delta)) {
      EXPECT_EQ(delta, e.delta);
      if (type == "response.output_text.delta") out.text += delta;
      if (type == "response.reasoning_text.delta") out.reasoning += delta;
      if (type == "response.function_call_arguments.delta") out.arguments += delta;
    } else {
      EXPECT_EQ(e.delta, "") << type;
    }
    out.last_data = json;
  }
  return out;
}

constexpr const char* kResponse =
    R"({"id":"resp_1","object":"response","created_at":5,"status":"completed","error":null,)"
    R"("incomplete_details":null,"model":"m","output":[)"
    R"({"id":"rs_1","type":"reasoning","summary":[],"content":[{"type":"reasoning_text","text":"Think."}]},)"
    R"({"id":"msg_1","type":"message","role":"assistant","status":"completed",)"
    R"("content":[{"type":"output_text","text":"Hello there","annotations":[]}]},)"
    R"({"id":"fc_1","type":"function_call","call_id":"c","name":"f","arguments":"{\"a\":1}","status":"completed"}],)"
    R"("usage":{"input_tokens":3,"output_tokens":9}})";

TEST(ResponseEvents, TheOrderOpenAisSdksAccumulate) {
  dom::parser p;
  dom::element response = p.parse(std::string_view(kResponse));
  // Cut texts into pieces of at most four bytes.
  auto split = [](std::string_view text) {
    std::vector<std::string> pieces;
    for (std::size_t i = 0; i < text.size(); i += 4) pieces.emplace_back(text.substr(i, 4));
    return pieces;
  };
  const Parsed e = parse_events(response_events(response, split, R"({"cost":"0.1"})"));
  const std::vector<std::string> expected = {
      "response.created", "response.in_progress",
      // reasoning: "Think." in pieces "Thin", "k."
      "response.output_item.added", "response.content_part.added", "response.reasoning_text.delta",
      "response.reasoning_text.delta", "response.reasoning_text.done", "response.content_part.done",
      "response.output_item.done",
      // message: "Hello there" in "Hell", "o th", "ere"
      "response.output_item.added", "response.content_part.added", "response.output_text.delta",
      "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
      "response.content_part.done", "response.output_item.done",
      // function call: {"a":1} in "{\"a\"", ":1}"
      "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
      "response.function_call_arguments.done", "response.output_item.done", "response.completed"};
  EXPECT_EQ(e.types, expected);
  for (std::size_t i = 0; i < e.sequence.size(); ++i) EXPECT_EQ(e.sequence[i], std::int64_t(i));
  EXPECT_EQ(e.reasoning, "Think.");
  EXPECT_EQ(e.text, "Hello there");
  EXPECT_EQ(e.arguments, R"({"a":1})");
  // The last event carries the whole response and the figures.
  dom::parser lp;  // `response` stays in `p`
  dom::element last = lp.parse(e.last_data);
  EXPECT_EQ(simdjson::minify(last["response"]), simdjson::minify(response));
  EXPECT_EQ(std::string_view(last["flashfirst"]["cost"]), "0.1");
}

TEST(ResponseEvents, TheFirstEventsShowTheResponseInProgress) {
  dom::parser p;
  dom::element response = p.parse(std::string_view(kResponse));
  const std::vector<ResponseEvent> events = response_events(response, nullptr);
  const std::string& created = events.front().sse;
  EXPECT_EQ(created,
            "event: response.created\ndata: "
            R"({"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response",)"
            R"("created_at":5,"error":null,"model":"m","status":"in_progress","output":[],)"
            R"("incomplete_details":null,"usage":null}})"
            "\n\n");
  // The message's item comes with no content yet, and its part with no text.
  EXPECT_EQ(events[8].sse,
            "event: response.output_item.added\ndata: "
            R"({"type":"response.output_item.added","sequence_number":8,"output_index":1,)"
            R"("item":{"id":"msg_1","type":"message","role":"assistant","content":[],"status":"in_progress"}})"
            "\n\n");
  EXPECT_EQ(events[9].sse,
            "event: response.content_part.added\ndata: "
            R"({"type":"response.content_part.added","sequence_number":9,"item_id":"msg_1","output_index":1,)"
            R"("content_index":0,"part":{"type":"output_text","annotations":[],"text":""}})"
            "\n\n");
  // Without a split, a text is one delta.
  EXPECT_EQ(events[10].delta, "Hello there");
}

TEST(ResponseEvents, TheEndEventIsTheStatus) {
  dom::parser p;
  for (auto [status, end] : {std::pair{"incomplete", "response.incomplete"}, std::pair{"failed", "response.failed"},
                             std::pair{"queued", "response.completed"}}) {
    const std::string body = std::string(R"({"object":"response","status":")") + status + R"(","output":[]})";
    dom::element response = p.parse(body);
    const auto events = response_events(response, nullptr);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events.back().sse.substr(7, events.back().sse.find('\n') - 7), end);
  }
  EXPECT_TRUE(ends_response_stream("response.completed"));
  EXPECT_TRUE(ends_response_stream("response.failed"));
  EXPECT_FALSE(ends_response_stream("response.output_text.done"));
}

}  // namespace
}  // namespace ff::wire
