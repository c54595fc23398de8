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

TEST_F(Advise, HighCacheHitRateMakesItEither) {
  Advice either = run(profile("summarization", 5'000'000, 50'000'000, 0.8));
  EXPECT_EQ(either.recommendation, "either");
  EXPECT_TRUE(has_rule(either, "cache"));
  // With Pro work in the mix the cache does not override the task rule.
  EXPECT_EQ(run(profile("summarization=0.8,debugging=0.2", 5'000'000, 50'000'000, 0.8)).recommendation, "mixed");
  // Exactly 70% is not above the threshold.
  EXPECT_EQ(run(profile("summarization", 5'000'000, 50'000'000, 0.7)).recommendation, "flash");
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
  auto toml = parse_profile("output_tokens_per_month = 1000\ninput_tokens_per_month = 2000\naccess = \"subscription\"\n"
                            "[mix]\nrag = 1\n",
                            "p.toml");
  ASSERT_TRUE(toml.ok()) << toml.error().message;
  EXPECT_EQ(toml->access, Access::kSubscription);
  EXPECT_EQ(parse_profile(R"({"mix":{"rag":1}})", "p.json").error().message,
            "p.json: missing or invalid 'output_tokens_per_month'");
}

}  // namespace
}  // namespace ff::planner
