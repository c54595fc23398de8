// The Prometheus text the gateway's metrics write.
#include "gateway/metrics.h"

#include <gtest/gtest.h>

#include <string>

#include "core/money.h"
#include "ledger/ledger.h"

namespace ff::gateway {
namespace {

ledger::Row row(std::string key, std::string model, int status, std::int64_t ms, core::TokenUsage usage,
                const char* cost, const char* cost_if_pro) {
  ledger::Row r;
  r.key_name = std::move(key);
  r.routed_model = std::move(model);
  r.status = status;
  r.start_ms = 1'000;
  r.end_ms = 1'000 + ms;
  r.usage = usage;
  r.cost = core::parse_money(cost).value();
  r.cost_if_pro = core::parse_money(cost_if_pro).value();
  return r;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(Metrics, CallsCostAndTokensByTierAndKey) {
  Metrics m;
  // Two Flash calls of key a (300 and 20 input tokens, 50 and 10 output), one failed Pro call of key b.
  m.count(row("a", "deepseek-v4-flash", 200, 120, {100, 200, 50, 0}, "0.00042", "0.0014"), core::Tier::kFlash);
  m.count(row("a", "deepseek-v4-flash", 200, 30, {0, 20, 10, 0}, "0.000016", "0.00005"), core::Tier::kFlash);
  m.count(row("b", "deepseek-v4-pro", 503, 2'500, {}, "0", "0"), core::Tier::kPro);
  ++m.escalations;
  m.observe_overhead(0.0003);
  const std::string t = m.text("USD");

  EXPECT_TRUE(has_line(t, R"(flashfirst_requests_total{tier="flash",status="200"} 2)")) << t;
  EXPECT_TRUE(has_line(t, R"(flashfirst_requests_total{tier="pro",status="503"} 1)"));
  EXPECT_TRUE(has_line(t, "flashfirst_escalations_total 1"));
  EXPECT_TRUE(has_line(t, "flashfirst_fallbacks_total 0"));
  // 0.00042 + 0.000016, and the all-Pro figure 0.0014 + 0.00005.
  EXPECT_TRUE(has_line(t, "flashfirst_cost_total 0.000436"));
  EXPECT_TRUE(has_line(t, "flashfirst_cost_if_pro_total 0.00145"));
  EXPECT_TRUE(has_line(t, R"(flashfirst_tokens_total{kind="cache_hit"} 100)"));
  EXPECT_TRUE(has_line(t, R"(flashfirst_tokens_total{kind="cache_miss"} 220)"));
  EXPECT_TRUE(has_line(t, R"(flashfirst_tokens_total{kind="output"} 60)"));
  EXPECT_TRUE(has_line(t, R"(flashfirst_key_cost_total{key="a",tier="flash"} 0.000436)"));
  // Money is written with at least two decimals.
  EXPECT_TRUE(has_line(t, R"(flashfirst_key_cost_total{key="b",tier="pro"} 0.00)"));
  EXPECT_TRUE(has_line(t, R"(flashfirst_key_tokens_total{key="a",tier="flash",kind="output"} 60)"));
  EXPECT_EQ(t.find(R"(key="a",tier="pro")"), std::string::npos);  // no call, no line

  // GenAI histograms: input 300 and 20 fall in the buckets up to 1024 and up to 64.
  const std::string flash =
      R"(gen_ai_operation_name="chat",gen_ai_system="deepseek",gen_ai_request_model="deepseek-v4-flash",)"
      R"(gen_ai_response_model="deepseek-v4-flash")";
  EXPECT_TRUE(has_line(t, "gen_ai_client_token_usage_bucket{" + flash + R"(,gen_ai_token_type="input",le="16"} 0)"));
  EXPECT_TRUE(has_line(t, "gen_ai_client_token_usage_bucket{" + flash + R"(,gen_ai_token_type="input",le="64"} 1)"));
  EXPECT_TRUE(has_line(t, "gen_ai_client_token_usage_bucket{" + flash + R"(,gen_ai_token_type="input",le="256"} 1)"));
  EXPECT_TRUE(has_line(t, "gen_ai_client_token_usage_bucket{" + flash + R"(,gen_ai_token_type="input",le="1024"} 2)"));
  EXPECT_TRUE(has_line(t, "gen_ai_client_token_usage_sum{" + flash + R"(,gen_ai_token_type="input"} 320)"));
  // A failed call has a duration (2.5 s, in the bucket up to 2.56) with its error type, and no tokens.
  const std::string pro =
      R"(gen_ai_operation_name="chat",gen_ai_system="deepseek",gen_ai_request_model="deepseek-v4-pro",)"
      R"(gen_ai_response_model="deepseek-v4-pro")";
  EXPECT_TRUE(
      has_line(t, "gen_ai_client_operation_duration_seconds_bucket{" + pro + R"(,error_type="503",le="1.28"} 0)"));
  EXPECT_TRUE(
      has_line(t, "gen_ai_client_operation_duration_seconds_bucket{" + pro + R"(,error_type="503",le="2.56"} 1)"));
  EXPECT_EQ(t.find("gen_ai_client_token_usage_bucket{" + pro), std::string::npos);
  EXPECT_TRUE(has_line(t, R"(flashfirst_request_overhead_seconds_bucket{le="0.00025"} 0)"));
  EXPECT_TRUE(has_line(t, R"(flashfirst_request_overhead_seconds_bucket{le="0.0005"} 1)"));
  EXPECT_TRUE(has_line(t, "flashfirst_request_overhead_seconds_count 1"));
}

TEST(Metrics, KeyNamesAreEscapedAsPrometheusLabels) {
  Metrics m;
  m.count(row("team \"x\"\\n", "deepseek-v4-flash", 200, 10, {0, 1, 1, 0}, "0.000001", "0.000002"), core::Tier::kFlash);
  EXPECT_TRUE(has_line(m.text("USD"), R"(flashfirst_key_cost_total{key="team \"x\"\\n",tier="flash"} 0.000001)"));
}

}  // namespace
}  // namespace ff::gateway
