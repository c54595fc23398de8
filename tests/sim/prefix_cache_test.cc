// The simulator's cache model against the examples of DeepSeek's V4 context
// caching guide (shared/reference/deepseek-api.md, section 4), and its limits.
#include "sim/prefix_cache.h"

#include <gtest/gtest.h>

namespace ff::sim {
namespace {

using tokenizer::TokenId;
using Tokens = std::vector<TokenId>;

// A block of `n` distinct tokens starting at `first`: A, B, C ... in the examples.
Tokens block(TokenId first, int n) {
  Tokens t;
  for (int i = 0; i < n; ++i) t.push_back(first + static_cast<TokenId>(i));
  return t;
}
Tokens cat(std::initializer_list<Tokens> parts) {
  Tokens out;
  for (const Tokens& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const core::Timestamp kT0{1'800'000'000};
core::Timestamp at(std::int64_t seconds) { return core::Timestamp{kT0.unix_seconds + seconds}; }

class V4Cache : public ::testing::Test {
 protected:
  // Serves one request: the hit count it is billed with, then what it persists.
  std::int64_t serve(const Tokens& prompt, const Tokens& answer, std::int64_t t = 0, const char* user = "") {
    std::int64_t hit = cache_.lookup(user, prompt, at(t));
    cache_.record(user, prompt, cat({prompt, answer}), at(t));
    return hit;
  }
  PrefixCache cache_{PrefixCacheConfig{.interval_tokens = 0, .min_common_prefix_tokens = 64}};
  Tokens A = block(1000, 300), B = block(2000, 200), C = block(3000, 150), D = block(4000, 120);
  Tokens out1 = block(5000, 40), out2 = block(6000, 40);
};

TEST_F(V4Cache, ExtendingARequestHitsItsWholeInput) {
  // A+B, then A+B+C: hits A+B (300 + 200 = 500 tokens).
  EXPECT_EQ(serve(cat({A, B}), out1), 0);
  EXPECT_EQ(serve(cat({A, B, C}), out2), 500);
}

TEST_F(V4Cache, ADivergingRequestMissesButPersistsTheCommonPrefix) {
  // A+B, then A+C: a miss (no persisted unit is a prefix), but A is now persisted,
  // so A+D hits A (300 tokens).
  EXPECT_EQ(serve(cat({A, B}), out1), 0);
  EXPECT_EQ(serve(cat({A, C}), out2), 0);
  EXPECT_EQ(serve(cat({A, D}), out1), 300);
}

TEST_F(V4Cache, MultiTurnChatReusesTheFirstRequest) {
  // Turn 1: system + user. Turn 2 sends system + user + assistant + user: the unit
  // at the end of turn 1's output (300 + 200 + 40 tokens) is a full prefix.
  const Tokens system = A, user1 = B, user2 = C;
  EXPECT_EQ(serve(cat({system, user1}), out1), 0);
  EXPECT_EQ(serve(cat({system, user1, out1, user2}), out2), 540);
}

TEST_F(V4Cache, LongDocumentQuestionsHitFromTheThird) {
  // Same system prompt + report with three different questions: requests 1 and 2
  // miss; request 3 hits system + report (300 + 200).
  const Tokens system = A, report = B;
  EXPECT_EQ(serve(cat({system, report, block(7000, 30)}), out1), 0);
  EXPECT_EQ(serve(cat({system, report, block(8000, 30)}), out1), 0);
  EXPECT_EQ(serve(cat({system, report, block(9000, 30)}), out1), 500);
}

TEST_F(V4Cache, CachesAreIsolatedPerUser) {
  EXPECT_EQ(serve(cat({A, B}), out1, 0, "alice"), 0);
  EXPECT_EQ(serve(cat({A, B, C}), out1, 0, "bob"), 0);
  EXPECT_EQ(serve(cat({A, B, C}), out1, 0, "alice"), 500);
}

TEST_F(V4Cache, ShortCommonPrefixesAreNotPersisted) {
  // A 50-token common prefix is below the 64-token minimum.
  const Tokens s = block(100, 50);
  serve(cat({s, B}), out1);
  serve(cat({s, C}), out1);
  EXPECT_EQ(serve(cat({s, D}), out1), 0);
}

TEST(PrefixCache, IntervalUnitsInsideLongInputs) {
  PrefixCache cache(PrefixCacheConfig{.interval_tokens = 4096});
  const Tokens doc = block(10, 10'000);
  cache.record("", doc, doc, kT0);
  // Units at 4096 and 8192 (and 10,000, the end). A request sharing 9,000 tokens hits 8,192.
  Tokens other = block(10, 9'000);
  Tokens tail = block(50'000, 500);
  other.insert(other.end(), tail.begin(), tail.end());
  EXPECT_EQ(cache.lookup("", other, kT0), 8192);
  EXPECT_EQ(cache.unit_count(), 3u);
}

// Recent prompts (for finding common prefixes) are bounded over all users too.
TEST(PrefixCache, RecentPromptsAreBoundedOverAllUsers) {
  const Tokens A = block(1000, 300), B = block(2000, 200), C = block(3000, 150), D = block(4000, 120);
  auto replay = [&](std::int64_t recent_total) {
    PrefixCache cache(
        PrefixCacheConfig{.interval_tokens = 0, .min_common_prefix_tokens = 64, .recent_tokens_total = recent_total});
    cache.record("alice", cat({A, B}), cat({A, B}), kT0);
    cache.record("bob", cat({A, B}), cat({A, B}), kT0);
    // alice's A+C shares A with her A+B, if that is still held: A (300 tokens) is persisted.
    cache.record("alice", cat({A, C}), cat({A, C}), kT0);
    return cache.lookup("alice", cat({A, D}), kT0);
  };
  EXPECT_EQ(replay(16'000'000), 300);
  // Room for 700 tokens: bob's A+B (500 more, 1,000 in all) pushed out alice's
  // A+B, the least recently active user's oldest prompt: nothing to share A with.
  EXPECT_EQ(replay(700), 0);
}

// A key seen once is forgotten once its units have expired and it has been
// inactive as long: a stream of one-off keys cannot grow the cache. A released
// user's slot serves a new key with nothing of the old one's.
TEST(PrefixCache, KeysSeenOnceAreForgottenAfterTheExpiry) {
  PrefixCache cache(PrefixCacheConfig{.interval_tokens = 0, .min_common_prefix_tokens = 64, .expiry_seconds = 3600});
  const Tokens A = block(1000, 300), B = block(2000, 200), C = block(3000, 150);
  for (int k = 0; k < 100; ++k) cache.record("one-off-" + std::to_string(k), cat({A, B}), cat({A, B}), kT0);
  EXPECT_EQ(cache.user_count(), 100u);
  EXPECT_EQ(cache.unit_count(), 100u);  // each key's A+B
  // Within the hour, a key keeps its unit and its recent prompt (A+C shares A with A+B).
  cache.record("one-off-7", cat({A, C}), cat({A, C}), at(3600));
  EXPECT_EQ(cache.lookup("one-off-7", cat({A, B}), at(3600)), 500);
  EXPECT_EQ(cache.lookup("one-off-7", cat({A, block(4000, 10)}), at(3600)), 300);  // the common prefix A
  // An hour and a second after the others were last used, only one-off-7 is left.
  EXPECT_EQ(cache.lookup("new", cat({A, B}), at(3601)), 0);
  EXPECT_EQ(cache.user_count(), 1u);  // one-off-7 ("new" only looked: it holds nothing)
  // "new" takes a released slot: it does not see the A+B its previous holder persisted.
  cache.record("new", cat({A, C}), cat({A, C}), at(3601));
  EXPECT_EQ(cache.lookup("new", cat({A, block(4000, 10)}), at(3601)), 0);
  // Two hours on, everyone is gone.
  EXPECT_EQ(cache.lookup("late", cat({A, B}), at(3 * 3600 + 10)), 0);
  EXPECT_EQ(cache.unit_count(), 0u);
  EXPECT_EQ(cache.user_count(), 0u);
}

TEST(PrefixCache, BuildDelayExpiryAndCapacity) {
  PrefixCache cache(PrefixCacheConfig{.interval_tokens = 0, .build_delay_seconds = 5, .expiry_seconds = 3600});
  const Tokens p = block(1, 100);
  const Tokens longer = cat({p, block(500, 10)});
  cache.record("", p, p, at(0));
  EXPECT_EQ(cache.lookup("", longer, at(4)), 0);    // still being built
  EXPECT_EQ(cache.lookup("", longer, at(5)), 100);  // ready; the hit refreshes it
  EXPECT_EQ(cache.lookup("", longer, at(3600 + 5)), 100);
  EXPECT_EQ(cache.lookup("", longer, at(2 * 3600 + 6)), 0);  // unused for over an hour: gone
  EXPECT_EQ(cache.unit_count(), 0u);

  // Capacity 250 tokens: a third 100-token unit evicts the least recently used.
  PrefixCache small(PrefixCacheConfig{.interval_tokens = 0, .capacity_tokens = 250});
  const Tokens x = block(1, 100), y = block(1000, 100), z = block(2000, 100);
  small.record("", x, x, kT0);
  small.record("", y, y, kT0);
  EXPECT_EQ(small.lookup("", cat({x, z}), kT0), 100);  // x is now the most recent
  small.record("", z, z, kT0);
  EXPECT_EQ(small.stored_tokens(), 200);
  EXPECT_EQ(small.lookup("", cat({y, z}), kT0), 0);  // y was evicted
  EXPECT_EQ(small.lookup("", cat({x, y}), kT0), 100);
}

}  // namespace
}  // namespace ff::sim
