// When a tier is avoided, and for how long.
#include "gateway/tier_health.h"

#include <gtest/gtest.h>

namespace ff::gateway {
namespace {

using core::Tier;
using std::chrono::milliseconds;

TEST(TierHealth, ATierIsAvoidedAfterTheFailuresInARowForTheGivenTime) {
  TierHealth h(3, milliseconds(30'000));
  EXPECT_TRUE(h.enabled());
  h.note(Tier::kFlash, 503, 1'000);
  h.note(Tier::kFlash, 429, 2'000);
  EXPECT_EQ(h.failures_in_a_row(Tier::kFlash), 2);
  EXPECT_FALSE(h.avoided(Tier::kFlash, 2'000));
  h.note(Tier::kFlash, 502, 3'000);  // the third: avoided from 3,000 to 33,000 ms
  EXPECT_TRUE(h.avoided(Tier::kFlash, 3'000));
  EXPECT_TRUE(h.avoided(Tier::kFlash, 32'999));
  EXPECT_FALSE(h.avoided(Tier::kFlash, 33'000));
  EXPECT_FALSE(h.avoided(Tier::kPro, 3'000));  // the other tier is untouched
  EXPECT_EQ(h.failures_in_a_row(Tier::kPro), 0);
}

TEST(TierHealth, ACallThatDoesNotFailResetsItsTier) {
  TierHealth h(2, milliseconds(10'000));
  h.note(Tier::kPro, 500, 0);
  h.note(Tier::kPro, 500, 1);
  EXPECT_TRUE(h.avoided(Tier::kPro, 2));
  // 4xx other than 429 is the client's fault, not the tier's.
  for (int status : {200, 400, 401, 404}) EXPECT_FALSE(TierHealth::failed_call(status)) << status;
  for (int status : {429, 500, 502, 503, 504}) EXPECT_TRUE(TierHealth::failed_call(status)) << status;
  h.note(Tier::kPro, 400, 3);
  EXPECT_FALSE(h.avoided(Tier::kPro, 3));
  EXPECT_EQ(h.failures_in_a_row(Tier::kPro), 0);
}

TEST(TierHealth, ZeroTurnsFallbackOff) {
  TierHealth h(0, milliseconds(10'000));
  EXPECT_FALSE(h.enabled());
  for (int i = 0; i < 5; ++i) h.note(Tier::kFlash, 503, i);
  EXPECT_FALSE(h.avoided(Tier::kFlash, 5));
  EXPECT_EQ(h.failures_in_a_row(Tier::kFlash), 5);
  EXPECT_EQ(other_tier(Tier::kFlash), Tier::kPro);
  EXPECT_EQ(other_tier(Tier::kPro), Tier::kFlash);
}

}  // namespace
}  // namespace ff::gateway
