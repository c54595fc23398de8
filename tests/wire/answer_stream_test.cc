#include "wire/answer_stream.h"

#include <gtest/gtest.h>

namespace ff::wire {
namespace {

TEST(AnswerStream, ACompletionAsItsChunks) {
  const std::string answer =
      R"({"id":"c1","object":"chat.completion","created":7,"model":"m","system_fingerprint":"fp",)"
      R"("choices":[{"index":0,"message":{"role":"assistant","content":"Hi.","reasoning_content":"Think.",)"
      R"("tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},)"
      R"("finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":4}})";
  const std::string head =
      R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","system_fingerprint":"fp",)";
  const std::string tail = R"(,"logprobs":null,"finish_reason":null}]})";
  EXPECT_EQ(completion_as_stream(answer, R"({"cost":"0.1"})"),
            "data: " + head + R"("choices":[{"index":0,"delta":{"role":"assistant","content":""})" + tail + "\n\n" +
                "data: " + head + R"("choices":[{"index":0,"delta":{"reasoning_content":"Think."})" + tail + "\n\n" +
                "data: " + head + R"("choices":[{"index":0,"delta":{"content":"Hi."})" + tail + "\n\n" +
                "data: " + head +
                R"("choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function",)"
                R"("function":{"name":"f","arguments":"{}"}}]})" +
                tail + "\n\n" + "data: " + head +
                R"("choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],)"
                R"("usage":{"prompt_tokens":3,"completion_tokens":4},"flashfirst":{"cost":"0.1"}})" +
                "\n\n" + "data: [DONE]\n\n");
}

TEST(AnswerStream, AnswersOfAnotherShapeAreNotStreams) {
  EXPECT_EQ(completion_as_stream("not json", "{}"), std::nullopt);
  EXPECT_EQ(completion_as_stream(R"({"object":"response","output":[]})", "{}"), std::nullopt);
  EXPECT_EQ(response_as_stream(R"({"choices":[]})", "{}"), std::nullopt);
  EXPECT_EQ(response_as_stream("[", "{}"), std::nullopt);
}

TEST(AnswerStream, AResponseAsItsEvents) {
  const auto events = response_as_stream(
      R"({"object":"response","status":"completed","output":[{"id":"m","type":"message","role":"assistant",)"
      R"("content":[{"type":"output_text","text":"Hi."}]}],"usage":{"input_tokens":1,"output_tokens":2}})",
      R"({"cost":"0.1"})");
  ASSERT_TRUE(events);
  // created, in_progress, item added, part added, one delta, text done, part done, item done, completed.
  std::size_t count = 0;
  for (std::size_t at = events->find("event: "); at != std::string::npos; at = events->find("event: ", at + 1)) ++count;
  EXPECT_EQ(count, 9u);
  EXPECT_NE(events->find(R"("delta":"Hi.")"), std::string::npos);
  EXPECT_EQ(events->substr(events->rfind("event: ")).rfind("event: response.completed\ndata: ", 0), 0u);
  EXPECT_NE(events->find(R"("flashfirst":{"cost":"0.1"}})"), std::string::npos);
}

}  // namespace
}  // namespace ff::wire
