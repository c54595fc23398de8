// What-if arithmetic against a hand-computed case.
#include "planner/whatif.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "pricing/price_book_loader.h"
#include "sim/quality_model.h"

namespace ff::planner {
namespace {

TEST(WhatIf, HandComputedCase) {
  // 10M output + 30M input a month at 40% hits, launch prices; mix summarization 0.5,
  // rag 0.2, agents 0.3; shipped priors at high effort: summarization and rag fail
  // 0.098 on Flash / 0.069 on Pro, agent tool chaining 0.462 / 0.321; the checkable
  // shares of those failures are 0.10, 0.05 and 0.30.
  pricing::PriceBook book = pricing::load_embedded_price_book().value();
  sim::QualityModel quality = sim::QualityModel::embedded().value();
  WorkloadProfile p;
  p.mix = parse_mix("summarization=0.5,rag=0.2,agents=0.3").value();
  p.output_tokens_per_month = 10'000'000;
  p.input_tokens_per_month = 30'000'000;
  p.cache_hit_rate = 0.4;
  auto r = simulate_policies(p, book, quality, *core::parse_time("2026-04-24T12:00:00Z"), "USD", WhatIfOptions{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 5u);
  const auto& all_flash = (*r)[0];
  const auto& all_pro = (*r)[1];
  const auto& routed = (*r)[2];
  const auto& cascade = (*r)[3];
  const auto& serve = (*r)[4];
  EXPECT_EQ(serve.policy, "serve");
  // Costs: all-Flash $5.656 and all-Pro $67.86 (as in advisor_test); routed = 0.7 x 5.656 + 0.3 x 67.86.
  EXPECT_EQ(all_flash.monthly_cost.to_decimal(), "5.656");
  EXPECT_EQ(all_pro.monthly_cost.to_decimal(), "67.86");
  EXPECT_EQ(routed.monthly_cost.to_decimal(), "24.3172");
  // Cascade: Flash for everything, then Pro for each category's caught share (failure x checkable):
  //   summarization 6M/9M/5M hit/miss/out x 0.098 x 0.10 = 58,800/88,200/49,000
  //     -> 0.008526 + 0.153468 + 0.17052 = 0.332514
  //   rag 2.4M/3.6M/2M x 0.098 x 0.05 = 11,760/17,640/9,800 -> 0.0017052 + 0.0306936 + 0.034104 = 0.0665028
  //   agents 3.6M/5.4M/3M x 0.462 x 0.30 = 498,960/748,440/415,800 -> 0.0723492 + 1.3022856 + 1.446984 = 2.8216188
  //   5.656 + 0.332514 + 0.0665028 + 2.8216188 = 8.8766356
  EXPECT_EQ(cascade.monthly_cost.to_decimal(), "8.8766356");
  // serve: Flash for summarization and rag (0.7 x 5.656 = 3.9592) plus their escalations
  // (0.332514 + 0.0665028), Pro for agents (0.3 x 67.86 = 20.358): 24.7162168.
  EXPECT_EQ(serve.monthly_cost.to_decimal(), "24.7162168");
  // Failure rates: Flash 0.7 x 0.098 + 0.3 x 0.462 = 0.2072; Pro 0.7 x 0.069 + 0.3 x 0.321 = 0.1446;
  // routed 0.7 x 0.098 + 0.3 x 0.321 = 0.1649.
  EXPECT_EQ(fmt::format("{:.6f}", all_flash.failure_rate), "0.207200");
  EXPECT_EQ(fmt::format("{:.6f}", all_pro.failure_rate), "0.144600");
  EXPECT_EQ(fmt::format("{:.6f}", routed.failure_rate), "0.164900");
  // A checked Flash answer fails pf (1 - c) + pf c pp:
  //   summarization 0.5 x 0.098 x (0.9 + 0.1 x 0.069) = 0.0444381
  //   rag           0.2 x 0.098 x (0.95 + 0.05 x 0.069) = 0.01868762
  //   agents        0.3 x 0.462 x (0.7 + 0.3 x 0.321) = 0.11036718
  // cascade: 0.17349290, worse than all-Pro's 0.1446: most failures pass any check.
  // serve: the first two plus agents on Pro, 0.3 x 0.321 = 0.0963: 0.15942572.
  EXPECT_EQ(fmt::format("{:.8f}", cascade.failure_rate), "0.17349290");
  EXPECT_EQ(fmt::format("{:.8f}", serve.failure_rate), "0.15942572");
  // What no check sees: all-Flash 0.5 x 0.098 x 0.9 + 0.2 x 0.098 x 0.95 + 0.3 x 0.462 x 0.7
  //   = 0.0441 + 0.01862 + 0.09702 = 0.15974; serve: summarization 0.5 x 0.098 x (0.9 + 0.1 x 0.069 x 0.9)
  //   = 0.04440429, rag 0.2 x 0.098 x (0.95 + 0.05 x 0.069 x 0.95) = 0.01868424, agents on Pro 0.3 x 0.321 x 0.7
  //   = 0.06741: 0.13049853.
  EXPECT_EQ(fmt::format("{:.8f}", all_flash.unseen_failure_rate), "0.15974000");
  EXPECT_EQ(fmt::format("{:.8f}", serve.unseen_failure_rate), "0.13049853");
  // Escalations: cascade 0.5 x 0.0098 + 0.2 x 0.0049 + 0.3 x 0.1386 = 0.0049 + 0.00098 + 0.04158 = 0.04746;
  // serve 0.0049 + 0.00098 = 0.00588.
  EXPECT_EQ(fmt::format("{:.5f}", cascade.escalation_rate), "0.04746");
  EXPECT_EQ(fmt::format("{:.5f}", serve.escalation_rate), "0.00588");
  EXPECT_EQ(fmt::format("{:.5f}", serve.pro_share), "0.30588");
  EXPECT_EQ(fmt::format("{:.1f}", routed.pro_share), "0.3");
  // Latency for 500 output tokens: Flash 0.35 + 500/90 = 5.9056 s, Pro 0.9 + 500/35 = 15.1857 s;
  // cascade 5.9056 + 0.04746 x 15.1857 = 6.6263 s.
  EXPECT_EQ(fmt::format("{:.3f}", cascade.latency_seconds), "6.626");
  // Pareto front: each trades cost against failures (no policy is both cheaper and fails less than another).
  EXPECT_TRUE(all_flash.pareto);
  EXPECT_TRUE(cascade.pareto);
  EXPECT_TRUE(routed.pareto);
  EXPECT_TRUE(all_pro.pareto);
  EXPECT_TRUE(serve.pareto);
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
