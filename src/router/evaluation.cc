#include "router/evaluation.h"

namespace ff::router {

void RouteEvaluation::add(const std::string& id, Category expected_category, core::Tier expected_tier,
                          Category got_category, core::Tier got_tier, const std::string& reason) {
  ++total_;
  const auto e = static_cast<std::size_t>(expected_category);
  const auto g = static_cast<std::size_t>(got_category);
  ++confusion_[e][g];
  PerCategory& pc = per_category_[e];
  ++pc.total;
  if (e == g) {
    ++category_correct_;
    ++pc.category_correct;
  }
  if (expected_tier == got_tier) {
    ++tier_correct_;
    ++pc.tier_correct;
  } else {
    tier_misses_.push_back({id, expected_category, expected_tier, got_category, got_tier, reason});
  }
  if (expected_tier == core::Tier::kPro) {
    ++pro_expected_;
    if (got_tier == core::Tier::kPro) ++pro_recalled_;
  }
  if (got_tier == core::Tier::kPro) ++pro_routed_;
}

}  // namespace ff::router
