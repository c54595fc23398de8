// The gateway's two readers of a chat completion: read_completion(), one
// On-Demand pass for the usual answer, and the DOM's first_choice() with
// read_usage(). Where the first reads an answer it must agree with the second
// exactly; every answer it is not sure of, it declines (nullopt) for the DOM.
#include "wire/chat_completion.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

namespace ff::wire {
namespace {

// "present finish=F content=C calls=N | usage" with "-" for what is absent;
// usage as "hit/miss/output/reasoning", "absent" or "invalid: why".
std::string describe(const ChoiceView& c, const UsageRead& u) {
  std::string out = c.present ? "present" : "absent";
  out.append(" finish=").append(c.finish_reason ? *c.finish_reason : "-");
  if (c.content) {
    out.append(" content=[").append(*c.content).append("]");
  } else {
    out.append(" content=-");
  }
  out += c.has_calls ? " calls" : " no-calls";
  out += " | ";
  if (u.status == UsageRead::Status::kAbsent) return out + "absent";
  if (u.status == UsageRead::Status::kInvalid) return out + "invalid: " + u.why;
  return out + std::to_string(u.usage.cache_hit) + "/" + std::to_string(u.usage.cache_miss) + "/" +
         std::to_string(u.usage.output) + "/" + std::to_string(u.usage.reasoning);
}

std::string by_dom(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root)) return "not JSON";
  return describe(first_choice(root), read_usage(root));
}

// A body as the gateway has it: with room for simdjson's padding.
std::string padded(const std::string& body) {
  std::string s = body;
  s.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return s;
}

std::string on_demand(const std::string& body) {
  const std::string s = padded(body);
  const auto read = read_completion(s);
  if (!read) return "declined";
  return describe(read->choice, read->usage);
}

// The simulator's answer to a short request (flashfirst sim), as the gateway reads it after every call.
const char* const kUsual =
    R"({"id":"42e2b12a","object":"chat.completion","created":1796403294,"model":"deepseek-v4-flash",)"
    R"("choices":[{"index":0,"message":{"role":"assistant","content":"Let me summarize.",)"
    R"("reasoning_content":"I will outline the steps."},"logprobs":null,"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":15,"completion_tokens":60,"total_tokens":75,"prompt_tokens_details":{"cached_tokens":0},)"
    R"("completion_tokens_details":{"reasoning_tokens":48},"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":15},)"
    R"("system_fingerprint":"fp_ffsim_0001"})";

TEST(ChatCompletion, ReadsTheUsualAnswer) {
  // 0 hits, 15 misses, 60 output tokens of which 48 reasoning.
  EXPECT_EQ(on_demand(kUsual), "present finish=stop content=[Let me summarize.] no-calls | 0/15/60/48");
  EXPECT_EQ(by_dom(kUsual), on_demand(kUsual));
}

TEST(ChatCompletion, AgreesWithTheDomOnEveryAnswerItReads) {
  const std::string choice = R"({"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"})";
  const std::string usage = R"({"prompt_tokens":10,"completion_tokens":3})";
  // Each with what both readers find, worked out from the JSON by hand.
  const std::pair<std::string, std::string> cases[] = {
      {R"({"choices":[)" + choice + R"(],"usage":)" + usage + "}",
       "present finish=stop content=[ok] no-calls | 0/10/3/0"},
      // Cut at the cap, with nothing written yet.
      {R"({"choices":[{"message":{"content":""},"finish_reason":"length"}],"usage":)" + usage + "}",
       "present finish=length content=[] no-calls | 0/10/3/0"},
      // Null content and finish reason; whitespace content; no message at all.
      {R"({"choices":[{"message":{"content":null},"finish_reason":null}]})",
       "present finish=- content=- no-calls | absent"},
      {R"({"choices":[{"message":{"content":" \n"},"finish_reason":"stop"}]})",
       "present finish=stop content=[ \n] no-calls | absent"},
      {R"({"choices":[{"finish_reason":"content_filter"}],"usage":null})",
       "present finish=content_filter content=- no-calls | absent"},
      // Tool calls that are none: an empty list, null.
      {R"({"choices":[{"message":{"content":"a","tool_calls":[]},"finish_reason":"stop"}]})",
       "present finish=stop content=[a] no-calls | absent"},
      {R"({"choices":[{"message":{"tool_calls":null,"content":"a"}}]})",
       "present finish=- content=[a] no-calls | absent"},
      // A member named twice counts where first named, as a lookup by name finds it.
      {R"({"choices":[{"finish_reason":null,"finish_reason":"stop","message":{"content":"x","content":"y"}}],)"
       R"("choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3},"usage":null})",
       "present finish=- content=[x] no-calls | 0/10/3/0"},
      // Escapes other than \u, and UTF-8 as it is.
      {R"({"choices":[{"message":{"content":"a\"b\\c\nd résumé 要約"}}]})",
       "present finish=- content=[a\"b\\c\nd résumé 要約] no-calls | absent"},
      // Null counts and details: absent, as in read_usage (the report reads them the same).
      {R"({"choices":[)" + choice +
           R"(],"usage":{"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":null,)"
           R"("completion_tokens_details":{"reasoning_tokens":null}}})",
       "present finish=stop content=[ok] no-calls | 0/10/3/0"},
      // Counts that do not add up: invalid, with the shared reason.
      {R"({"choices":[)" + choice + R"(],"usage":{"prompt_cache_hit_tokens":1,"prompt_cache_miss_tokens":2}})",
       "present finish=stop content=[ok] no-calls | invalid: no output count (completion_tokens or input_tokens with "
       "output_tokens)"},
      {R"({"choices":[)" + choice +
           R"(],"usage":{"prompt_tokens":10,"completion_tokens":3,)"
           R"("completion_tokens_details":{"reasoning_tokens":4}}})",
       "present finish=stop content=[ok] no-calls | invalid: reasoning tokens 4 above the output 3"},
  };
  for (const auto& [body, expected] : cases) {
    EXPECT_EQ(on_demand(body), expected) << body;
    EXPECT_EQ(by_dom(body), expected) << body;
  }
}

TEST(ChatCompletion, DeclinesWhatTheDomMustRead) {
  const std::string tail = R"(,"usage":{"prompt_tokens":10,"completion_tokens":3}})";
  for (const std::string& body : std::vector<std::string>{
           // Tool calls (checked against their schemas, their reasoning remembered).
           R"({"choices":[{"message":{"tool_calls":[{"id":"c1","function":{"name":"f","arguments":"{}"}}]}}])" + tail,
           // Two choices (every one is read for tool calls).
           R"({"choices":[{"message":{"content":"a"}},{"message":{"content":"b"}}])" + tail,
           // A \u escape anywhere: a key may be spelled with one ("us\u0061ge").
           R"({"choices":[{"message":{"content":"caf\u00e9"}}])" + tail,
           R"({"choices":[{"message":{"content":"a"}}],"us\u0061ge":{"prompt_tokens":10,"completion_tokens":3}})",
           // Not JSON, or not one object.
           R"({"choices":[{"message":{"content":"a"}}]} x)",
           R"({"choices":[{"message":{"content":"a")",
           R"([{"choices":[]}])",
           // Other shapes: no choices, an empty list, a choice or a message that is no object.
           R"({"id":"x")" + tail,
           R"({"choices":[])" + tail,
           R"({"choices":[5])" + tail,
           R"({"choices":[{"message":"hi"}])" + tail,
           // A malformed usage, whose reason the DOM's reader gives.
           R"({"choices":[{"message":{"content":"a"}}],"usage":{"prompt_tokens":10,"completion_tokens":"3"}})",
           R"({"choices":[{"message":{"content":"a"}}],"usage":[1,2]})",
           R"({"choices":[{"message":{"content":"a"}}],"usage":{"prompt_tokens":-1,"completion_tokens":3}})",
       }) {
    EXPECT_EQ(on_demand(body), "declined") << body;
  }
}

TEST(ChatCompletion, ABodyWithoutRoomForPaddingIsDeclined) {
  std::string tight = kUsual;
  tight.shrink_to_fit();  // capacity == size: no room for simdjson's padding
  ASSERT_LT(tight.capacity(), tight.size() + simdjson::SIMDJSON_PADDING);
  EXPECT_FALSE(read_completion(tight).has_value());
}

}  // namespace
}  // namespace ff::wire
