// RetryPolicy: whether an upstream call is made again, and after how long. One
// place for what is retriable (connect failures, 429, 500, 503), the limit, the
// exponential backoff with jitter and the upstream's Retry-After, so that a call
// site is a loop of three lines. Configured once; next_delay() draws the jitter
// from the random source it is given. Not thread-safe (one per gateway thread).
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

namespace ff::gateway {

class RetryPolicy {
 public:
  // `max_retries` after the first attempt; backoff `base` x 2^attempt plus up to
  // half of that as jitter; a Retry-After of the upstream is honoured up to `cap`.
  RetryPolicy(int max_retries, std::chrono::milliseconds base, std::chrono::milliseconds cap)
      : max_retries_(max_retries), base_(base), cap_(cap) {}

  // Statuses worth another attempt: rate limited, or the server's transient faults.
  static bool retriable(int status) { return status == 429 || status == 500 || status == 503; }

  // After attempt `attempt` (0-based) ended with a connect failure
  // (`connect_error`) or with HTTP `status` and its `retry_after` header: the
  // wait before the next attempt, or nullopt when the outcome is final.
  std::optional<std::chrono::milliseconds> next_delay(int attempt, bool connect_error, int status,
                                                      std::string_view retry_after, std::mt19937_64& rng) const;

 private:
  const int max_retries_;
  const std::chrono::milliseconds base_, cap_;
};

}  // namespace ff::gateway
