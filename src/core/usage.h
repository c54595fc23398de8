// TokenUsage: the billed token counts of one request, as DeepSeek reports them.
//
// prompt tokens = cache_hit + cache_miss (a cache hit is counted once, whichever
// field it was read from); output includes reasoning tokens, which bill as output.
#pragma once

#include <optional>
#include <string_view>

#include <cstdint>

namespace ff::core {

struct TokenUsage {
  std::int64_t cache_hit = 0;
  std::int64_t cache_miss = 0;
  std::int64_t output = 0;     // completion_tokens, reasoning included
  std::int64_t reasoning = 0;  // informational: already inside `output`

  std::int64_t prompt() const { return cache_hit + cache_miss; }
  std::int64_t total() const { return cache_hit + cache_miss + output; }

  TokenUsage& operator+=(const TokenUsage& o) {
    cache_hit += o.cache_hit;
    cache_miss += o.cache_miss;
    output += o.output;
    reasoning += o.reasoning;
    return *this;
  }
  bool operator==(const TokenUsage&) const = default;
};

// The model tiers flashfirst routes between.
enum class Tier { kFlash, kPro };

inline const char* tier_name(Tier t) { return t == Tier::kFlash ? "flash" : "pro"; }

// The tier DeepSeek's Anthropic endpoint serves a Claude model name as:
// claude-opus* is Pro, claude-sonnet* and claude-haiku* are Flash; nullopt for
// any other name. One rule for the gateway, the simulator and the cost report.
inline std::optional<Tier> claude_tier(std::string_view model) {
  if (model.rfind("claude-opus", 0) == 0) return Tier::kPro;
  if (model.rfind("claude-sonnet", 0) == 0 || model.rfind("claude-haiku", 0) == 0) return Tier::kFlash;
  return std::nullopt;
}

}  // namespace ff::core
