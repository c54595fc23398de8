// PrefixCache: the simulator's model of DeepSeek's V4 context cache.
//
// The documented V4 rules (shared/reference/deepseek-api.md, section 4): a cache
// hit needs a full match of a persisted "prefix unit" (no longest-common-prefix
// matching), and units are persisted
//   1. at the end of each request's input and at the end of its output,
//   2. at a common prefix the system detects across requests,
//   3. at fixed token intervals inside long inputs (size unpublished: configurable);
// caches are isolated per user_id, building one takes a moment (configurable
// delay), and unused units are dropped after a while (configurable expiry and a
// capacity in tokens, least recently used first).
//
// Units are keyed by a 64-bit rolling hash of their token prefix, per user. All
// time comes from the caller, so runs are reproducible. Thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "tokenizer/tokenizer.h"

namespace ff::sim {

struct PrefixCacheConfig {
  // Units inside long inputs every this many tokens; 0 turns them off.
  std::int64_t interval_tokens = 8192;
  // A detected common prefix shorter than this is not persisted.
  std::int64_t min_common_prefix_tokens = 64;
  // How many recent prompts per user are compared to find common prefixes, and
  // how many of their tokens are kept at most (8 bytes each).
  size_t recent_prompts_per_user = 32;
  std::int64_t recent_tokens_per_user = 4'000'000;
  // The same over all users (128 MB of hashes): the least recently active
  // users' oldest prompts go first, so many keys cannot grow it without bound.
  std::int64_t recent_tokens_total = 16'000'000;
  // A unit can be hit only this long after it was persisted.
  std::int64_t build_delay_seconds = 0;
  // A unit not hit for this long is dropped.
  std::int64_t expiry_seconds = 6 * 3600;
  // Total tokens held in units, over all users; least recently used go first.
  std::int64_t capacity_tokens = 1'000'000'000;
};

class PrefixCache {
 public:
  explicit PrefixCache(PrefixCacheConfig config = {});

  // The number of leading prompt tokens billed as cache hits: the length of the
  // longest usable unit of `user` that is a prefix of `prompt` (0 if none). A hit
  // refreshes the unit's expiry.
  std::int64_t lookup(std::string_view user, std::span<const tokenizer::TokenId> prompt, core::Timestamp now);

  // Records a served request: persists the end of its input, the interval units
  // inside it, a unit at the longest common prefix with the user's recent prompts,
  // and the end of its output. `prompt_and_output` is the token sequence a next
  // turn would start with (the prompt followed by the answer as it will be sent
  // back); pass the prompt alone when there is no answer.
  void record(std::string_view user, std::span<const tokenizer::TokenId> prompt,
              std::span<const tokenizer::TokenId> prompt_and_output, core::Timestamp now);

  // lookup() then record() of one request, hashing the prompt once; `output` is
  // what follows the prompt in the next turn (record()'s prompt_and_output minus
  // the prompt).
  std::int64_t serve(std::string_view user, std::span<const tokenizer::TokenId> prompt,
                     std::span<const tokenizer::TokenId> output, core::Timestamp now);

  // Units held now, and users with any state (for tests and metrics).
  size_t unit_count() const;
  std::int64_t stored_tokens() const;
  size_t user_count() const;

 private:
  struct Unit {
    std::uint32_t user;
    std::int64_t length;
    std::uint64_t hash;
    core::Timestamp usable_from;
    core::Timestamp last_used;
  };
  using UnitList = std::list<Unit>;  // most recently used first
  struct Key {
    std::uint32_t user;
    std::int64_t length;
    std::uint64_t hash;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Recent {
    std::vector<std::uint64_t> prefix_hashes;  // prefix_hashes[i] = hash of the first i tokens
  };
  struct RecentPrompts {
    std::list<Recent> prompts;  // newest first
    std::int64_t tokens = 0;
  };

  static std::vector<std::uint64_t> prefix_hashes(std::span<const tokenizer::TokenId> tokens);
  // All with mu_ held; `h` are the prompt's prefix hashes (consumed by record).
  std::uint32_t user_index(std::string_view user);
  std::int64_t lookup_locked(std::uint32_t user, const std::vector<std::uint64_t>& h, core::Timestamp now);
  void record_locked(std::uint32_t user, std::vector<std::uint64_t> h, std::uint64_t output_hash,
                     std::int64_t output_length, core::Timestamp now);
  void persist(std::uint32_t user, std::int64_t length, std::uint64_t hash, core::Timestamp now);
  // Drops units unused past the expiry (or past the capacity), and the recent
  // prompts of users inactive past the expiry.
  void expire(core::Timestamp now);
  void drop_oldest_recent(std::uint32_t user);
  // Forgets the users left with no unit and no recent prompt (their indices are
  // reused): a stream of one-off keys cannot grow the cache. Call when no
  // operation holds a user index.
  void release_idle_users();
  static std::int64_t common_prefix(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b);

  const PrefixCacheConfig config_;
  mutable std::mutex mu_;
  // Guarded by mu_:
  UnitList lru_;
  std::unordered_map<Key, UnitList::iterator, KeyHash> units_;
  // Per user (by index): the lengths of its units, and its recent prompts.
  struct UserState {
    std::string name;
    std::multiset<std::int64_t> lengths;
    RecentPrompts recent;
    std::optional<std::list<std::uint32_t>::iterator> active;  // place in active_ while it has recent prompts
    core::Timestamp last_active{0};                            // of the last prompt recorded
  };
  std::unordered_map<std::string, std::uint32_t> user_ids_;
  std::vector<UserState> users_;
  std::vector<std::uint32_t> free_users_;  // indices of released users, for reuse
  std::vector<std::uint32_t> maybe_idle_;  // users that lost a unit or their last recent prompt
  std::list<std::uint32_t> active_;        // users with recent prompts, most recently active first
  std::int64_t recent_tokens_ = 0;         // over all users
  std::int64_t stored_tokens_ = 0;
};

}  // namespace ff::sim
