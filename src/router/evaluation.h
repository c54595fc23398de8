// RouteEvaluation: how a router's decisions compare with labels — tier
// accuracy, per-category accuracy, the category confusion matrix and Pro recall.
//
// Fed one labelled decision at a time; not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/usage.h"
#include "router/classifier.h"

namespace ff::router {

class RouteEvaluation {
 public:
  struct Miss {
    std::string id;
    Category expected_category;
    core::Tier expected_tier;
    Category got_category;
    core::Tier got_tier;
    std::string reason;
  };

  void add(const std::string& id, Category expected_category, core::Tier expected_tier, Category got_category,
           core::Tier got_tier, const std::string& reason);

  std::int64_t total() const { return total_; }
  std::int64_t tier_correct() const { return tier_correct_; }
  std::int64_t category_correct() const { return category_correct_; }
  std::int64_t pro_expected() const { return pro_expected_; }
  std::int64_t pro_recalled() const { return pro_recalled_; }  // expected Pro and routed to Pro
  std::int64_t pro_routed() const { return pro_routed_; }      // routed to Pro, whatever expected
  // [expected][got] counts.
  const std::array<std::array<std::int64_t, kCategoryCount>, kCategoryCount>& confusion() const { return confusion_; }
  // Per expected category: requests, category right, tier right.
  struct PerCategory {
    std::int64_t total = 0, category_correct = 0, tier_correct = 0;
  };
  const std::array<PerCategory, kCategoryCount>& per_category() const { return per_category_; }
  // Requests whose tier was wrong, in input order.
  const std::vector<Miss>& tier_misses() const { return tier_misses_; }

 private:
  std::int64_t total_ = 0, tier_correct_ = 0, category_correct_ = 0;
  std::int64_t pro_expected_ = 0, pro_recalled_ = 0, pro_routed_ = 0;
  std::array<std::array<std::int64_t, kCategoryCount>, kCategoryCount> confusion_{};
  std::array<PerCategory, kCategoryCount> per_category_{};
  std::vector<Miss> tier_misses_;
};

}  // namespace ff::router
