#include "gateway/retry_policy.h"

#include <algorithm>
#include <cstdint>

namespace ff::gateway {

std::optional<std::chrono::milliseconds> RetryPolicy::next_delay(int attempt, bool connect_error, int status,
                                                                 std::string_view retry_after,
                                                                 std::mt19937_64& rng) const {
  if (attempt >= max_retries_) return std::nullopt;
  if (!connect_error && !retriable(status)) return std::nullopt;
  // Retry-After in seconds (the HTTP-date form is not used by the API); a value
  // that is not a number leaves the backoff to decide.
  if (!connect_error && !retry_after.empty()) {
    std::int64_t secs = 0;
    for (char c : retry_after) {
      if (c < '0' || c > '9') {
        secs = -1;
        break;
      }
      secs = std::min<std::int64_t>(secs * 10 + (c - '0'), 3600);
    }
    if (secs >= 0) return std::min(std::chrono::milliseconds(secs * 1000), cap_);
  }
  const auto base = base_ * (1 << std::min(attempt, 10));
  std::uniform_int_distribution<std::int64_t> jitter(0, base.count() / 2);
  return base + std::chrono::milliseconds(jitter(rng));
}

}  // namespace ff::gateway
