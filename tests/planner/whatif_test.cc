// What-if arithmetic against a hand-computed case.
#include "planner/whatif.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "pricing/price_book_loader.h"
#include "pricing/quality_model.h"

namespace ff::planner {
namespace {

TEST(WhatIf, HandComputedCase) {
  // 10M output + 30M input a month at 40% hits, launch prices; mix summarization 0.5,
  // rag 0.2, agents 0.3; shipped priors at high effort: summarization and rag fail
  // 0.098 on Flash / 0.069 on Pro, agent tool chaining 0.462 / 0.321.
  pricing::PriceBook book = pricing::load_embedded_price_book().value();
  pricing::QualityModel quality = pricing::QualityModel::embedded().value();
  WorkloadProfile p;
  p.mix = parse_mix("summarization=0.5,rag=0.2,agents=0.3").value();
  p.output_tokens_per_month = 10'000'000;
  p.input_tokens_per_month = 30'000'000;
  p.cache_hit_rate = 0.4;
  auto r = simulate_policies(p, book, quality, *core::parse_time("2026-04-24T12:00:00Z"), "USD", WhatIfOptions{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& all_flash = (*r)[0];
  const auto& all_pro = (*r)[1];
  const auto& routed = (*r)[2];
  const auto& cascade = (*r)[3];
  // Costs: all-Flash $5.656 and all-Pro $67.86 (as in advisor_test); routed = 0.7 x 5.656 + 0.3 x 67.86.
  EXPECT_EQ(all_flash.monthly_cost.to_decimal(), "5.656");
  EXPECT_EQ(all_pro.monthly_cost.to_decimal(), "67.86");
  EXPECT_EQ(routed.monthly_cost.to_decimal(), "24.3172");
  // Cascade: Flash for everything, then Pro for each category's failed share:
  //   summarization 6M/9M/5M hit/miss/out x 0.098 = 588,000/882,000/490,000 -> 0.08526 + 1.53468 + 1.7052 = 3.32514
  //   rag           2.4M/3.6M/2M x 0.098 = 235,200/352,800/196,000       -> 0.034104 + 0.613872 + 0.68208 = 1.330056
  //   agents        3.6M/5.4M/3M x 0.462 = 1,663,200/2,494,800/1,386,000 -> 0.241164 + 4.340952 + 4.82328 = 9.405396
  //   5.656 + 3.32514 + 1.330056 + 9.405396 = 19.716592
  EXPECT_EQ(cascade.monthly_cost.to_decimal(), "19.716592");
  // Failure rates: Flash 0.7 x 0.098 + 0.3 x 0.462 = 0.2072; Pro 0.7 x 0.069 + 0.3 x 0.321 = 0.1446;
  // routed 0.7 x 0.098 + 0.3 x 0.321 = 0.1649; cascade 0.7 x 0.098 x 0.069 + 0.3 x 0.462 x 0.321 = 0.0492240.
  EXPECT_EQ(fmt::format("{:.6f}", all_flash.failure_rate), "0.207200");
  EXPECT_EQ(fmt::format("{:.6f}", all_pro.failure_rate), "0.144600");
  EXPECT_EQ(fmt::format("{:.6f}", routed.failure_rate), "0.164900");
  EXPECT_EQ(fmt::format("{:.6f}", cascade.failure_rate), "0.049224");
  EXPECT_EQ(fmt::format("{:.4f}", cascade.escalation_rate), "0.2072");
  EXPECT_EQ(fmt::format("{:.1f}", routed.pro_share), "0.3");
  // Latency for 500 output tokens: Flash 0.35 + 500/90 = 5.9056 s, Pro 0.9 + 500/35 = 15.1857 s;
  // cascade 5.9056 + 0.2072 x 15.1857 = 9.0521 s.
  EXPECT_EQ(fmt::format("{:.3f}", cascade.latency_seconds), "9.052");
  // Pareto front: all-Flash (cheapest) and the cascade (cheaper and better than routed and all-Pro).
  EXPECT_TRUE(all_flash.pareto);
  EXPECT_TRUE(cascade.pareto);
  EXPECT_FALSE(routed.pareto);
  EXPECT_FALSE(all_pro.pareto);
}

}  // namespace
}  // namespace ff::planner

namespace ff::planner {
namespace {

TEST(WhatIf, ProfileFromARequestSample) {
  RequestSample s;
  s.requests = 4;
  s.input_tokens = 1001;
  s.categories = {{"rag", 1}, {"summarization", 3}};
  WorkloadProfile p = profile_from_sample(s, 7, 100);
  EXPECT_EQ(p.mix.at("rag"), 0.25);
  EXPECT_EQ(p.mix.at("summarization"), 0.75);
  EXPECT_EQ(p.input_tokens_per_month, 1751);  // 1001 x 7 / 4 = 1751.75, rounded down
  EXPECT_EQ(p.output_tokens_per_month, 700);  // 7 x 100
}

}  // namespace
}  // namespace ff::planner
