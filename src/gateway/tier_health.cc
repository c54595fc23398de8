#include "gateway/tier_health.h"

namespace ff::gateway {

void TierHealth::note(core::Tier t, int status, std::int64_t now_ms) {
  State& s = state_[tier_index(t)];
  if (!failed_call(status)) {
    s = State{};
    return;
  }
  if (++s.failures_in_a_row >= fallback_after_ && enabled()) s.avoid_until_ms = now_ms + avoid_for_ms_;
}

}  // namespace ff::gateway
