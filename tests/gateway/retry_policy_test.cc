// What is retried, how often, and after how long.
#include "gateway/retry_policy.h"

#include <gtest/gtest.h>

namespace ff::gateway {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, WhatIsRetriedAndHowOften) {
  const RetryPolicy p(2, milliseconds(200), milliseconds(10'000));
  std::mt19937_64 rng(7);
  for (int status : {429, 500, 503}) EXPECT_TRUE(p.next_delay(0, false, status, "", rng).has_value()) << status;
  for (int status : {200, 400, 401, 402, 404, 422, 502, 504}) {
    EXPECT_FALSE(p.next_delay(0, false, status, "", rng).has_value()) << status;
  }
  EXPECT_TRUE(p.next_delay(0, true, 0, "", rng).has_value());  // a connect failure
  EXPECT_TRUE(p.next_delay(1, false, 503, "", rng).has_value());
  EXPECT_FALSE(p.next_delay(2, false, 503, "", rng).has_value());  // two retries, then final
  EXPECT_FALSE(RetryPolicy(0, milliseconds(200), milliseconds(10'000)).next_delay(0, false, 503, "", rng));
}

TEST(RetryPolicy, RetryAfterIsHonouredUpToTheCap) {
  const RetryPolicy p(3, milliseconds(200), milliseconds(10'000));
  std::mt19937_64 rng(7);
  EXPECT_EQ(p.next_delay(0, false, 429, "3", rng), milliseconds(3000));
  EXPECT_EQ(p.next_delay(0, false, 429, "0", rng), milliseconds(0));
  EXPECT_EQ(p.next_delay(0, false, 429, "120", rng), milliseconds(10'000));              // capped
  EXPECT_EQ(p.next_delay(0, false, 429, "99999999999999999999", rng), milliseconds(10'000));  // no overflow
  // Not a number of seconds (an HTTP date, garbage): the backoff decides, 200..300 ms on the first retry.
  for (const char* odd : {"Wed, 21 Oct 2026 07:28:00 GMT", "-1", "1.5"}) {
    auto d = p.next_delay(0, false, 503, odd, rng);
    ASSERT_TRUE(d.has_value()) << odd;
    EXPECT_GE(*d, milliseconds(200)) << odd;
    EXPECT_LE(*d, milliseconds(300)) << odd;
  }
  // A connect failure has no Retry-After of its own.
  auto d = p.next_delay(0, true, 0, "5", rng);
  EXPECT_LE(*d, milliseconds(300));
}

TEST(RetryPolicy, BackoffDoublesWithJitter) {
  const RetryPolicy p(12, milliseconds(100), milliseconds(10'000));
  std::mt19937_64 rng(7);
  // Attempt n waits 100 x 2^n plus up to half of it: [100, 150], [200, 300], [400, 600] ...
  for (int attempt = 0; attempt < 4; ++attempt) {
    const milliseconds base(100 << attempt);
    for (int i = 0; i < 50; ++i) {
      auto d = p.next_delay(attempt, false, 503, "", rng);
      ASSERT_TRUE(d.has_value());
      EXPECT_GE(*d, base);
      EXPECT_LE(*d, base + base / 2);
    }
  }
  // The doubling stops at 2^10.
  EXPECT_LE(*p.next_delay(11, false, 503, "", rng), milliseconds(100 * 1024 * 3 / 2));
}

}  // namespace
}  // namespace ff::gateway
