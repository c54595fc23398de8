// Tier health: the gateway's fallback state. After `fallback_after` failed calls
// in a row on a tier (a 429, a 5xx or no answer), the tier is avoided for
// `avoid_for`: requests the gateway chose the tier for go to the other one (the
// route stage), and a failed call is made again there once. Any call that does
// not fail resets its tier's count. `fallback_after` 0 turns fallback off.
//
// Not thread-safe: the gateway keeps it on its server thread.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "core/usage.h"

namespace ff::gateway {

inline std::size_t tier_index(core::Tier t) { return t == core::Tier::kPro ? 1 : 0; }
inline core::Tier other_tier(core::Tier t) { return t == core::Tier::kPro ? core::Tier::kFlash : core::Tier::kPro; }

class TierHealth {
 public:
  TierHealth(int fallback_after, std::chrono::milliseconds avoid_for)
      : fallback_after_(fallback_after), avoid_for_ms_(avoid_for.count()) {}

  // A call that counts against its tier: 429 or 5xx (a call with no answer is
  // recorded as 502 or 504).
  static bool failed_call(int status) { return status == 429 || status >= 500; }

  bool enabled() const { return fallback_after_ > 0; }
  // Whether `t` is avoided at `at_ms` (Unix ms).
  bool avoided(core::Tier t, std::int64_t at_ms) const {
    return enabled() && state_[tier_index(t)].avoid_until_ms > at_ms;
  }
  int failures_in_a_row(core::Tier t) const { return state_[tier_index(t)].failures_in_a_row; }

  // A call on `t` ended with `status` at `now_ms`.
  void note(core::Tier t, int status, std::int64_t now_ms);

 private:
  struct State {
    int failures_in_a_row = 0;
    std::int64_t avoid_until_ms = 0;
  };
  int fallback_after_;
  std::int64_t avoid_for_ms_;
  std::array<State, 2> state_{};
};

}  // namespace ff::gateway
