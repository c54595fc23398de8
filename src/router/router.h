// Router: request body -> {tier, model, effort, cascade} with the category,
// the confidence and the reason, before the upstream call.
//
// The gateway calls route_or_default() on every request: it never fails, and a
// request it cannot read goes to the policy's default tier with a reason that
// says so (the upstream will answer the malformed request with its own error).
// `flashfirst route` calls route(), which reports such requests as errors.
//
// Immutable after construction; route() may be called from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/usage.h"
#include "router/classifier.h"
#include "router/policy.h"

namespace ff::tokenizer {
class Tokenizer;
}
namespace ff::wire {
class ChatView;
}
namespace simdjson::dom {
class element;
}

namespace ff::router {

struct Features;

// Who is asking, for the overrides.
struct RouteContext {
  std::string_view key;          // the virtual key's name ("" if none)
  std::string_view tier_header;  // the x-flashfirst-tier header ("" if absent)
  // Fill Decision::p_pro even where no model could change the tier (for
  // `route --json`; the gateway leaves it off to save the scoring).
  bool always_score = false;
};

struct Decision {
  core::Tier tier = core::Tier::kFlash;
  std::string model;
  std::string effort;
  bool cascade = false;         // check Flash's answer and escalate (Flash-routed only)
  bool buffer_streams = false;  // cascade streams too, by holding them until checked
  Category category = Category::kStraightforwardQa;
  double confidence = 0;
  std::string reason;
  std::int64_t input_tokens = 0;
  // The model's probability that the request needs Pro: the learned model's
  // calibrated P(Pro needed), else the built-in tier model's P(Pro); -1 when
  // not scored.
  double p_pro = -1;
};

class Router {
 public:
  // `tokenizer` counts input tokens for the context threshold; the ratio
  // estimate is enough for that and keeps a decision in microseconds.
  Router(Policy policy, std::shared_ptr<const tokenizer::Tokenizer> tokenizer);

  [[nodiscard]] core::Result<Decision> route(std::string_view body, const RouteContext& ctx = {}) const;
  Decision route_or_default(std::string_view body, const RouteContext& ctx = {}) const;
  // The same for a request already read (the gateway reads each request once).
  Decision route_or_default(const wire::ChatView& view, const RouteContext& ctx = {}) const;
  // Not a parsed document: simdjson's element converts to string_view (and
  // throws for an object), so the body overload would take it. Read a ChatView.
  Decision route_or_default(const simdjson::dom::element& root, const RouteContext& ctx = {}) const = delete;
  // The decision for features already extracted, the request's turn alone.
  Decision decide(const Features& f, const RouteContext& ctx) const;
  // The same in its conversation: a new turn that asks nothing of its own keeps
  // the conversation's category and tier (`view`: the request f came from).
  Decision decide(const wire::ChatView& view, const Features& f, const RouteContext& ctx) const;

  const Policy& policy() const { return policy_; }

 private:
  Classification judge(const Features& f, const RouteContext& ctx, double& p_pro) const;
  void apply_tier_model(const Features& f, Classification& c, double& p_pro) const;
  void follow_earlier_turn(const wire::ChatView& view, const Features& f, const RouteContext& ctx,
                           Classification& c) const;
  Decision finish(const Features& f, const Classification& c, const RouteContext& ctx, Decision d) const;
  Decision default_decision(std::string_view why) const;
  Decision with_tier(Decision d, core::Tier tier, Category category) const;

  Policy policy_;
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer_;
};

}  // namespace ff::router
