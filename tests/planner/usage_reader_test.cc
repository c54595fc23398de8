// UsageParser: every input shape it accepts, and every reason it gives for a
// line it cannot use.
#include "planner/usage_reader.h"

#include <gtest/gtest.h>

namespace ff::planner {
namespace {

class Parse : public ::testing::Test {
 protected:
  // Parses `line` from a buffer with the padding LineSource guarantees.
  LineOutcome parse(const std::string& line) {
    buffer_ = line + std::string(64, '\0');
    return parser_.parse(std::string_view(buffer_.data(), line.size()), buffer_.size());
  }
  core::TokenUsage record(const std::string& line, const char* model) {
    LineOutcome o = parse(line);
    EXPECT_EQ(o.kind, LineOutcome::Kind::kRecord) << line << " -> " << skip_reason_name(o.reason);
    if (o.kind == LineOutcome::Kind::kRecord) {
      EXPECT_EQ(o.record.model, model);
    }
    return o.record.usage;
  }
  SkipReason skipped(const std::string& line) {
    LineOutcome o = parse(line);
    EXPECT_EQ(o.kind, LineOutcome::Kind::kSkip) << line;
    return o.reason;
  }

  UsageParser parser_;
  std::string buffer_;
};

core::TokenUsage usage(std::int64_t hit, std::int64_t miss, std::int64_t out, std::int64_t reasoning = 0) {
  return core::TokenUsage{hit, miss, out, reasoning};
}

TEST_F(Parse, DeepSeekResponseCountsCachedTokensOnce) {
  const std::string line =
      R"({"id":"a1","object":"chat.completion","created":1777032000,"model":"deepseek-v4-flash",)"
      R"("choices":[{"index":0,"message":{"role":"assistant","content":"hi {\"x\":1}","reasoning_content":"…"},)"
      R"("logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"completion_tokens":50,)"
      R"("total_tokens":150,"prompt_tokens_details":{"cached_tokens":64},"completion_tokens_details":)"
      R"({"reasoning_tokens":20},"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":36},"system_fingerprint":"fp_1"})";
  EXPECT_EQ(record(line, "deepseek-v4-flash"), usage(64, 36, 50, 20));
  EXPECT_EQ(parse(line).record.time->unix_seconds, 1777032000);
}

TEST_F(Parse, OpenAiStyleUsage) {
  EXPECT_EQ(record(R"({"model":"deepseek-v4-pro","created":1,"usage":{"prompt_tokens":1000,"completion_tokens":10,)"
                   R"("total_tokens":1010,"prompt_tokens_details":{"cached_tokens":800}}})",
                   "deepseek-v4-pro"),
            usage(800, 200, 10));
  // Without any cache detail every prompt token is a miss.
  EXPECT_EQ(record(R"({"model":"m","usage":{"prompt_tokens":7,"completion_tokens":3}})", "m"), usage(0, 7, 3));
}

TEST_F(Parse, FinalStreamChunkAndSseFraming) {
  EXPECT_EQ(record(R"(data: {"id":"c","object":"chat.completion.chunk","created":5,"model":"deepseek-flash",)"
                   R"("choices":[{"index":0,"delta":{"content":"","role":null},"finish_reason":"stop"}],)"
                   R"("usage":{"completion_tokens":9,"prompt_tokens":17,"total_tokens":26,)"
                   R"("prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":17}})",
                   "deepseek-flash"),
            usage(0, 17, 9));
  EXPECT_EQ(skipped(R"(data: {"object":"chat.completion.chunk","model":"deepseek-flash","usage":null})"),
            SkipReason::kNoUsage);
  for (const char* ignored : {"data: [DONE]", ": keep-alive", "", "   ", "\r", "event: message", "id: 7"}) {
    EXPECT_EQ(parse(ignored).kind, LineOutcome::Kind::kIgnored) << ignored;
  }
}

TEST_F(Parse, ResponsesApiAndAnthropicUsage) {
  // Responses: input_tokens includes the cached ones.
  EXPECT_EQ(
      record(R"({"object":"response","created_at":1777032000,"model":"deepseek-flash","usage":{"input_tokens":500,)"
             R"("input_tokens_details":{"cached_tokens":300},"output_tokens":40,)"
             R"("output_tokens_details":{"reasoning_tokens":10},"total_tokens":540}})",
             "deepseek-flash"),
      usage(300, 200, 40, 10));
  // Anthropic: input_tokens excludes cache reads; cache writes are ordinary misses.
  EXPECT_EQ(record(R"({"type":"message","model":"deepseek-v4-pro","usage":{"input_tokens":120,)"
                   R"("cache_read_input_tokens":880,"cache_creation_input_tokens":5,"output_tokens":15}})",
                   "deepseek-v4-pro"),
            usage(880, 125, 15));
}

TEST_F(Parse, TimestampsInSeveralForms) {
  EXPECT_EQ(
      parse(
          R"({"model":"m","timestamp":"2026-04-24T20:00:00+08:00","usage":{"prompt_tokens":1,"completion_tokens":1}})")
          .record.time->unix_seconds,
      1777032000);
  EXPECT_FALSE(parse(R"({"model":"m","usage":{"prompt_tokens":1,"completion_tokens":1}})").record.time.has_value());
}

TEST_F(Parse, MalformedJson) {
  for (const char* bad :
       {R"({"model":"m","usage":{)", R"({"model":"m"}})", R"({"model":"m",})",
        "{\"model\":\"\xff\xfe\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}",
        R"({"model":"m","usage":{"prompt_tokens":1,"completion_tokens":1}} trailing)", R"({"model" "m"})", "{"}) {
    EXPECT_EQ(skipped(bad), SkipReason::kMalformedJson) << bad;
  }
}

TEST_F(Parse, InvalidUsage) {
  for (
      const char* bad : {
          R"({"model":"m","usage":{"prompt_tokens":-1,"completion_tokens":1}})",
          R"({"model":"m","usage":{"prompt_tokens":"10","completion_tokens":1}})",
          R"({"model":"m","usage":{"prompt_tokens":1.5,"completion_tokens":1}})",
          R"({"model":"m","usage":{"prompt_tokens":10}})",  // no completion_tokens
          R"({"model":"m","usage":{"prompt_tokens":10,"completion_tokens":1,"prompt_cache_hit_tokens":4,"prompt_cache_miss_tokens":5}})",
          R"({"model":"m","usage":{"prompt_tokens":10,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":11}}})",
          R"({"model":"m","usage":{"prompt_tokens":10,"completion_tokens":1,"completion_tokens_details":{"reasoning_tokens":2}}})",
          R"({"model":"m","usage":{"prompt_tokens":4294967296,"completion_tokens":1}})",
          R"({"model":"m","usage":{"prompt_tokens":99999999999999999999999,"completion_tokens":1}})",
          R"({"model":"m","usage":"lots"})",
          R"({"model":"m","usage":{}})",
      }) {
    EXPECT_EQ(skipped(bad), SkipReason::kInvalidUsage) << bad;
  }
  EXPECT_EQ(skipped(R"({"model":"m","choices":[]})"), SkipReason::kNoUsage);
  EXPECT_EQ(skipped(R"({"usage":{"prompt_tokens":1,"completion_tokens":1}})"), SkipReason::kNoModel);
  EXPECT_EQ(skipped(R"({"model":7,"usage":{"prompt_tokens":1,"completion_tokens":1}})"), SkipReason::kNoModel);
  EXPECT_EQ(skipped("hello world"), SkipReason::kUnrecognized);
  EXPECT_EQ(skipped("[1,2,3]"), SkipReason::kUnrecognized);
}

TEST_F(Parse, AMemberNamedTwiceCountsWhereItIsFirstNamed) {
  // As the ledger's reader takes it (found by fuzz/usage_fuzz.cc: the second
  // usage used to fill in the first's missing prompt count).
  EXPECT_EQ(skipped(R"({"model":"m","usage":{"completion_tokens":2},"usage":{"prompt_tokens":2}})"),
            SkipReason::kInvalidUsage);
  EXPECT_EQ(record(R"({"model":"a","model":"b","usage":{"prompt_tokens":3,"completion_tokens":1},"usage":null})", "a"),
            usage(0, 3, 1));
}

TEST_F(Parse, CsvWithHeader) {
  EXPECT_EQ(skipped("2026-04-24T12:00:00Z,deepseek-v4-pro,1,2,3"), SkipReason::kUnrecognized);  // no header yet
  EXPECT_EQ(parse("Time, Model, Cache Hit Tokens, Cache Miss Tokens, Output Tokens").kind, LineOutcome::Kind::kIgnored);
  LineOutcome o = parse("2026-04-24T12:00:00Z, deepseek-v4-pro ,1000,2000,3000");
  ASSERT_EQ(o.kind, LineOutcome::Kind::kRecord);
  EXPECT_EQ(o.record.model, "deepseek-v4-pro");
  EXPECT_EQ(o.record.time->unix_seconds, 1777032000);
  EXPECT_EQ(o.record.usage, usage(1000, 2000, 3000));
  EXPECT_EQ(record("1777032000,\"deepseek-v4-flash\",0,5,6\r", "deepseek-v4-flash"), usage(0, 5, 6));
  EXPECT_EQ(skipped("2026-04-24T12:00:00Z,deepseek-v4-pro,1,2"), SkipReason::kMalformedCsv);     // a cell short
  EXPECT_EQ(skipped("2026-04-24T12:00:00Z,deepseek-v4-pro,1,-2,3"), SkipReason::kMalformedCsv);  // negative
  EXPECT_EQ(skipped("noon,deepseek-v4-pro,1,2,3"), SkipReason::kMalformedCsv);                   // bad time
  EXPECT_EQ(skipped("2026-04-24T12:00:00Z,\"deepseek,1,2,3"), SkipReason::kMalformedCsv);        // open quote
  EXPECT_EQ(skipped("2026-04-24T12:00:00Z,,1,2,3"), SkipReason::kNoModel);
  // A new input forgets the header.
  parser_.begin_input();
  EXPECT_EQ(skipped("2026-04-24T12:00:00Z,deepseek-v4-pro,1,2,3"), SkipReason::kUnrecognized);
  // Headers with prompt_tokens instead of a miss column.
  EXPECT_EQ(parse("created,model,prompt_tokens,cached_tokens,completion_tokens").kind, LineOutcome::Kind::kIgnored);
  EXPECT_EQ(record("1,m,100,40,7", "m"), usage(40, 60, 7));
  EXPECT_EQ(skipped("1,m,100,140,7"), SkipReason::kMalformedCsv);  // more hits than prompt tokens
}

}  // namespace
}  // namespace ff::planner
