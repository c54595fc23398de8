// Simulator: a DeepSeek-compatible API answering from models instead of a GPU.
//
// handle() is a plain function of an HTTP request to a response (see
// net/http_server.h), so every wire behaviour is testable without a socket:
// routes, auth, validation errors in each protocol's own format, failures drawn
// from the QualityModel (a wrong answer when metadata carries the expected one,
// invalid JSON in JSON mode, tool arguments that break the schema, a cut answer), model ids as of
// the simulated date (from the price book), thinking mode, usage with prefix-cache
// hits from PrefixCache and token counts from the exact tokenizer, balance,
// concurrency limits, latency with keep-alives, faults, and SSE streams in the
// documented chunk formats of the OpenAI-style and Anthropic endpoints. Answers
// are deterministic: all randomness is seeded from the seed, the request body
// and how many times that same body came before. So the first answer to a body
// is always the same, and repeats of it are independent draws (as the real API's
// are), reproducible from the seed and the order of the requests.
//
// The prompt is counted through a DeepSeek-V3-style chat template (special
// tokens between turns, tool schemas as JSON text); DeepSeek does not publish the
// V4 template, so billed prompt sizes are a close model, not a copy.
//
// Thread-safe: the cache, the balance and the in-flight counts are guarded.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/money.h"
#include "core/time.h"
#include "net/http_server.h"
#include "pricing/price_book.h"
#include "sim/quality_model.h"
#include "sim/chat_request.h"
#include "sim/prefix_cache.h"
#include "tokenizer/tokenizer.h"
#include "wire/errors.h"

namespace ff::sim {

struct ModelSpeed {
  std::int64_t first_token_ms;  // time to first token at the default effort
  double tokens_per_second;
};

// Probabilities of injected faults, per request (0..1).
struct FaultRates {
  double rate_limited = 0;     // 429
  double server_error = 0;     // 500
  double overloaded = 0;       // 503
  double slow_first_byte = 0;  // the first byte waits slow_first_byte_ms more
  double stream_cut = 0;       // a stream stops half-way, connection closed
  double malformed_chunk = 0;  // one stream chunk is not JSON
  std::int64_t slow_first_byte_ms = 5'000;
};

struct SimOptions {
  std::vector<std::string> keys;        // accepted API keys; empty = any non-empty key
  std::optional<core::Money> balance;   // USD; requests get 402 once it is spent
  std::optional<core::Timestamp> date;  // the simulated date; default: the clock's now
  double speed = 1.0;                   // 0 answers at once; 2 is twice as fast as modelled
  std::uint64_t seed = 42;
  PrefixCacheConfig cache;
  ModelSpeed flash{350, 90.0};
  ModelSpeed pro{900, 35.0};
  // Concurrent requests per tier before 429 (DeepSeek's documented account limits).
  std::int64_t flash_concurrency = 2500;
  std::int64_t pro_concurrency = 500;
  // While a request waits for its first token, a keep-alive goes out this often
  // (": keep-alive" on streams, a blank line on JSON answers), as the API does.
  std::chrono::milliseconds keep_alive_interval{1000};
  FaultRates faults;
};

class Simulator {
 public:
  Simulator(const pricing::PriceBook& book, const tokenizer::BpeTokenizer& tokenizer,
            const sim::QualityModel& quality, SimOptions options, const core::Clock& clock);

  net::Response handle(const net::Request& request);

  // Balance left, if one was configured.
  std::optional<core::Money> balance() const;
  // Requests being answered now, per tier.
  std::int64_t in_flight(core::Tier tier) const;
  // GET /metrics (not part of the DeepSeek API, like /healthz): requests
  // answered and faults made, by kind, as Prometheus text (for chaos runs).
  std::string metrics_text() const;

  struct Answer;  // defined in simulator.cc

 private:
  using Protocol = wire::Protocol;
  net::Response chat(const net::Request& request, Protocol protocol);
  net::Response models() const;
  net::Response user_balance() const;
  core::Timestamp now() const;
  net::Response error(Protocol protocol, const ApiError& e) const;

  // Token ids of the canned sentences answers are made of, alone and after a
  // space: an answer's ids are these concatenated (sentences end with '.', so the
  // pre-tokenizer always splits between them), with no tokenizing per request.
  struct Phrase {
    std::string text;
    std::vector<tokenizer::TokenId> ids, spaced_ids;
  };

 public:
  using PhraseBank = std::vector<Phrase>;

 private:
  const pricing::PriceBook& book_;
  const tokenizer::BpeTokenizer& tokenizer_;
  const sim::QualityModel& quality_;
  const SimOptions options_;
  const core::Clock& clock_;
  PrefixCache cache_;
  const std::vector<Phrase> sentences_, thoughts_;
  // The chat template's special tokens, looked up once.
  struct TemplateIds {
    tokenizer::TokenId begin_of_sentence, end_of_sentence, user, assistant, tool_calls_begin, tool_calls_end,
        tool_call_begin, tool_call_end, tool_sep, tool_outputs_begin, tool_outputs_end, tool_output_begin,
        tool_output_end;
    static TemplateIds of(const tokenizer::BpeTokenizer& tok);
  };
  const TemplateIds ids_;
  mutable std::mutex mu_;
  std::optional<core::Money> balance_;  // guarded by mu_
  // Times each request body (by hash) has been answered; cleared at kSeenCap bodies.
  std::unordered_map<std::uint64_t, std::uint64_t> seen_;  // guarded by mu_
  static constexpr std::size_t kSeenCap = 1 << 18;  // about 16 MB at most
  std::shared_ptr<std::atomic<std::int64_t>> flash_in_flight_, pro_in_flight_;
  // Chat requests seen, and faults made by kind (429, 500, 503, slow, cut, malformed).
  mutable std::atomic<std::int64_t> chat_requests_{0};
  mutable std::atomic<std::int64_t> concurrency_refusals_{0};  // 429s for the per-account concurrency limits
  static constexpr const char* kFaultKinds[] = {"429", "500", "503", "slow", "cut", "malformed"};
  mutable std::array<std::atomic<std::int64_t>, 6> faults_made_{};
};

}  // namespace ff::sim
