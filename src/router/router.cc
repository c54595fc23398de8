#include "router/router.h"

#include <algorithm>

#include <fmt/format.h>

#include "router/cue_scanner.h"
#include "router/features.h"
#include "router/outcome_model.h"
#include "router/tier_model.h"
#include "tokenizer/tokenizer.h"

namespace ff::router {

Router::Router(Policy policy, std::shared_ptr<const tokenizer::Tokenizer> tokenizer)
    : policy_(std::move(policy)), tokenizer_(std::move(tokenizer)) {
  // Build the lexicon's automaton and read the model now, not on the first
  // request (together about 30 ms).
  (void)CueScanner::builtin();
  (void)TierModel::builtin();
}

Decision Router::with_tier(Decision d, core::Tier tier, Category category) const {
  const CategoryPolicy& cp = policy_.categories[static_cast<std::size_t>(category)];
  d.tier = tier;
  // The category's own model applies only when the category's tier is used.
  d.model = (tier == cp.tier && !cp.model.empty()) ? cp.model : policy_.model_for(tier);
  d.effort = cp.effort;
  d.cascade = tier == core::Tier::kFlash && cp.cascade;
  d.buffer_streams = d.cascade && cp.buffer_streams;
  return d;
}

// The tier model: a request the rules give to a Flash category, or to any
// category on too little evidence, goes to the Pro category with the most rule
// evidence (or, with none, the one its shape suggests) when the model is sure
// enough. It never moves a request to Flash: the rules rarely send Flash work to
// Pro. It is scored only when it could change the tier, or when the caller asks
// for P(Pro) (`p_pro` not negative on entry); `p_pro` gets the score.
void Router::apply_tier_model(const Features& f, Classification& c, double& p_pro) const {
  const bool rules_flash = natural_tier(c.category) == core::Tier::kFlash || c.confidence < policy_.min_confidence;
  const bool could_move = policy_.model_threshold > 0 && rules_flash;
  if (!could_move && p_pro < 0) return;
  const std::vector<std::string_view> windows(f.model_windows.begin(), f.model_windows.end());
  const bool history = f.tool_results + f.tool_call_turns > 0;
  // Specific evidence for a Flash category (a summary asked for, passages given)
  // takes more to overrule: the model must also beat the rules' confidence by 0.25.
  // The terms behind P(Pro) are named only for a request the model moves.
  const TierModel& tier_model = TierModel::builtin();
  p_pro = tier_model.probability(windows, f.tools_defined, history);
  if (!could_move || p_pro < std::max(policy_.model_threshold, std::min(0.99, c.confidence + 0.25))) return;
  // A specific Flash cue (a summary or translation asked for, passages given,
  // labels to assign: any Flash category but the generic question) is overruled
  // only with specific Pro evidence: some rule signal for a Pro category, tools
  // to use, a stack trace, or a requested length over ~3,000 tokens. The model's
  // words alone do not outweigh what the request says it is.
  const bool specific_flash = natural_tier(c.category) == core::Tier::kFlash &&
                              c.category != Category::kStraightforwardQa &&
                              c.scores[static_cast<std::size_t>(c.category)] > 0 &&
                              c.confidence >= policy_.min_confidence;
  double pro_evidence = 0;
  for (Category pc : {Category::kMultiStepReasoning, Category::kCodebaseDebugging, Category::kAgentToolChaining,
                      Category::kLongCoherentOutput}) {
    pro_evidence = std::max(pro_evidence, c.scores[static_cast<std::size_t>(pc)]);
  }
  const bool shape = f.tools_defined > 0 || f.stack_frames > 0 || f.requested_output_tokens >= 3000;
  if (specific_flash && pro_evidence <= 0 && !shape) return;
  const TierScore model = tier_model.score(windows, f.tools_defined, history);
  // With no rule evidence for any Pro category, the request's shape names one.
  const CueHits& u = f.cues;
  Category best =
      f.tools_defined > 0 ? Category::kAgentToolChaining
      : (u[Signal::kDebug] + u[Signal::kCodebase] + u[Signal::kIntermittent] + u[Signal::kConcurrency] > 0 ||
         f.code_names > 0 || f.stack_frames > 0)
          ? Category::kCodebaseDebugging
      : (u[Signal::kLongForm] > 0 || f.requested_output_tokens >= 3000) ? Category::kLongCoherentOutput
                                                                        : Category::kMultiStepReasoning;
  double best_score = 0;
  for (Category pc : {Category::kMultiStepReasoning, Category::kCodebaseDebugging, Category::kAgentToolChaining,
                      Category::kLongCoherentOutput}) {
    if (const double s = c.scores[static_cast<std::size_t>(pc)]; s > best_score) {
      best = pc;
      best_score = s;
    }
  }
  c.reason =
      fmt::format("tier model: Pro at {:.2f} ({}); the rules said {}: {}", model.pro,
                  model.top_terms.empty() ? "no single term" : model.top_terms, category_name(c.category), c.reason);
  c.category = best;
  c.confidence = model.pro;
}

Decision Router::decide(const Features& f, const RouteContext& ctx) const {
  Classification c = classify(f);
  Decision d;
  const OutcomeModel* learned = policy_.outcome_model.get();
  if (learned != nullptr) {
    d.p_pro = learned->p_pro(f);
  } else {
    d.p_pro = ctx.always_score ? 0 : -1;  // 0: score it whatever the rules say
    apply_tier_model(f, c, d.p_pro);
  }
  d.category = c.category;
  d.confidence = c.confidence;
  d.input_tokens = f.input_tokens;
  const CategoryPolicy& cp = policy_.categories[static_cast<std::size_t>(c.category)];
  const std::string_view category = category_name(c.category);
  std::string why;
  why.reserve(category.size() + 2 + c.reason.size());
  why.append(category).append(": ").append(c.reason);

  // Overrides first, in order of who knows best: the caller, the key, the size.
  if (policy_.header_overrides && (ctx.tier_header == "pro" || ctx.tier_header == "flash")) {
    auto tier = ctx.tier_header == "pro" ? core::Tier::kPro : core::Tier::kFlash;
    d.reason = fmt::format("header x-flashfirst-tier: {} ({})", ctx.tier_header, why);
    return with_tier(std::move(d), tier, c.category);
  }
  if (auto it = policy_.key_tiers.find(ctx.key); !ctx.key.empty() && it != policy_.key_tiers.end()) {
    d.reason = fmt::format("key {} is set to {} ({})", ctx.key, core::tier_name(it->second), why);
    return with_tier(std::move(d), it->second, c.category);
  }
  if (f.input_tokens > policy_.context_threshold_tokens) {
    d.reason = fmt::format("input of {} tokens is over the {}-token context threshold ({})", f.input_tokens,
                           policy_.context_threshold_tokens, why);
    return with_tier(std::move(d), core::Tier::kPro, c.category);
  }
  if (learned != nullptr) {
    // The learned model decides the tier; the category names the work.
    const bool pro = d.p_pro >= policy_.model_threshold;
    d.reason = fmt::format("learned model: P(Pro needed) {:.2f} {} {:.2f} ({})", d.p_pro, pro ? ">=" : "<",
                           policy_.model_threshold, why);
    return with_tier(std::move(d), pro ? core::Tier::kPro : core::Tier::kFlash, c.category);
  }
  if (c.confidence < policy_.min_confidence) {
    d.reason =
        fmt::format("confidence {:.2f} below {:.2f}, default tier ({})", c.confidence, policy_.min_confidence, why);
    return with_tier(std::move(d), policy_.default_tier, c.category);
  }
  d.reason = std::move(why);
  return with_tier(std::move(d), cp.tier, c.category);
}

core::Result<Decision> Router::route(std::string_view body, const RouteContext& ctx) const {
  auto f = extract_features(body, *tokenizer_);
  if (!f.ok()) return f.error();
  return decide(*f, ctx);
}

Decision Router::route_or_default(std::string_view body, const RouteContext& ctx) const {
  return decide_or_default(extract_features(body, *tokenizer_), ctx);
}

Decision Router::route_or_default(const simdjson::dom::element& root, const RouteContext& ctx) const {
  return decide_or_default(extract_features(root, *tokenizer_), ctx);
}

Decision Router::decide_or_default(const core::Result<Features>& f, const RouteContext& ctx) const {
  if (f.ok()) return decide(*f, ctx);
  Decision fallback;
  fallback.confidence = 0;
  fallback.reason = fmt::format("request not understood ({}), default tier", f.error().message);
  return with_tier(std::move(fallback), policy_.default_tier, Category::kStraightforwardQa);
}

}  // namespace ff::router
