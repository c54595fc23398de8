// The advisor's framework rule by rule, with the money worked out by hand.
#include "planner/advisor.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "pricing/price_book_loader.h"

namespace ff::planner {
namespace {

class Advise : public ::testing::Test {
 protected:
  Advise() : book_(pricing::load_embedded_price_book().value()) {}
  Advice run(WorkloadProfile p, const char* at = "2026-04-24T12:00:00Z") {
    auto a = advise(p, book_, *core::parse_time(at), "USD");
    EXPECT_TRUE(a.ok());
    return a.ok() ? *a : Advice{};
  }
  static WorkloadProfile profile(const char* mix, std::int64_t out, std::int64_t in, double hit) {
    WorkloadProfile p;
    p.mix = parse_mix(mix).value();
    p.output_tokens_per_month = out;
    p.input_tokens_per_month = in;
    p.cache_hit_rate = hit;
    return p;
  }
  static bool has_rule(const Advice& a, const std::string& rule) {
    for (const auto& r : a.reasons) {
      if (r.rule == rule) return true;
    }
    return false;
  }
  pricing::PriceBook book_;
};

TEST_F(Advise, WorkedExampleAtLaunchPrices) {
  // 10M output + 30M input a month at 40% cache hits, launch prices:
  //   Flash: 12M hits x 0.028 + 18M misses x 0.14 + 10M x 0.28 = 0.336 + 2.52 + 2.8  = $5.656
  //   Pro:   12M hits x 0.145 + 18M misses x 1.74 + 10M x 3.48 = 1.74 + 31.32 + 34.8 = $67.86
  // 30% agents (Pro work): mixed = 0.7 x 5.656 + 0.3 x 67.86 = 3.9592 + 20.358 = $24.3172.
  Advice a = run(profile("summarization=0.5,rag=0.2,agents=0.3", 10'000'000, 30'000'000, 0.4));
  EXPECT_EQ(a.recommendation, "mixed");
  EXPECT_EQ(a.pro_categories, std::vector<std::string>{"agent_tool_chaining"});
  EXPECT_EQ(a.cost.all_flash.to_decimal(), "5.656");
  EXPECT_EQ(a.cost.all_pro.to_decimal(), "67.86");
  EXPECT_EQ(a.cost.recommended.to_decimal(), "24.3172");
  EXPECT_TRUE(has_rule(a, "volume"));  // 10M output: a budget line
  // Pro becomes most of the bill above 5.656 / (5.656 + 67.86) = 0.0769356 of traffic.
  EXPECT_EQ(fmt::format("{:.6f}", *a.pro_share_majority_of_spend), "0.076936");
  // Pro's input cannot get as cheap as Flash's at 40% hits: (1.74 - 0.0952) / 1.595 > 1.
  EXPECT_FALSE(a.pro_input_parity_hit_rate.has_value());
}

TEST_F(Advise, FlashByDefaultProOnlyForProWork) {
  Advice flash = run(profile("summarization, rag, classification", 5'000'000, 20'000'000, 0.2));
  EXPECT_EQ(flash.recommendation, "flash");
  EXPECT_TRUE(has_rule(flash, "default"));
  EXPECT_EQ(flash.cost.recommended, flash.cost.all_flash);
  Advice pro = run(profile("math=0.5,agents=0.5", 5'000'000, 20'000'000, 0.2));
  EXPECT_EQ(pro.recommendation, "pro");
  EXPECT_EQ(pro.cost.recommended, pro.cost.all_pro);
}

TEST_F(Advise, TheCacheRuleIsComputedFromThePriceBook) {
  // Launch prices (2026-04-24), 80% hits. Pro/Flash input per 1M:
  //   no hits: 1.74 / 0.14 = 12.43; at 80%: (0.8 x 0.145 + 0.2 x 1.74) / (0.8 x 0.028 + 0.2 x 0.14)
  //   = 0.464 / 0.0504 = 9.21: the gap narrows, as the article says.
  // But all-Pro's total (5M out, 50M in): Flash 40M x 0.028 + 10M x 0.14 + 5M x 0.28 = 1.12 + 1.4 + 1.4 = 3.92;
  //   Pro 40M x 0.145 + 10M x 1.74 + 5M x 3.48 = 5.8 + 17.4 + 17.4 = 40.6, 10.36x: cost decides, Flash.
  Advice launch = run(profile("summarization", 5'000'000, 50'000'000, 0.8));
  EXPECT_EQ(launch.recommendation, "flash");
  ASSERT_TRUE(launch.input_gap.has_value());
  EXPECT_EQ(fmt::format("{:.2f} {:.2f}", launch.input_gap->at_zero_hits, launch.input_gap->at_this_rate), "12.43 9.21");
  EXPECT_TRUE(has_rule(launch, "cache"));
  // Today's prices (2026-11-24 02:00 UTC, peak, USD per 1M: Flash hit 0.006, miss 0.30; Pro hit 0.044,
  // miss 1.32): no hits 1.32 / 0.30 = 4.40; at 80%
  // (0.0352 + 0.264) / (0.0048 + 0.06) = 0.2992 / 0.0648 = 4.62: hits widen the gap, and the reason says
  // so and what it was at launch.
  Advice today = run(profile("rag=0.5,translation=0.5", 10'000'000, 30'000'000, 0.8), "2026-11-24T02:00:00Z");
  EXPECT_EQ(today.recommendation, "flash");
  EXPECT_EQ(fmt::format("{:.2f} {:.2f}", today.input_gap->at_zero_hits, today.input_gap->at_this_rate), "4.40 4.62");
  EXPECT_FALSE(today.input_gap->narrows());
  std::string cache;
  for (const auto& r : today.reasons) {
    if (r.rule == "cache") cache = r.text;
  }
  EXPECT_NE(cache.find("does not hold at these prices: Pro's input costs 4.40x Flash's with no hits and 4.62x at 80%"),
            std::string::npos)
      << cache;
  EXPECT_NE(cache.find("At launch (2026-04-24) it held: 12.43x with no hits, 9.21x at 80%."), std::string::npos)
      << cache;
  // Exactly 70% is not above the threshold: no cache reason at all.
  EXPECT_FALSE(has_rule(run(profile("summarization", 5'000'000, 50'000'000, 0.7)), "cache"));
}

TEST_F(Advise, EitherOnlyWhereCostCannotDecide) {
  // A book where Pro's hits cost what Flash's do: Flash hit 0.10, miss 0.20, output 1.00; Pro hit 0.10,
  // miss 0.60, output 1.00. At 90% hits, 50M input and 5M output a month:
  //   Flash 45M x 0.10 + 5M x 0.20 + 5M x 1.00 = 4.5 + 1 + 5 = 10.5
  //   Pro   45M x 0.10 + 5M x 0.60 + 5M x 1.00 = 4.5 + 3 + 5 = 12.5, 1.19x (within 1.25x): either.
  const char* toml = R"(
[book]
name = "test"
default_currency = "USD"
[[model]]
id = "f"
tier = "flash"
[[model]]
id = "p"
tier = "pro"
[[alias]]
id = "flash"
billed_as = "f"
[[alias]]
id = "pro"
billed_as = "p"
[[rates]]
model = "f"
currency = "USD"
from = 2026-01-01T00:00:00Z
flat = { hit = 0.10, miss = 0.20, output = 1.00 }
[[rates]]
model = "p"
currency = "USD"
from = 2026-01-01T00:00:00Z
flat = { hit = 0.10, miss = 0.60, output = 1.00 }
)";
  auto book = pricing::parse_price_book(toml, "test.toml");
  ASSERT_TRUE(book.ok()) << book.error().message;
  auto a = advise(profile("summarization", 5'000'000, 50'000'000, 0.9), *book,
                  *core::parse_time("2026-06-01T00:00:00Z"), "USD");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->recommendation, "either");
  EXPECT_EQ(a->cost.all_flash.to_decimal(), "10.50");
  EXPECT_EQ(a->cost.all_pro.to_decimal(), "12.50");
  // With Pro work in the mix the cache does not override the task rule.
  auto mixed = advise(profile("summarization=0.8,debugging=0.2", 5'000'000, 50'000'000, 0.9), *book,
                      *core::parse_time("2026-06-01T00:00:00Z"), "USD");
  EXPECT_EQ(mixed->recommendation, "mixed");
}

TEST_F(Advise, SmallVolumePicksOnQuality) {
  WorkloadProfile p = profile("summarization=0.5,reasoning=0.5", 500'000, 2'000'000, 0.0);
  EXPECT_EQ(run(p).recommendation, "mixed");
  p.wrong_answer_cost = WrongAnswerCost::kHigh;
  Advice a = run(p);
  EXPECT_EQ(a.recommendation, "pro");
  EXPECT_TRUE(has_rule(a, "quality"));
  // At 1M output tokens the small-volume rule no longer applies.
  p.output_tokens_per_month = 1'000'000;
  EXPECT_EQ(run(p).recommendation, "mixed");
}

TEST_F(Advise, SubscriptionIgnoresPerTokenMath) {
  WorkloadProfile p = profile("summarization", 50'000'000, 200'000'000, 0.9);
  p.access = Access::kSubscription;
  Advice a = run(p);
  EXPECT_EQ(a.recommendation, "flash");  // no cache "either" on a subscription
  EXPECT_TRUE(has_rule(a, "subscription"));
  EXPECT_FALSE(has_rule(a, "volume"));
}

TEST_F(Advise, PeakAndOffPeakAndParity) {
  // Tuesday 2026-11-24 02:00 UTC is peak. With no cache hits Flash's input costs
  // its peak miss price, $0.30 per 1M; Pro's input falls to that at
  // x = (1.32 - 0.30) / (1.32 - 0.044) = 79.9373% hits.
  Advice a = run(profile("summarization", 1'000'000, 1'000'000, 0.0), "2026-11-24T02:00:00Z");
  ASSERT_TRUE(a.pro_input_parity_hit_rate.has_value());
  EXPECT_EQ(fmt::format("{:.6f}", *a.pro_input_parity_hit_rate), "0.799373");
  // 1M miss + 1M output: off-peak Flash 0.15 + 0.6 = $0.75, peak $1.50; Pro off-peak 0.66 + 1.98 = $2.64, peak $5.28.
  ASSERT_TRUE(a.cost_off_peak && a.cost_peak);
  EXPECT_EQ(a.cost_off_peak->all_flash.to_decimal(), "0.75");
  EXPECT_EQ(a.cost_peak->all_flash.to_decimal(), "1.50");
  EXPECT_EQ(a.cost_off_peak->all_pro.to_decimal(), "2.64");
  EXPECT_EQ(a.cost_peak->all_pro.to_decimal(), "5.28");
  EXPECT_EQ(a.cost.all_pro.to_decimal(), "5.28");  // the band in force then
}

TEST(AdviseInput, AMisspeltProfileFieldIsAnError) {
  // `cache_hit_rat = 0.8` used to mean a hit rate of 0, silently.
  auto toml = parse_profile("output_tokens_per_month = 1e7\ninput_tokens_per_month = 3e7\ncache_hit_rat = 0.8\n"
                            "[mix]\nrag = 1\n",
                            "p.toml");
  ASSERT_FALSE(toml.ok());
  EXPECT_EQ(toml.error().message,
            "p.toml:3: cache_hit_rat: unknown field (expected mix, output_tokens_per_month, input_tokens_per_month, "
            "cache_hit_rate, access, wrong_answer_cost)");
  auto json = parse_profile(R"({"mix":{"rag":1},"output_tokens_per_month":1e7,"input_tokens_per_month":3e7,"cache_hit_rat":0.8})",
                            "p.json");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().message,
            "p.json: cache_hit_rat: unknown field (expected mix, output_tokens_per_month, input_tokens_per_month, "
            "cache_hit_rate, access, wrong_answer_cost)");
}

TEST(AdviseInput, MixWordsAndProfiles) {
  auto m = parse_mix("Summarization=3, RAG=1");
  ASSERT_TRUE(m.ok());
  EXPECT_DOUBLE_EQ(m->at("summarization"), 0.75);
  EXPECT_DOUBLE_EQ(m->at("rag"), 0.25);
  EXPECT_EQ(parse_mix("poetry").error().message.rfind("mix: 'poetry' is not a task category", 0), 0u);
  EXPECT_FALSE(parse_mix("rag=abc").ok());
  auto json = parse_profile(R"({"mix":{"summarization":0.6,"agent_tool_chaining":0.4},"output_tokens_per_month":1e7,)"
                            R"("input_tokens_per_month":3e7,"cache_hit_rate":0.4,"access":"api"})",
                            "p.json");
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_EQ(json->output_tokens_per_month, 10'000'000);
  EXPECT_DOUBLE_EQ(json->mix.at("agent_tool_chaining"), 0.4);
  auto toml = parse_profile(
      "output_tokens_per_month = 1000\ninput_tokens_per_month = 2000\naccess = \"subscription\"\n"
      "[mix]\nrag = 1\n",
      "p.toml");
  ASSERT_TRUE(toml.ok()) << toml.error().message;
  EXPECT_EQ(toml->access, Access::kSubscription);
  EXPECT_EQ(parse_profile(R"({"mix":{"rag":1}})", "p.json").error().message,
            "p.json: missing or invalid 'output_tokens_per_month'");
}

}  // namespace
}  // namespace ff::planner
