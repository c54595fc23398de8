// The typed view of a chat request, in both chat shapes.
#include "wire/chat_view.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace ff::wire {
namespace {

using Content = MessageView::Content;

TEST(ChatView, ReadsAToolLoopInChatCompletionsShape) {
  const std::string body = R"({"model":"deepseek-chat","thinking":{"type":"disabled"},
    "messages":[
      {"role":"system","content":"Be brief."},
      {"role":"user","content":[{"type":"text","text":"Weather in Paris?"},{"type":"image_url","image_url":{"url":"u"}}]},
      {"role":"assistant","content":null,"reasoning_content":"Look it up.",
       "tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
                     {"type":"function","function":{"name":"time"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"sunny"}],
    "tools":[{"type":"function","function":{"name":"weather","parameters":{"type":"object"}}},
             {"type":"function","function":{"name":"time","parameters":"none"}},
             {"type":"function"}],
    "response_format":{"type":"json_object"},"max_tokens":0,"max_completion_tokens":300})";
  simdjson::dom::parser parser;
  const ChatView v(parser.parse(body).value(), Protocol::kOpenAi);
  EXPECT_EQ(v.problem(), "");
  EXPECT_EQ(v.model(), "deepseek-chat");
  EXPECT_EQ(v.thinking_type(), "disabled");
  ASSERT_EQ(v.messages().size(), 4u);

  const MessageView& system = v.messages()[0];
  EXPECT_EQ(system.role, "system");
  EXPECT_EQ(system.content, Content::kText);
  EXPECT_EQ(system.text, "Be brief.");

  const MessageView& user = v.messages()[1];
  ASSERT_EQ(user.content, Content::kParts);
  ASSERT_EQ(user.part_count, 2u);
  EXPECT_EQ(v.part(user.first_part).type, "text");
  EXPECT_EQ(v.part(user.first_part).text, "Weather in Paris?");
  EXPECT_EQ(v.part(user.first_part + 1).type, "image_url");
  EXPECT_FALSE(v.part(user.first_part + 1).has_text);

  const MessageView& assistant = v.messages()[2];
  EXPECT_EQ(assistant.index, 2u);
  EXPECT_EQ(assistant.content, Content::kNull);
  EXPECT_TRUE(assistant.has_reasoning);
  EXPECT_EQ(assistant.reasoning, std::optional<std::string_view>("Look it up."));
  ASSERT_EQ(assistant.call_count, 2u);
  EXPECT_EQ(v.call(assistant.first_call).id, "call_1");
  EXPECT_EQ(v.call(assistant.first_call).name, "weather");
  EXPECT_EQ(v.call(assistant.first_call).arguments, R"({"city":"Paris"})");
  EXPECT_FALSE(v.call(assistant.first_call + 1).has_id);
  EXPECT_EQ(v.call(assistant.first_call + 1).name, "time");
  EXPECT_FALSE(v.call(assistant.first_call + 1).has_arguments);
  EXPECT_EQ(assistant.tool_call_id, std::nullopt);
  EXPECT_EQ(v.messages()[3].role, "tool");
  EXPECT_EQ(v.messages()[3].tool_call_id, std::optional<std::string_view>("call_1"));
  EXPECT_FALSE(v.messages()[3].has_reasoning);
  EXPECT_EQ(v.messages()[3].reasoning, std::nullopt);

  ASSERT_EQ(v.tools().size(), 3u);
  EXPECT_EQ(v.tools()[0].name, "weather");
  EXPECT_TRUE(v.tools()[0].has_schema);
  EXPECT_EQ(simdjson::minify(v.tools()[0].schema), R"({"type":"object"})");
  EXPECT_EQ(v.tools()[1].name, "time");
  ASSERT_TRUE(v.tools()[1].has_schema);  // given, though not an object
  EXPECT_EQ(simdjson::minify(v.tools()[1].schema), R"("none")");
  EXPECT_FALSE(v.tools()[2].has_name);
  EXPECT_EQ(v.response_format_type(), "json_object");
  EXPECT_EQ(v.max_tokens(), 300);  // the later named
  EXPECT_TRUE(v.capped());
}

TEST(ChatView, ReadsMessagesShapeSystemAndTools) {
  const std::string body = R"({"system":[{"type":"text","text":"Be brief."},{"type":"text","text":"Use metric."}],
    "messages":[{"role":"user","content":"Weather?"},
                {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"weather","input":{"city":"Oslo"}}]}],
    "tools":[{"name":"weather","input_schema":{"type":"object","required":["city"]}}],"max_tokens":-1})";
  simdjson::dom::parser parser;
  const ChatView v(parser.parse(body).value(), Protocol::kAnthropic);
  EXPECT_EQ(v.problem(), "");
  EXPECT_EQ(v.system(), (std::vector<std::string_view>{"Be brief.", "Use metric."}));
  ASSERT_EQ(v.messages().size(), 2u);
  ASSERT_EQ(v.messages()[1].part_count, 1u);
  EXPECT_EQ(v.part(v.messages()[1].first_part).type, "tool_use");
  ASSERT_EQ(v.tools().size(), 1u);
  EXPECT_EQ(v.tools()[0].name, "weather");
  EXPECT_EQ(simdjson::minify(v.tools()[0].schema), R"({"type":"object","required":["city"]})");
  EXPECT_EQ(v.max_tokens(), -1);
  EXPECT_FALSE(v.capped());  // not a positive cap
  EXPECT_EQ(v.model(), "");
}

// The first problem, in the order the router has always reported them: the
// request, its messages, `system`, each message's shape, any message's content,
// `tools`, the caps.
TEST(ChatView, SaysTheFirstProblemAndStillReadsTheRest) {
  simdjson::dom::parser parser;
  auto problem = [&](const std::string& body) {
    return ChatView(parser.parse(body).value(), Protocol::kOpenAi).problem();
  };
  EXPECT_EQ(problem("[1]"), "the request must be a JSON object");
  EXPECT_EQ(problem(R"({"messages":{},"system":5})"), "the request has no `messages` array");
  EXPECT_EQ(problem(R"({"messages":[],"system":5})"), "`messages` is empty");
  EXPECT_EQ(problem(R"({"system":null,"messages":[7]})"), "`system` must be a string or an array of text blocks");
  EXPECT_EQ(problem(R"({"messages":[{"role":"user","content":5},{"role":7}]})"), "messages[1].role must be a string");
  EXPECT_EQ(
      problem(R"({"messages":[{"role":"assistant","tool_calls":5},{"role":"user","content":[{"type":"text"}]}]})"),
      "messages[0].tool_calls must be an array");
  EXPECT_EQ(problem(R"({"messages":[{"role":"user","content":[{"text":"x"}]}],"tools":{}})"),
            "messages[0].content parts must be objects with a `type`");
  EXPECT_EQ(problem(R"({"messages":[{"role":"user","content":"x"}],"tools":{},"max_tokens":"9"})"),
            "`tools` must be an array");
  EXPECT_EQ(problem(R"({"messages":[{"role":"user","content":"x"}],"max_tokens":"9"})"),
            "`max_tokens` must be an integer");

  // Content of another type, a part without a type, reasoning that is not text:
  // each is told apart.
  const std::string odd = R"({"messages":[{"role":"user","content":5},{"role":"user"},
    {"role":"user","content":[{"type":"text","text":"a"},{"text":"b"},7]},
    {"role":"assistant","content":"","reasoning_content":5,"tool_call_id":9}]})";
  const ChatView o(parser.parse(odd).value(), Protocol::kOpenAi);
  EXPECT_EQ(o.problem(), "messages[0].content must be a string, an array of parts or null");
  ASSERT_EQ(o.messages().size(), 4u);
  EXPECT_EQ(o.messages()[0].content, Content::kOther);
  EXPECT_EQ(o.messages()[1].content, Content::kNone);
  EXPECT_EQ(o.messages()[2].content, Content::kParts);
  EXPECT_TRUE(o.messages()[2].untyped_part);
  EXPECT_EQ(o.messages()[2].part_count, 1u);  // the typed one
  EXPECT_FALSE(o.messages()[1].untyped_part);
  EXPECT_TRUE(o.messages()[3].has_reasoning);
  EXPECT_EQ(o.messages()[3].reasoning, std::nullopt);
  EXPECT_EQ(o.messages()[3].tool_call_id, std::nullopt);

  // A message that is not read leaves the others in place, by index.
  const std::string partial = R"({"messages":[5,{"role":"assistant","tool_calls":[{"id":"c"}]}],
    "tools":[{"type":"function","function":{"name":"f"}}]})";
  const ChatView v(parser.parse(partial).value(), Protocol::kOpenAi);
  EXPECT_EQ(v.problem(), "messages[0] must be an object");
  ASSERT_EQ(v.messages().size(), 1u);
  EXPECT_EQ(v.messages()[0].index, 1u);
  EXPECT_EQ(v.call(v.messages()[0].first_call).id, "c");
  ASSERT_EQ(v.tools().size(), 1u);
}

// The cap in any protocol's field: of max_tokens, max_completion_tokens and
// max_output_tokens, in that order, the last that is positive.
TEST(ChatView, OutputCapIsTheLastPositiveOfTheThreeNames) {
  simdjson::dom::parser parser;
  auto cap = [&](const std::string& body) { return output_cap(parser.parse(body).value()); };
  EXPECT_EQ(cap(R"({"max_output_tokens":50,"max_tokens":100})"), 50);  // the order of the names, not the body's
  EXPECT_EQ(cap(R"({"max_tokens":100,"max_completion_tokens":0,"max_output_tokens":70})"), 70);
  EXPECT_EQ(cap(R"({"max_tokens":100,"max_completion_tokens":-5})"), 100);
  EXPECT_EQ(cap(R"({"max_tokens":"100","max_completion_tokens":2.5})"), 0);
  EXPECT_EQ(cap("[100]"), 0);
}

}  // namespace
}  // namespace ff::wire
