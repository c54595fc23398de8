// The stream meter on each protocol's events, as DeepSeek's endpoints send them.
// Output estimates are the ratio estimator's: 0.3 tokens per ASCII character,
// rounded up ("Hello" 5 chars -> 2; "Think it over" 13 -> 4; "Hello world" 11 -> 4).
#include "gateway/stream_meter.h"

#include <gtest/gtest.h>

namespace ff::gateway {
namespace {

using Read = StreamMeter::Read;

TEST(StreamMeter, ChatCompletionsChunksGiveTheEstimateTheToolCallsAndThenTheUsage) {
  StreamMeter m(wire::Protocol::kOpenAi);
  EXPECT_EQ(m.read(": keep-alive\n\n"), Read::kPassed);
  EXPECT_EQ(m.read("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"}}]}\n\n"),
            Read::kPassed);
  EXPECT_EQ(m.estimated_output(), 2);
  EXPECT_EQ(m.read("data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"Think it over\"}}]}\n\n"), Read::kPassed);
  EXPECT_EQ(m.estimated_output(), 6);
  EXPECT_EQ(m.reasoning(), "Think it over");
  EXPECT_EQ(m.read("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"function\":"
                   "{\"name\":\"f\",\"arguments\":\"\"}},{\"index\":1,\"id\":\"\"}]}}]}\n\n"),
            Read::kPassed);
  EXPECT_EQ(m.tool_call_ids(), std::vector<std::string>{"call_1"});  // an empty id is no id
  EXPECT_EQ(m.read("data: {not json\n\n"), Read::kPassed);
  EXPECT_FALSE(m.has_usage());
  const std::string last =
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":5,"
      "\"prompt_cache_hit_tokens\":10,\"prompt_cache_miss_tokens\":20}}\n\n";
  EXPECT_EQ(m.read(last), Read::kUsage);
  ASSERT_TRUE(m.has_usage());
  EXPECT_EQ(m.usage().cache_hit, 10);
  EXPECT_EQ(m.usage().cache_miss, 20);
  EXPECT_EQ(m.usage().output, 5);
  EXPECT_FALSE(m.ended(last));
  EXPECT_EQ(m.read("data: [DONE]\n\n"), Read::kPassed);
  EXPECT_TRUE(m.ended("data: [DONE]\n\n"));
}

TEST(StreamMeter, AnInvalidUsageSaysWhyAndIsNotTheUsage) {
  StreamMeter m(wire::Protocol::kOpenAi);
  EXPECT_EQ(m.read("data: {\"choices\":[],\"usage\":\"lots\"}\n\n"), Read::kInvalidUsage);
  EXPECT_EQ(m.invalid_usage(), "usage is not an object");
  EXPECT_FALSE(m.has_usage());
}

TEST(StreamMeter, MessagesTakeTheInputFromTheStartAndTheOutputFromTheDelta) {
  StreamMeter m(wire::Protocol::kAnthropic);
  EXPECT_EQ(m.read("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
                   "{\"input_tokens\":12,\"cache_read_input_tokens\":4,\"output_tokens\":1}}}\n\n"),
            Read::kPassed);
  EXPECT_FALSE(m.has_usage());
  EXPECT_EQ(m.read("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":"
                   "{\"type\":\"text_delta\",\"text\":\"Hello world\"}}\n\n"),
            Read::kPassed);
  EXPECT_EQ(m.estimated_output(), 4);
  EXPECT_EQ(m.read("data: {\"delta\":{\"text\":\"no type\"}}\n\n"), Read::kPassed);  // not an event of the API
  EXPECT_EQ(m.estimated_output(), 4);
  EXPECT_EQ(m.read("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                   "\"end_turn\"},\"usage\":{\"output_tokens\":7}}\n\n"),
            Read::kUsage);
  // Anthropic's input_tokens are the uncached ones; cache reads are the hits.
  EXPECT_EQ(m.usage().cache_hit, 4);
  EXPECT_EQ(m.usage().cache_miss, 12);
  EXPECT_EQ(m.usage().output, 7);
  const std::string stop = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  EXPECT_FALSE(m.ended("event: ping\ndata: {\"type\":\"ping\"}\n\n"));
  EXPECT_EQ(m.read(stop), Read::kPassed);
  EXPECT_TRUE(m.ended(stop));
}

TEST(StreamMeter, ResponsesTakeTheUsageFromTheCompletedResponse) {
  StreamMeter m(wire::Protocol::kResponses);
  EXPECT_EQ(m.read("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
                   "\"delta\":\"Hello\"}\n\n"),
            Read::kPassed);
  EXPECT_EQ(m.estimated_output(), 2);
  EXPECT_FALSE(m.ended("event: response.output_text.done\ndata: {}\n\n"));
  const std::string completed =
      "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"usage\":"
      "{\"input_tokens\":30,\"input_tokens_details\":{\"cached_tokens\":10},\"output_tokens\":5,"
      "\"output_tokens_details\":{\"reasoning_tokens\":2}}}}\n\n";
  EXPECT_EQ(m.read(completed), Read::kUsage);
  EXPECT_EQ(m.usage().cache_hit, 10);  // input_tokens include the cached ones
  EXPECT_EQ(m.usage().cache_miss, 20);
  EXPECT_EQ(m.usage().output, 5);
  EXPECT_EQ(m.usage().reasoning, 2);
  EXPECT_TRUE(m.ended(completed));
}

TEST(StreamMeter, TheFiguresGoIntoTheDataLineAndNothingElseChanges) {
  EXPECT_EQ(with_figures("data: {\"a\":1}\n\n", R"({"cost":"0.01"})"),
            "data: {\"a\":1,\"flashfirst\":{\"cost\":\"0.01\"}}\n\n");
  EXPECT_EQ(with_figures("event: message_delta\r\ndata: {\"type\":\"message_delta\"}\r\n\r\n", "1"),
            "event: message_delta\r\ndata: {\"type\":\"message_delta\",\"flashfirst\":1}\r\n\r\n");
  EXPECT_EQ(with_figures(": comment\n\n", "1"), ": comment\n\n");
}

}  // namespace
}  // namespace ff::gateway
