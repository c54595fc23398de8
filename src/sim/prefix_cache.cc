#include "sim/prefix_cache.h"

#include <algorithm>

namespace ff::sim {

namespace {
constexpr std::uint64_t kHashBase = 0x100000001B3ULL;  // odd multiplier of the rolling hash
}

size_t PrefixCache::KeyHash::operator()(const Key& k) const {
  return static_cast<size_t>((k.hash ^ (std::uint64_t{k.user} << 40)) * 0x9E3779B97F4A7C15ULL) ^
         static_cast<size_t>(k.length);
}

std::uint32_t PrefixCache::user_index(std::string_view user) {
  std::string name(user);
  if (auto it = user_ids_.find(name); it != user_ids_.end()) return it->second;
  std::uint32_t index = static_cast<std::uint32_t>(users_.size());
  if (free_users_.empty()) {
    users_.emplace_back();
  } else {
    index = free_users_.back();
    free_users_.pop_back();
    users_[index] = UserState{};
  }
  users_[index].name = name;
  user_ids_.emplace(std::move(name), index);
  return index;
}

void PrefixCache::release_idle_users() {
  for (std::uint32_t user : maybe_idle_) {
    UserState& u = users_[user];
    if (!u.lengths.empty() || !u.recent.prompts.empty()) continue;
    auto it = user_ids_.find(u.name);
    if (it == user_ids_.end() || it->second != user) continue;  // released already (listed twice)
    user_ids_.erase(it);
    u = UserState{};
    free_users_.push_back(user);
  }
  maybe_idle_.clear();
}

PrefixCache::PrefixCache(PrefixCacheConfig config) : config_(config) {}

std::vector<std::uint64_t> PrefixCache::prefix_hashes(std::span<const tokenizer::TokenId> tokens) {
  std::vector<std::uint64_t> h(tokens.size() + 1);
  h[0] = 0;
  for (size_t i = 0; i < tokens.size(); ++i) h[i + 1] = h[i] * kHashBase + tokens[i] + 1;
  return h;
}

std::int64_t PrefixCache::common_prefix(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  // Prefix hashes agree up to the common prefix and (but for collisions) differ
  // after it, so the boundary can be found by binary search.
  std::int64_t lo = 0, hi = static_cast<std::int64_t>(std::min(a.size(), b.size())) - 1;
  while (lo < hi) {
    std::int64_t mid = (lo + hi + 1) / 2;
    if (a[mid] == b[mid]) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

void PrefixCache::expire(core::Timestamp now) {
  auto drop = [&](UnitList::iterator it) {
    units_.erase(Key{it->user, it->length, it->hash});
    auto& lengths = users_[it->user].lengths;
    lengths.erase(lengths.find(it->length));
    if (lengths.empty()) maybe_idle_.push_back(it->user);
    stored_tokens_ -= it->length;
    lru_.erase(it);
  };
  while (!lru_.empty()) {
    auto oldest = std::prev(lru_.end());
    const bool expired = now.unix_seconds - oldest->last_used.unix_seconds > config_.expiry_seconds;
    if (!expired && stored_tokens_ <= config_.capacity_tokens) break;
    drop(oldest);
  }
  // A user inactive for longer than a unit lives shares no prefix any more.
  while (!active_.empty()) {
    const std::uint32_t user = active_.back();
    if (now.unix_seconds - users_[user].last_active.unix_seconds <= config_.expiry_seconds) break;
    while (!users_[user].recent.prompts.empty()) drop_oldest_recent(user);
  }
}

void PrefixCache::persist(std::uint32_t user, std::int64_t length, std::uint64_t hash, core::Timestamp now) {
  if (length <= 0) return;
  Key key{user, length, hash};
  if (auto it = units_.find(key); it != units_.end()) {
    it->second->last_used = now;
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.push_front(Unit{user, length, hash, core::Timestamp{now.unix_seconds + config_.build_delay_seconds}, now});
  units_.emplace(key, lru_.begin());
  users_[user].lengths.insert(length);
  stored_tokens_ += length;
}

std::int64_t PrefixCache::lookup(std::string_view user, std::span<const tokenizer::TokenId> prompt,
                                 core::Timestamp now) {
  const std::vector<std::uint64_t> h = prefix_hashes(prompt);
  std::lock_guard<std::mutex> lock(mu_);
  const std::uint32_t index = user_index(user);
  const std::int64_t hit = lookup_locked(index, h, now);
  maybe_idle_.push_back(index);  // a key that only looks holds nothing
  release_idle_users();
  return hit;
}

void PrefixCache::record(std::string_view user, std::span<const tokenizer::TokenId> prompt,
                         std::span<const tokenizer::TokenId> prompt_and_output, core::Timestamp now) {
  std::vector<std::uint64_t> h = prefix_hashes(prompt);
  const std::vector<std::uint64_t> h_out = prefix_hashes(prompt_and_output);
  std::lock_guard<std::mutex> lock(mu_);
  record_locked(user_index(user), std::move(h), h_out.back(), static_cast<std::int64_t>(prompt_and_output.size()), now);
  release_idle_users();
}

std::int64_t PrefixCache::serve(std::string_view user_view, std::span<const tokenizer::TokenId> prompt,
                                std::span<const tokenizer::TokenId> output, core::Timestamp now) {
  std::vector<std::uint64_t> h = prefix_hashes(prompt);
  // The output continues the prompt, so its hash continues the prompt's.
  std::uint64_t out_hash = h.back();
  for (tokenizer::TokenId t : output) out_hash = out_hash * kHashBase + t + 1;
  std::lock_guard<std::mutex> lock(mu_);
  const std::uint32_t user = user_index(user_view);
  const std::int64_t hit = lookup_locked(user, h, now);
  record_locked(user, std::move(h), out_hash, static_cast<std::int64_t>(prompt.size() + output.size()), now);
  release_idle_users();
  return hit;
}

std::int64_t PrefixCache::lookup_locked(std::uint32_t user, const std::vector<std::uint64_t>& h, core::Timestamp now) {
  expire(now);
  const auto& lengths = users_[user].lengths;
  const auto n = static_cast<std::int64_t>(h.size()) - 1;
  // Longest unit first; a unit as long as the whole prompt counts as a hit too.
  for (auto it = lengths.rbegin(); it != lengths.rend(); ++it) {
    const std::int64_t len = *it;
    if (len > n) continue;
    auto unit = units_.find(Key{user, len, h[len]});
    if (unit == units_.end() || unit->second->usable_from > now) continue;
    unit->second->last_used = now;
    lru_.splice(lru_.begin(), lru_, unit->second);
    return len;
  }
  return 0;
}

void PrefixCache::record_locked(std::uint32_t user, std::vector<std::uint64_t> h, std::uint64_t output_hash,
                                std::int64_t output_length, core::Timestamp now) {
  const auto n = static_cast<std::int64_t>(h.size()) - 1;
  // 1. The ends of the input and of the output.
  persist(user, n, h[n], now);
  persist(user, output_length, output_hash, now);
  // 3. Fixed intervals inside a long input.
  if (config_.interval_tokens > 0) {
    for (std::int64_t len = config_.interval_tokens; len < n; len += config_.interval_tokens)
      persist(user, len, h[len], now);
  }
  // 2. The longest common prefix with a recent prompt of the same user.
  RecentPrompts& recent = users_[user].recent;
  std::int64_t best = 0;
  for (const Recent& r : recent.prompts) best = std::max(best, common_prefix(h, r.prefix_hashes));
  if (best >= config_.min_common_prefix_tokens && best < n) persist(user, best, h[best], now);
  recent.tokens += n;
  recent_tokens_ += n;
  recent.prompts.push_front(Recent{std::move(h)});
  while (recent.prompts.size() > 1 &&
         (recent.prompts.size() > config_.recent_prompts_per_user || recent.tokens > config_.recent_tokens_per_user)) {
    drop_oldest_recent(user);
  }
  // This user is now the most recently active; over all users, the least
  // recently active lose their oldest prompts first (the one just recorded stays).
  UserState& u = users_[user];
  u.last_active = now;
  if (u.active) {
    active_.splice(active_.begin(), active_, *u.active);
  } else {
    u.active = active_.insert(active_.begin(), user);
  }
  while (recent_tokens_ > config_.recent_tokens_total) {
    const std::uint32_t last = active_.back();
    if (last == user && users_[last].recent.prompts.size() <= 1) break;
    drop_oldest_recent(last);
  }
  expire(now);
}

void PrefixCache::drop_oldest_recent(std::uint32_t user) {
  UserState& u = users_[user];
  const std::int64_t n = static_cast<std::int64_t>(u.recent.prompts.back().prefix_hashes.size()) - 1;
  u.recent.tokens -= n;
  recent_tokens_ -= n;
  u.recent.prompts.pop_back();
  if (u.recent.prompts.empty() && u.active) {
    active_.erase(*u.active);
    u.active.reset();
    maybe_idle_.push_back(user);
  }
}

size_t PrefixCache::unit_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return units_.size();
}

size_t PrefixCache::user_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return user_ids_.size();
}

std::int64_t PrefixCache::stored_tokens() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stored_tokens_;
}

}  // namespace ff::sim
