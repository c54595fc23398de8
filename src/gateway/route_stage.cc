#include "gateway/route_stage.h"

#include <algorithm>

#include <fmt/format.h>

namespace ff::gateway {

namespace {

std::size_t index_of(core::Tier t) { return t == core::Tier::kPro ? 1 : 0; }
core::Tier other(core::Tier t) { return t == core::Tier::kPro ? core::Tier::kFlash : core::Tier::kPro; }

}  // namespace

bool tier_allowed(const std::vector<core::Tier>* tiers, core::Tier t) {
  return tiers == nullptr || tiers->empty() || std::find(tiers->begin(), tiers->end(), t) != tiers->end();
}

std::variant<Route, RouteRefusal> finish_route(RouteInput in, const router::Policy& policy,
                                               const std::function<std::string(std::string_view)>& unknown_model) {
  Route out;
  router::Decision& d = out.decision;
  d = std::move(in.routed);
  const std::string_view requested = in.requested;
  const std::optional<core::Tier> claude =
      in.protocol == wire::Protocol::kAnthropic ? core::claude_tier(requested) : std::nullopt;
  out.tier_choice = requested == "auto" || requested == "flash" || requested == "pro" || claude.has_value();

  // 1. The model the client named.
  if (requested == "flash" || requested == "pro" || claude) {
    d.tier = requested == "pro" || claude == core::Tier::kPro ? core::Tier::kPro : core::Tier::kFlash;
    d.model = policy.model_for(d.tier);
    d.reason = fmt::format("client asked for {} ({})", requested, d.reason);
    const router::CategoryPolicy& cp = policy.categories[static_cast<std::size_t>(d.category)];
    d.cascade = d.tier == core::Tier::kFlash && cp.cascade;
    d.buffer_streams = d.cascade && cp.buffer_streams;
  } else if (requested != "auto") {
    const std::optional<core::Tier> tier = in.tier_of_model ? in.tier_of_model(requested) : std::nullopt;
    if (!tier) {
      // Caught here rather than passed upstream: the API's "Model Not Exist"
      // names no alternative, and the call could not be priced.
      return RouteRefusal{400, unknown_model(requested), "invalid_request_error", "model_not_found"};
    }
    d.tier = *tier;
    d.model = std::string(requested);
    d.reason = fmt::format("client named the model ({})", d.reason);
    d.cascade = false;
    d.buffer_streams = false;
  }

  // 2. The tiers the key allows.
  if (!tier_allowed(in.key_tiers, d.tier)) {
    if (requested != "auto") {
      return RouteRefusal{403, fmt::format("key {} may not use {} models", in.key_name, core::tier_name(d.tier)),
                          "permission_error", "tier_not_allowed"};
    }
    d.tier = in.key_tiers->front();
    d.model = policy.model_for(d.tier);
    d.reason = fmt::format("key {} allows only {} ({})", in.key_name, core::tier_name(d.tier), d.reason);
    d.cascade = false;
    d.buffer_streams = false;
  }

  // 3. A tier that keeps failing, when the gateway chose it and the other may be used.
  const core::Tier to = other(d.tier);
  if (in.fallback_enabled && in.avoided[index_of(d.tier)] && out.tier_choice && tier_allowed(in.key_tiers, to) &&
      !in.avoided[index_of(to)]) {
    d.reason = fmt::format("fallback: {} is failing ({} failed calls in a row) ({})", core::tier_name(d.tier),
                           in.failures_in_a_row[index_of(d.tier)], d.reason);
    d.tier = to;
    d.model = policy.model_for(to);
    d.cascade = false;
    d.buffer_streams = false;
    out.fell_back = true;
  }
  return out;
}

}  // namespace ff::gateway
