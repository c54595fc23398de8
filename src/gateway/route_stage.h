// The route stage: the one decision a request is made with. The router's
// decision is made final here by what else decides the tier, in this order:
//   1. the model the client named: `flash` / `pro` (and, on the Anthropic
//      protocol, a Claude name: opus is Pro, sonnet and haiku Flash) pick a tier
//      and keep the category's cascade; a concrete DeepSeek id passes as named,
//      unchecked; an id the price book does not know is refused (400);
//   2. the tiers the key allows: the router's choice moves to an allowed tier, a
//      tier or model the client named itself is refused (403);
//   3. a tier that keeps failing: a request the gateway chose the tier for goes
//      to the other one, if the key allows it and it is not failing too.
// Each step that changes the decision says so in its reason, ahead of the
// router's. Nothing after this stage edits the decision: a fallback or an
// escalation is a call of its own, with its own decision.
//
// Pure function; any thread.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/usage.h"
#include "router/router.h"
#include "wire/errors.h"

namespace ff::gateway {

struct RouteInput {
  router::Decision routed;              // the router's decision
  std::string_view requested = "auto";  // `model` as the client sent it
  wire::Protocol protocol = wire::Protocol::kOpenAi;
  std::string_view key_name;
  const std::vector<core::Tier>* key_tiers = nullptr;  // allowed tiers; null or empty: both
  // The tier of a concrete model id at the request's time, or nullopt when the
  // price book does not know it (or it is retired).
  std::function<std::optional<core::Tier>(std::string_view)> tier_of_model;
  // Per tier (core::Tier as index): avoided for its failures, and how many in a row.
  std::array<bool, 2> avoided{};
  std::array<int, 2> failures_in_a_row{};
  bool fallback_enabled = false;  // serve --fallback-after > 0
};

struct Route {
  router::Decision decision;  // final: tier, model, reason, cascade
  bool tier_choice = false;   // the gateway chose the model (auto, flash, pro, a Claude name)
  bool fell_back = false;     // moved off a failing tier
};

struct RouteRefusal {
  int status = 400;
  std::string message;
  std::string type;
  std::string code;
};

// `unknown_model` words the 400 for a model id the price book does not know.
// (`in` is taken by value: its decision becomes the route's without a copy.)
std::variant<Route, RouteRefusal> finish_route(RouteInput in, const router::Policy& policy,
                                               const std::function<std::string(std::string_view)>& unknown_model);

// Whether the key whose allowed tiers are `tiers` (null or empty: both) may use `t`.
bool tier_allowed(const std::vector<core::Tier>* tiers, core::Tier t);

}  // namespace ff::gateway
