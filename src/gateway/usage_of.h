// usage_of: the billed token counts in an answer's `usage` object, in either
// wire format the gateway serves:
//   - DeepSeek chat completions: prompt_cache_hit_tokens + prompt_cache_miss_tokens,
//     completion_tokens (reasoning inside), completion_tokens_details.reasoning_tokens;
//   - OpenAI-style, without the hit/miss pair: prompt_tokens with
//     prompt_tokens_details.cached_tokens as the hits;
//   - Anthropic Messages: input_tokens (uncached) + cache_creation_input_tokens as
//     misses, cache_read_input_tokens as hits, output_tokens.
// Also the final chunk of a stream, which carries the same object. nullopt when
// there is no usage or it lacks the output count or the prompt counts.
#pragma once

#include <optional>

#include "core/usage.h"

namespace simdjson::dom {
class element;
}

namespace ff::gateway {

std::optional<core::TokenUsage> usage_of(const simdjson::dom::element& root);

}  // namespace ff::gateway
