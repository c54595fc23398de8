// Simulator: a DeepSeek-compatible API answering from models instead of a GPU.
//
// handle() is a plain function of an HTTP request to a response (see
// net/http_server.h), so every wire behaviour is testable without a socket:
// routes, Bearer auth, validation errors in the API's own format, model ids as of
// the simulated date (from the price book), thinking mode, usage with prefix-cache
// hits from PrefixCache and token counts from the exact tokenizer, balance, and
// SSE streams in the documented chunk format. Answers are deterministic: all
// randomness is seeded from the request body and the global seed.
//
// The prompt is counted through a DeepSeek-V3-style chat template (special
// tokens between turns, tool schemas as JSON text); DeepSeek does not publish the
// V4 template, so billed prompt sizes are a close model, not a copy.
//
// Thread-safe: the cache and the balance are guarded inside.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/time.h"
#include "net/http_server.h"
#include "pricing/price_book.h"
#include "sim/prefix_cache.h"
#include "tokenizer/tokenizer.h"

namespace ff::sim {

struct ModelSpeed {
  std::int64_t first_token_ms;  // time to first token
  double tokens_per_second;
};

struct SimOptions {
  std::vector<std::string> keys;          // accepted API keys; empty = any non-empty key
  std::optional<core::Money> balance;     // USD; requests get 402 once it is spent
  std::optional<core::Timestamp> date;    // the simulated date; default: the clock's now
  double speed = 1.0;                     // 0 answers at once; 2 is twice as fast as modelled
  std::uint64_t seed = 42;
  PrefixCacheConfig cache;
  ModelSpeed flash{350, 90.0};
  ModelSpeed pro{900, 35.0};
};

class Simulator {
 public:
  Simulator(const pricing::PriceBook& book, const tokenizer::BpeTokenizer& tokenizer, SimOptions options,
            const core::Clock& clock);

  net::Response handle(const net::Request& request);

  // Balance left, if one was configured.
  std::optional<core::Money> balance() const;

 private:
  net::Response chat_completions(const net::Request& request);
  net::Response models() const;
  net::Response user_balance() const;
  core::Timestamp now() const;

  const pricing::PriceBook& book_;
  const tokenizer::BpeTokenizer& tokenizer_;
  const SimOptions options_;
  const core::Clock& clock_;
  PrefixCache cache_;
  mutable std::mutex mu_;
  std::optional<core::Money> balance_;  // guarded by mu_
};

// {"error":{"message","type","code"}} as the API sends it.
net::Response api_error(int status, std::string_view message, std::string_view type, std::string_view code);

}  // namespace ff::sim
