#include "router/router.h"

#include <algorithm>
#include <array>
#include <span>

#include <fmt/format.h>
#include <simdjson.h>

#include "core/text.h"
#include "router/cue_scanner.h"
#include "router/features.h"
#include "router/outcome_model.h"
#include "router/tier_model.h"
#include "tokenizer/tokenizer.h"
#include "wire/chat_view.h"

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

// The least rule score for a Pro category that counts as specific Pro evidence
// against a specific Flash cue: one signal at full weight. A single weak
// mathematical word, at half weight in a coding task ("the sum of the three
// preceding numbers" in "write a program"), is not.
constexpr double kSpecificProEvidence = 1.0;

// The tier model: a request the rules give to a Flash category, or to any
// category on too little evidence, goes to the Pro category with the most rule
// evidence (or, with none, the one its shape suggests) when the model is sure
// enough. It never moves a request to Flash: the rules rarely send Flash work to
// Pro. It is scored only when it could change the tier, or when the caller asks
// for P(Pro) (`p_pro` not negative on entry); `p_pro` gets the score.
void Router::apply_tier_model(const Features& f, Classification& c, double& p_pro) const {
  const bool rules_flash = natural_tier(c.category) == core::Tier::kFlash || c.confidence < policy_.min_confidence;
  // A specific Flash cue (a summary or translation asked for, passages given,
  // labels to assign: any Flash category but the generic question) is overruled
  // only with specific Pro evidence: some rule signal for a Pro category, tools
  // to use, a stack trace, a requested length over ~3,000 tokens, or a fault told
  // about the sender's system beside a code cue (`fault_told`). The model's
  // words alone do not outweigh what the request says it is, so without that
  // evidence it is not scored at all (unless P(Pro) is asked for). The same holds
  // for "how many ways" with nothing to count, which the rules read as no problem.
  // A reading of the request's shape alone (`Classification::shape_only`: labels
  // offered for given items, a language named with a piece of code, a short text
  // named in a request to write) is no specific cue.
  const bool specific_flash =
      natural_tier(c.category) == core::Tier::kFlash && c.category != Category::kStraightforwardQa &&
      c.scores[static_cast<std::size_t>(c.category)] > 0 && c.confidence >= policy_.min_confidence && !c.shape_only;
  double pro_evidence = 0;
  for (Category pc : {Category::kMultiStepReasoning, Category::kCodebaseDebugging, Category::kAgentToolChaining,
                      Category::kLongCoherentOutput}) {
    pro_evidence = std::max(pro_evidence, c.scores[static_cast<std::size_t>(pc)]);
  }
  const bool shape = f.tools_defined > 0 || f.stack_frames > 0 || f.requested_output_tokens >= 3000;
  const bool protected_flash =
      (specific_flash || c.uncounted_ways) && pro_evidence < kSpecificProEvidence && !shape && !c.fault_told;
  const bool could_move = policy_.model_threshold > 0 && rules_flash && !protected_flash;
  if (!could_move && p_pro < 0) return;
  std::array<std::string_view, 2> window_views;  // the model's windows are at most two
  const std::size_t window_count = std::min(f.model_windows.size(), window_views.size());
  std::copy_n(f.model_windows.begin(), window_count, window_views.begin());
  const std::span<const std::string_view> windows(window_views.data(), window_count);
  const bool history = f.tool_results + f.tool_call_turns > 0;
  // Specific evidence for a Flash category (a summary asked for, passages given)
  // takes more to overrule: the model must also beat the rules' confidence by 0.25.
  // A reading of the request's shape alone takes only the threshold.
  // The terms behind P(Pro) are named only for a request the model moves.
  const TierModel& tier_model = TierModel::builtin();
  p_pro = tier_model.probability(windows, f.tools_defined, history);
  const double margin = c.shape_only ? 0 : std::min(0.99, c.confidence + 0.25);
  if (!could_move || p_pro < std::max(policy_.model_threshold, margin)) return;
  const TierScore model = tier_model.score(windows, f.tools_defined, history);
  // With no rule evidence for any Pro category, the request's shape names one:
  // code the rules read as a piece to work on is code with a fault to find.
  const CueHits& u = f.cues;
  Category best =
      f.tools_defined > 0 ? Category::kAgentToolChaining
      : (u[Signal::kDebug] + u[Signal::kCodebase] + u[Signal::kIntermittent] + u[Signal::kConcurrency] > 0 ||
         f.code_names > 0 || f.stack_frames > 0 || c.category == Category::kCodingModerate)
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

// The rules, then the tier model (or the learned model's P(Pro)), on one turn.
Classification Router::judge(const Features& f, const RouteContext& ctx, double& p_pro) const {
  Classification c = classify(f);
  const OutcomeModel* learned = policy_.outcome_model.get();
  if (learned != nullptr) {
    p_pro = learned->p_pro(f);
  } else {
    p_pro = ctx.always_score ? 0 : -1;  // 0: score it whatever the rules say
    apply_tier_model(f, c, p_pro);
  }
  return c;
}

namespace {

// A turn asks something of its own when the rules or the tier model name a
// task for it: anything but the generic question, or a multiple-choice one.
// "Is that true?", "And for 5?", "List them from last to first" ask nothing
// new; they follow up the earlier turn. So does the text an earlier turn's task
// on a text asked for, whatever its words (`text_for_earlier_task`).
bool asks_its_own(const Features& f, const Classification& c) {
  return !c.text_for_earlier_task && (c.category != Category::kStraightforwardQa || f.choices >= 3);
}

constexpr int kEarlierTurnsRead = 3;

}  // namespace

// A conversation keeps its tier unless the new turn brings evidence: a turn
// that asks nothing of its own takes the category (and so the tier) of the
// nearest earlier user turn that did, up to three turns back. The conversation
// up to that turn is read as the request it was, so the turn's decision is the
// one it got then. Not with a learned model, which scores the whole request.
void Router::follow_earlier_turn(const wire::ChatView& view, const Features& f, const RouteContext& ctx,
                                 Classification& c) const {
  if (policy_.outcome_model != nullptr || asks_its_own(f, c)) return;
  int earlier = f.earlier_user;
  for (int step = 0; step < kEarlierTurnsRead && earlier >= 0; ++step) {
    auto e = extract_features(view, *tokenizer_, static_cast<std::size_t>(earlier) + 1);
    if (!e.ok()) return;
    double p_pro = -1;
    const Classification ec = judge(*e, ctx, p_pro);
    if (asks_its_own(*e, ec)) {
      c.reason = fmt::format("a follow-up that asks nothing new keeps the conversation's {} ({} back: {})",
                             category_name(ec.category), core::count_of(step + 1, "turn"), ec.reason);
      c.category = ec.category;
      c.confidence = ec.confidence;
      c.scores = ec.scores;
      return;
    }
    earlier = e->earlier_user;
  }
}

Decision Router::decide(const Features& f, const RouteContext& ctx) const {
  Decision d;
  const Classification c = judge(f, ctx, d.p_pro);
  return finish(f, c, ctx, std::move(d));
}

Decision Router::decide(const wire::ChatView& view, const Features& f, const RouteContext& ctx) const {
  Decision d;
  Classification c = judge(f, ctx, d.p_pro);
  if (f.earlier_user >= 0) follow_earlier_turn(view, f, ctx, c);
  return finish(f, c, ctx, std::move(d));
}

// The overrides, then the tier the classification earned.
Decision Router::finish(const Features& f, const Classification& c, const RouteContext& ctx, Decision d) const {
  const OutcomeModel* learned = policy_.outcome_model.get();
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
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(body.data(), body.size()).get(root)) {
    return core::make_error(fmt::format("the request is not valid JSON: {}", simdjson::error_message(err)));
  }
  const wire::ChatView view(root, wire::Protocol::kOpenAi);
  auto f = extract_features(view, *tokenizer_);
  if (!f.ok()) return f.error();
  return decide(view, *f, ctx);
}

Decision Router::route_or_default(std::string_view body, const RouteContext& ctx) const {
  auto d = route(body, ctx);
  return d.ok() ? std::move(*d) : default_decision(d.error().message);
}

Decision Router::route_or_default(const wire::ChatView& view, const RouteContext& ctx) const {
  auto f = extract_features(view, *tokenizer_);
  return f.ok() ? decide(view, *f, ctx) : default_decision(f.error().message);
}

Decision Router::default_decision(std::string_view why) const {
  Decision fallback;
  fallback.confidence = 0;
  fallback.reason = fmt::format("request not understood ({}), default tier", why);
  return with_tier(std::move(fallback), policy_.default_tier, Category::kStraightforwardQa);
}

}  // namespace ff::router
