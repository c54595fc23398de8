// Policy: what the router does with a classification — per category the tier,
// model, reasoning effort and whether Flash's answer is checked and escalated —
// plus the overrides that win over the classifier.
//
// Loaded and validated once from TOML (data/routing.toml is the shipped default,
// compiled in); a bad file names its line and field. Immutable afterwards and
// shared between threads.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/usage.h"
#include "router/classifier.h"

namespace ff::router {

class OutcomeModel;

struct CategoryPolicy {
  core::Tier tier = core::Tier::kFlash;
  std::string model;            // a concrete id; empty = the tier's model
  std::string effort = "high";  // none (thinking off) | low | high | max
  bool cascade = true;          // check a Flash answer and escalate to Pro when it fails
  // Streams too: a streamed request is answered only once Flash's whole answer
  // has passed the check (it arrives at once, as a stream), so it can be
  // escalated. Off by default: a stream's point is its first token.
  bool buffer_streams = false;
};

struct Policy {
  core::Tier default_tier = core::Tier::kFlash;  // when the classifier is unsure
  double min_confidence = 0.35;
  // Without `outcome_model`: the tier model (router/tier_model.h) moves a
  // request the rules give to Flash over to Pro when its P(Pro) is at least
  // this; 0 turns it off. With one: a request goes to Pro when its calibrated
  // P(Pro needed) is at least this (default 0.5), to Flash otherwise.
  double model_threshold = 0.6;
  // A model learned from outcomes (`model = "FILE"`, router/outcome_model.h);
  // null: the rules and the built-in tier model decide.
  std::shared_ptr<const OutcomeModel> outcome_model;
  std::string model_file;
  // Inputs above this many tokens go to Pro: it keeps coherence better at
  // high context lengths.
  std::int64_t context_threshold_tokens = 100'000;
  bool header_overrides = true;  // honour `x-flashfirst-tier: pro|flash`
  std::string flash_model = "deepseek-v4-flash";
  std::string pro_model = "deepseek-v4-pro";
  std::array<CategoryPolicy, kCategoryCount> categories;
  // Virtual key name -> the tier all its requests use.
  std::map<std::string, core::Tier, std::less<>> key_tiers;

  // The routing rule with no file: each category on its natural tier, cascade on.
  static Policy defaults();
  static core::Result<Policy> parse(std::string_view toml, const std::string& source_name);
  static core::Result<Policy> load_file(const std::string& path);
  // The copy of data/routing.toml compiled into the binary.
  static core::Result<Policy> embedded();

  const std::string& model_for(core::Tier t) const { return t == core::Tier::kPro ? pro_model : flash_model; }
};

}  // namespace ff::router
