#include "gateway/usage_of.h"

#include <algorithm>
#include <array>

#include <simdjson.h>

namespace ff::gateway {

namespace dom = simdjson::dom;

std::optional<core::TokenUsage> usage_of(const dom::element& root) {
  dom::object u;
  if (root["usage"].get(u)) return std::nullopt;
  // One pass over the usage object (and its two detail objects), not a search
  // per field. A field counts where it is first named, as a lookup would find
  // it; a value that is not a non-negative integer counts as absent.
  enum Field {
    kInput,
    kOutput,
    kCacheRead,
    kCacheCreation,
    kHit,
    kMiss,
    kPrompt,
    kCached,
    kCompletion,
    kReasoning,
    kFields
  };
  std::array<std::optional<std::int64_t>, kFields> v;
  std::array<bool, kFields> named{};
  auto count = [&](Field f, dom::element e) {
    std::int64_t n;
    if (!e.get_int64().get(n) && n >= 0) v[f] = n;
  };
  auto take = [&](Field f, dom::element e) {
    if (named[f]) return;
    named[f] = true;
    count(f, e);
  };
  // The first `key` object decides its field of interest (a lookup in anything
  // else finds nothing), from where that field is first named in it.
  auto take_in = [&](Field f, dom::element e, std::string_view key) {
    if (named[f]) return;
    named[f] = true;
    dom::object o;
    if (e.get(o)) return;
    for (auto [k, value] : o) {
      if (k == key) return count(f, value);
    }
  };
  for (auto [k, e] : u) {
    if (k == "prompt_cache_hit_tokens")
      take(kHit, e);
    else if (k == "prompt_cache_miss_tokens")
      take(kMiss, e);
    else if (k == "prompt_tokens")
      take(kPrompt, e);
    else if (k == "completion_tokens")
      take(kCompletion, e);
    else if (k == "prompt_tokens_details")
      take_in(kCached, e, "cached_tokens");
    else if (k == "completion_tokens_details")
      take_in(kReasoning, e, "reasoning_tokens");
    else if (k == "input_tokens")
      take(kInput, e);
    else if (k == "output_tokens")
      take(kOutput, e);
    else if (k == "cache_read_input_tokens")
      take(kCacheRead, e);
    else if (k == "cache_creation_input_tokens")
      take(kCacheCreation, e);
  }
  core::TokenUsage out;
  // Anthropic Messages: input_tokens are the uncached ones; cache reads are hits.
  if (v[kInput] && v[kOutput]) {
    out.cache_hit = v[kCacheRead].value_or(0);
    out.cache_miss = *v[kInput] + v[kCacheCreation].value_or(0);
    out.output = *v[kOutput];
    return out;
  }
  if (!v[kCompletion]) return std::nullopt;
  if (v[kHit] && v[kMiss]) {
    out.cache_hit = *v[kHit];
    out.cache_miss = *v[kMiss];
  } else if (v[kPrompt]) {
    // cached_tokens is the same hit count: counted once.
    out.cache_hit = v[kCached].value_or(0);
    out.cache_miss = std::max<std::int64_t>(0, *v[kPrompt] - out.cache_hit);
  } else {
    return std::nullopt;
  }
  out.output = *v[kCompletion];
  out.reasoning = v[kReasoning].value_or(0);
  return out;
}

}  // namespace ff::gateway
