#include "usage_generator.h"

#include <fmt/format.h>

namespace ff::bench {

namespace {

// November 2026 USD rates in nano-dollars per 1M tokens: {hit, miss, output}.
struct Rates {
  std::int64_t hit, miss, output;
};
constexpr Rates kFlashOff{3'000'000, 150'000'000, 600'000'000};
constexpr Rates kFlashPeak{6'000'000, 300'000'000, 1'200'000'000};
constexpr Rates kProOff{22'000'000, 660'000'000, 1'980'000'000};
constexpr Rates kProPeak{44'000'000, 1'320'000'000, 3'960'000'000};

bool is_peak_utc(std::int64_t t) {
  std::int64_t days = t / 86400;
  int weekday = static_cast<int>((days + 3) % 7);  // 0 = Monday; 1970-01-01 was a Thursday
  int hour = static_cast<int>((t % 86400) / 3600);
  return weekday < 5 && ((hour >= 1 && hour < 4) || (hour >= 6 && hour < 10));
}

i128 cost(const Rates& r, std::int64_t hit, std::int64_t miss, std::int64_t out) {
  return static_cast<i128>(hit) * r.hit + static_cast<i128>(miss) * r.miss + static_cast<i128>(out) * r.output;
}

constexpr const char* kAnswers[] = {
    "The capital of France is Paris.",
    "Here is the function:\\n\\n```python\\ndef add(a, b):\\n    return a + b\\n```\\nIt returns the sum of its "
    "arguments.",
    "Summary: the report finds revenue grew 12% year over year, driven by the APAC region, while costs rose 4%. "
    "Risks include currency exposure and a concentrated customer base.",
    "{\\\"sentiment\\\": \\\"positive\\\", \\\"confidence\\\": 0.93}",
    "步骤一：先计算总数。步骤二：再除以人数。答案是 42。",
    "Let x be the number of apples. Then 3x + 5 = 20, so x = 5. The answer is 5.",
};
constexpr const char* kReasoning[] = {
    "",
    "The user wants a short factual answer; no tools needed.",
    "We need to check the edge cases: empty input, negative numbers, overflow. Then write the code and explain it "
    "briefly.",
};

}  // namespace

std::uint64_t UsageGenerator::next() {
  // splitmix64: fast, deterministic, good enough for test data.
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void UsageGenerator::append_line(std::int64_t i, std::int64_t n, std::string& out) {
  const std::int64_t t = opt_.start_unix + (n > 1 ? opt_.span_seconds * i / (n - 1) : 0);
  const std::uint64_t r = next();
  const bool pro = r % 100 < 22;
  const char* model = pro ? "deepseek-v4-pro" : (r % 100 < 32 ? "deepseek-v4-flash" : "deepseek-flash");
  // Prompt sizes from 50 to ~130k tokens, most of them a few thousand.
  const std::int64_t prompt = 50 + static_cast<std::int64_t>((next() % 4000) * (next() % 4000) / 120);
  const std::int64_t hit_pct = static_cast<std::int64_t>(next() % 10 < 3 ? 0 : next() % 96);
  const std::int64_t hit = prompt * hit_pct / 100;
  const std::int64_t miss = prompt - hit;
  const std::int64_t reasoning = static_cast<std::int64_t>(next() % 3 == 0 ? 0 : next() % 3000);
  const std::int64_t completion = reasoning + 20 + static_cast<std::int64_t>(next() % 1500);
  const char* answer = kAnswers[next() % std::size(kAnswers)];
  const char* thought = kReasoning[next() % std::size(kReasoning)];

  fmt::format_to(
      std::back_inserter(out),
      R"({{"id":"{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}","object":"chat.completion","created":{},"model":"{}",)"
      R"("choices":[{{"index":0,"message":{{"role":"assistant","content":"{}","reasoning_content":"{}"}},)"
      R"("logprobs":null,"finish_reason":"stop"}}],"usage":{{"prompt_tokens":{},"completion_tokens":{},)"
      R"("total_tokens":{},"prompt_tokens_details":{{"cached_tokens":{}}},"completion_tokens_details":)"
      R"({{"reasoning_tokens":{}}},"prompt_cache_hit_tokens":{},"prompt_cache_miss_tokens":{}}},)"
      R"("system_fingerprint":"fp_a49d71b8a1"}})"
      "\n",
      r >> 32, (r >> 16) & 0xffff, r & 0xfff, (r >> 12) & 0xfff, next() & 0xffffffffffffULL, t, model, answer, thought,
      prompt, completion, prompt + completion, hit, reasoning, hit, miss);

  const bool peak = is_peak_utc(t);
  const Rates& flash = peak ? kFlashPeak : kFlashOff;
  const Rates& pro_rates = peak ? kProPeak : kProOff;
  expected_.records += 1;
  expected_.cache_hit += hit;
  expected_.cache_miss += miss;
  expected_.output += completion;
  expected_.actual += cost(pro ? pro_rates : flash, hit, miss, completion);
  expected_.all_flash += cost(flash, hit, miss, completion);
  expected_.all_pro += cost(pro_rates, hit, miss, completion);
}

std::string femto_to_decimal(i128 v) {
  bool neg = v < 0;
  if (neg) v = -v;
  const i128 unit = 1'000'000'000'000'000;
  i128 whole = v / unit;
  std::string w;
  do {
    w.insert(w.begin(), static_cast<char>('0' + static_cast<int>(whole % 10)));
    whole /= 10;
  } while (whole != 0);
  std::string f = fmt::format("{:015d}", static_cast<long long>(v % unit));
  while (f.size() > 2 && f.back() == '0') f.pop_back();
  return (neg ? "-" : "") + w + "." + f;
}

}  // namespace ff::bench
