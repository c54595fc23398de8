// The one usage reader, for every shape, and the cases it refuses. The same
// objects go through the cost report's reader (planner::UsageParser) in
// ReportReadsTheSame, so the ledger and `flashfirst cost` cannot disagree.
#include "wire/usage.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "planner/usage_reader.h"

namespace ff::wire {
namespace {

// "hit/miss/output/reasoning", or "absent", or "invalid: why".
std::string read(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root)) return "not JSON";
  const UsageRead r = read_usage(root);
  if (r.status == UsageRead::Status::kAbsent) return "absent";
  if (r.status == UsageRead::Status::kInvalid) return "invalid: " + r.why;
  const core::TokenUsage& u = r.usage;
  return std::to_string(u.cache_hit) + "/" + std::to_string(u.cache_miss) + "/" + std::to_string(u.output) + "/" +
         std::to_string(u.reasoning);
}

// The same usage object as a cost-report line (with a model and a time), through
// the report's own reader: "hit/miss/output/reasoning" or "skipped".
std::string report(const std::string& usage) {
  planner::UsageParser parser;
  const std::string line = R"({"model":"deepseek-v4-flash","created":1793620800,"usage":)" + usage + "}";
  std::string padded = line + std::string(64, ' ');
  planner::LineOutcome out = parser.parse(std::string_view(padded.data(), line.size()), padded.size());
  if (out.kind != planner::LineOutcome::Kind::kRecord) return "skipped";
  const core::TokenUsage& u = out.record.usage;
  return std::to_string(u.cache_hit) + "/" + std::to_string(u.cache_miss) + "/" + std::to_string(u.output) + "/" +
         std::to_string(u.reasoning);
}

TEST(Usage, DeepSeekChatCompletion) {
  // The API's own fields: hits and misses as given; prompt_tokens (= their sum)
  // and cached_tokens (= the hits) are not counted again.
  EXPECT_EQ(read(R"({"usage":{"prompt_tokens":120,"completion_tokens":75,"total_tokens":195,
      "prompt_tokens_details":{"cached_tokens":64},"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":56,
      "completion_tokens_details":{"reasoning_tokens":40}}})"),
            "64/56/75/40");
  // Only one of the pair: prompt_tokens gives the other (30 - 10 = 20 misses).
  EXPECT_EQ(read(R"({"usage":{"prompt_cache_hit_tokens":10,"prompt_tokens":30,"completion_tokens":5}})"), "10/20/5/0");
  EXPECT_EQ(read(R"({"usage":{"prompt_cache_miss_tokens":25,"prompt_tokens":30,"completion_tokens":5}})"), "5/25/5/0");
}

TEST(Usage, OpenAIStyleResponsesAndAnthropic) {
  // Hits from cached_tokens, misses the rest of prompt_tokens: 120 - 64 = 56.
  EXPECT_EQ(read(R"({"usage":{"prompt_tokens":120,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":64}}})"),
            "64/56/9/0");
  EXPECT_EQ(read(R"({"usage":{"prompt_tokens":30,"completion_tokens":9}})"), "0/30/9/0");
  // Responses API: input_tokens include the cached ones (100 - 40 = 60 misses).
  EXPECT_EQ(read(R"({"usage":{"input_tokens":100,"input_tokens_details":{"cached_tokens":40},"output_tokens":20,
      "output_tokens_details":{"reasoning_tokens":5},"total_tokens":120}})"),
            "40/60/20/5");
  // Anthropic: 21 uncached + 100 written to the cache are misses; 2000 read are hits.
  EXPECT_EQ(read(R"({"usage":{"input_tokens":21,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,
      "output_tokens":7}})"),
            "2000/121/7/0");
  EXPECT_EQ(read(R"({"usage":{"input_tokens":21,"output_tokens":7}})"), "0/21/7/0");
}

TEST(Usage, AbsentOrInvalid) {
  EXPECT_EQ(read(R"({"id":"x"})"), "absent");
  EXPECT_EQ(read(R"({"usage":null})"), "absent");
  EXPECT_EQ(read(R"({"usage":[1,2]})"), "invalid: usage is not an object");
  EXPECT_EQ(read(R"({"usage":{"prompt_cache_hit_tokens":1,"prompt_cache_miss_tokens":2}})"),
            "invalid: no output count (completion_tokens or input_tokens with output_tokens)");
  EXPECT_EQ(read(R"({"usage":{"completion_tokens":3}})"),
            "invalid: completion_tokens without prompt_tokens or cache hit and miss counts");
  // A count must be a non-negative integer up to 2^32 - 1.
  EXPECT_EQ(read(R"({"usage":{"prompt_tokens":10,"completion_tokens":"3"}})"),
            "invalid: completion_tokens is not a token count");
  EXPECT_EQ(read(R"({"usage":{"prompt_tokens":10,"completion_tokens":-3}})"),
            "invalid: completion_tokens is not a token count");
  EXPECT_EQ(read(R"({"usage":{"prompt_tokens":10,"completion_tokens":2.5}})"),
            "invalid: completion_tokens is not a token count");
  EXPECT_EQ(read(R"({"usage":{"prompt_tokens":4294967296,"completion_tokens":1}})"),
            "invalid: prompt_tokens is not a token count");
  EXPECT_EQ(read(R"({"usage":{"prompt_tokens":10,"completion_tokens":3,"completion_tokens_details":{"reasoning_tokens":"2"}}})"),
            "invalid: completion_tokens_details.reasoning_tokens is not a token count");
  EXPECT_EQ(read(R"({"usage":{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":7}})"),
            "invalid: prompt_tokens_details is not an object");
  // Counts that do not add up.
  EXPECT_EQ(read(R"({"usage":{"prompt_cache_hit_tokens":10,"prompt_cache_miss_tokens":10,"prompt_tokens":30,"completion_tokens":5}})"),
            "invalid: prompt_tokens 30 is not cache hits 10 + misses 10");
  EXPECT_EQ(read(R"({"usage":{"prompt_tokens":10,"completion_tokens":3,"completion_tokens_details":{"reasoning_tokens":4}}})"),
            "invalid: reasoning tokens 4 above the output 3");
  EXPECT_EQ(read(R"({"usage":{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":11}}})"),
            "invalid: cached_tokens above prompt_tokens");
}

TEST(Usage, AFieldNamedTwiceCountsWhereFirstNamed) {
  // As a lookup by name finds the first: 4, not 9; a first null is not replaced
  // by a later count; the first details object decides.
  EXPECT_EQ(read(R"({"usage":{"prompt_tokens":10,"completion_tokens":4,"completion_tokens":9}})"), "0/10/4/0");
  EXPECT_EQ(read(R"({"usage":{"prompt_tokens":10,"completion_tokens":null,"completion_tokens":9}})"),
            "invalid: no output count (completion_tokens or input_tokens with output_tokens)");
  EXPECT_EQ(read(R"({"usage":{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"x":1},
      "prompt_tokens_details":{"cached_tokens":6}}})"),
            "0/10/3/0");
}

TEST(Usage, ReportReadsTheSame) {
  // Every object above, through the cost report's reader: the same tokens, or
  // skipped where the ledger's reader finds the usage invalid. The last four:
  // null counts are absent, a first null is not replaced, a fraction or a
  // negative is no count.
  for (const char* usage : {
           R"({"prompt_tokens":120,"completion_tokens":75,"prompt_tokens_details":{"cached_tokens":64},"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":56,"completion_tokens_details":{"reasoning_tokens":40}})",
           R"({"prompt_cache_hit_tokens":10,"prompt_tokens":30,"completion_tokens":5})",
           R"({"prompt_tokens":120,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":64}})",
           R"({"input_tokens":100,"input_tokens_details":{"cached_tokens":40},"output_tokens":20,"output_tokens_details":{"reasoning_tokens":5}})",
           R"({"input_tokens":21,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":7})",
           R"({"prompt_tokens":10,"completion_tokens":"3"})",
           R"({"prompt_tokens":4294967296,"completion_tokens":1})",
           R"({"prompt_tokens":10,"completion_tokens":3,"completion_tokens_details":{"reasoning_tokens":4}})",
           R"({"prompt_cache_hit_tokens":10,"prompt_cache_miss_tokens":10,"prompt_tokens":30,"completion_tokens":5})",
           R"({"prompt_tokens":10,"completion_tokens":4,"completion_tokens":9})",
           R"({"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"x":1},"prompt_tokens_details":{"cached_tokens":6}})",
           R"({"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":null,"completion_tokens_details":{"reasoning_tokens":null}})",
           R"({"prompt_tokens":10,"completion_tokens":null,"completion_tokens":9})",
           R"({"prompt_tokens":10,"completion_tokens":2.5})",
           R"({"prompt_tokens":10,"completion_tokens":-3})",
       }) {
    std::string ledger = read(std::string(R"({"usage":)") + usage + "}");
    if (ledger.rfind("invalid", 0) == 0) ledger = "skipped";
    EXPECT_EQ(report(usage), ledger) << usage;
  }
}

}  // namespace
}  // namespace ff::wire
