// The one reader of an API answer's `usage`: the gateway's ledger and the cost
// report (`flashfirst cost`) bill the same tokens from the same object.
//
// Shapes it reads (reference/deepseek-api.md):
//   - DeepSeek chat completions: prompt_cache_hit_tokens + prompt_cache_miss_tokens,
//     completion_tokens (reasoning inside), completion_tokens_details.reasoning_tokens;
//     prompt_tokens and prompt_tokens_details.cached_tokens repeat the sums and the
//     hit count (counted once). With only one of hit/miss, prompt_tokens gives the other.
//   - OpenAI-style, without the hit/miss pair: prompt_tokens, with
//     prompt_tokens_details.cached_tokens as the hits.
//   - Responses API: input_tokens (cached part included), input_tokens_details.cached_tokens,
//     output_tokens, output_tokens_details.reasoning_tokens.
//   - Anthropic Messages (when cache_read_input_tokens or cache_creation_input_tokens
//     is present): input_tokens are the uncached ones, cache reads are hits, cache
//     writes bill as misses (DeepSeek charges no write surcharge), output_tokens.
//
// Strict: a count must be a non-negative integer no larger than
// kMaxTokensPerField, or null (absent); anything else, hits and misses that do not
// add up to prompt_tokens, or reasoning above the output make the usage invalid
// (a reason says which). A field named twice counts where it is first named.
// Pure functions; any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"
#include "core/usage.h"

namespace simdjson::dom {
class element;
}

namespace ff::wire {

// Above any real count (a 1M-token context), below what could overflow a sum.
inline constexpr std::int64_t kMaxTokensPerField = 4'294'967'295;

// The counts one usage object names, whatever its shape.
struct UsageFields {
  enum Slot {
    kHit,             // prompt_cache_hit_tokens
    kMiss,            // prompt_cache_miss_tokens
    kPrompt,          // prompt_tokens
    kCompletion,      // completion_tokens
    kCached,          // prompt_tokens_details.cached_tokens
    kReasoning,       // completion_tokens_details.reasoning_tokens
    kInput,           // input_tokens
    kOutput,          // output_tokens
    kCacheRead,       // cache_read_input_tokens
    kCacheCreation,   // cache_creation_input_tokens
    kInputCached,     // input_tokens_details.cached_tokens
    kOutputReasoning, // output_tokens_details.reasoning_tokens
    kSlots
  };
  std::array<std::optional<std::int64_t>, kSlots> count;
  std::array<bool, kSlots> named{};  // seen already: a later duplicate is ignored

  // Sets `slot` from a count (nullopt: null) unless it was named before.
  void set(Slot slot, std::optional<std::int64_t> value) {
    if (named[slot]) return;
    named[slot] = true;
    count[slot] = value;
  }
};

// The slot of a top-level usage key, or nullopt for a key that bills nothing.
std::optional<UsageFields::Slot> usage_slot(std::string_view key);
// For a `*_details` key of the usage object: the nested key that counts and its slot.
std::optional<std::pair<std::string_view, UsageFields::Slot>> usage_detail(std::string_view key);

// The billed tokens the fields stand for; an error names what is inconsistent.
// Without the counts any shape needs, an error too ("no output count" …).
core::Result<core::TokenUsage> billed_usage(const UsageFields& fields);

// An answer's (or a stream event's) `usage`, read from its parsed root.
struct UsageRead {
  enum class Status { kAbsent, kInvalid, kOk };
  Status status = Status::kAbsent;
  core::TokenUsage usage;  // when kOk
  std::string why;         // when kInvalid
};
UsageRead read_usage(const simdjson::dom::element& root);

}  // namespace ff::wire
