#include "gateway/route_stage.h"

#include <gtest/gtest.h>

namespace ff::gateway {
namespace {

using core::Tier;

// The router's decision for a translation: Flash, cascaded, low effort.
router::Decision translation() {
  router::Decision d;
  d.tier = Tier::kFlash;
  d.model = "deepseek-v4-flash";
  d.category = router::Category::kTranslation;
  d.cascade = true;
  d.reason = "translation: cue";
  return d;
}

struct Fixture {
  router::Policy policy = router::Policy::embedded().value();
  std::vector<Tier> flash_only{Tier::kFlash};
  RouteInput in;
  Fixture() {
    in.routed = translation();
    in.key_name = "team";
    in.tier_of_model = [](std::string_view id) -> std::optional<Tier> {
      if (id == "deepseek-v4-pro") return Tier::kPro;
      if (id == "deepseek-flash") return Tier::kFlash;
      return std::nullopt;
    };
  }
  std::variant<Route, RouteRefusal> run() const {
    return finish_route(in, policy, [](std::string_view id) { return "unknown model " + std::string(id); });
  }
  Route route() const { return std::get<Route>(run()); }
  RouteRefusal refusal() const { return std::get<RouteRefusal>(run()); }
};

TEST(RouteStage, AutoKeepsTheRoutersDecision) {
  Fixture f;
  const Route r = f.route();
  EXPECT_EQ(r.decision.model, "deepseek-v4-flash");
  EXPECT_EQ(r.decision.reason, "translation: cue");
  EXPECT_TRUE(r.decision.cascade);
  EXPECT_TRUE(r.tier_choice);
  EXPECT_FALSE(r.fell_back);
}

TEST(RouteStage, TheModelTheClientNamed) {
  Fixture f;
  f.in.requested = "pro";
  Route r = f.route();
  EXPECT_EQ(r.decision.tier, Tier::kPro);
  EXPECT_EQ(r.decision.model, "deepseek-v4-pro");
  EXPECT_EQ(r.decision.reason, "client asked for pro (translation: cue)");
  EXPECT_FALSE(r.decision.cascade);  // Pro's answers are not checked
  EXPECT_TRUE(r.tier_choice);
  // A Claude name on the Anthropic protocol: opus is Pro; elsewhere it is a model id.
  f.in.requested = "claude-opus-4";
  f.in.protocol = wire::Protocol::kAnthropic;
  EXPECT_EQ(f.route().decision.reason, "client asked for claude-opus-4 (translation: cue)");
  EXPECT_EQ(f.route().decision.tier, Tier::kPro);
  f.in.protocol = wire::Protocol::kOpenAi;
  EXPECT_EQ(f.refusal().message, "unknown model claude-opus-4");
  // A concrete id passes as named, unchecked, and is not the gateway's choice.
  f.in.requested = "deepseek-flash";
  r = f.route();
  EXPECT_EQ(r.decision.model, "deepseek-flash");
  EXPECT_FALSE(r.decision.cascade);
  EXPECT_FALSE(r.tier_choice);
  EXPECT_EQ(r.decision.reason, "client named the model (translation: cue)");
  f.in.requested = "gpt-4o";
  const RouteRefusal e = f.refusal();
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.code, "model_not_found");
}

TEST(RouteStage, TheKeysTiers) {
  Fixture f;
  f.in.key_tiers = &f.flash_only;
  f.in.routed.tier = Tier::kPro;
  f.in.routed.model = "deepseek-v4-pro";
  const Route r = f.route();
  EXPECT_EQ(r.decision.model, "deepseek-v4-flash");
  EXPECT_EQ(r.decision.reason, "key team allows only flash (translation: cue)");
  EXPECT_FALSE(r.decision.cascade);
  f.in.requested = "pro";
  EXPECT_EQ(f.refusal().status, 403);
  EXPECT_EQ(f.refusal().message, "key team may not use pro models");
  f.in.requested = "deepseek-v4-pro";
  EXPECT_EQ(f.refusal().code, "tier_not_allowed");
}

TEST(RouteStage, AFailingTierIsAvoidedWhenTheOtherMayServe) {
  Fixture f;
  f.in.fallback_enabled = true;
  f.in.avoided = {true, false};  // Flash failing
  f.in.failures_in_a_row = {5, 0};
  Route r = f.route();
  EXPECT_TRUE(r.fell_back);
  EXPECT_EQ(r.decision.model, "deepseek-v4-pro");
  EXPECT_EQ(r.decision.reason, "fallback: flash is failing (5 failed calls in a row) (translation: cue)");
  EXPECT_FALSE(r.decision.cascade);
  // Not when both fail, the key may not use the other, fallback is off, or the client named a model.
  f.in.avoided = {true, true};
  EXPECT_FALSE(f.route().fell_back);
  f.in.avoided = {true, false};
  f.in.key_tiers = &f.flash_only;
  EXPECT_FALSE(f.route().fell_back);
  f.in.key_tiers = nullptr;
  f.in.fallback_enabled = false;
  EXPECT_FALSE(f.route().fell_back);
  f.in.fallback_enabled = true;
  f.in.requested = "deepseek-flash";
  EXPECT_FALSE(f.route().fell_back);
}

}  // namespace
}  // namespace ff::gateway
