// UsageParser: turns one line of a usage log into a usage record, or says why it
// cannot.
//
// Formats, detected per line:
//   - DeepSeek chat completion responses (JSON): `created`, `model`, `usage` with
//     prompt_cache_hit_tokens / prompt_cache_miss_tokens / completion_tokens,
//     optionally prompt_tokens_details.cached_tokens (the same hits: counted once)
//     and completion_tokens_details.reasoning_tokens;
//   - OpenAI-style usage (prompt_tokens with prompt_tokens_details.cached_tokens);
//   - the final chunk of a stream, also as a saved SSE line ("data: {...}");
//     other SSE lines (comments, [DONE], event:) are ignored;
//   - Responses API usage (input_tokens, input_tokens_details.cached_tokens,
//     output_tokens) and Anthropic Messages usage (input_tokens,
//     cache_read_input_tokens, cache_creation_input_tokens, output_tokens);
//   - CSV with a header row naming time, model, cache hit, cache miss and output
//     columns; a header applies to the rows after it in the same input.
// One parser per thread; call begin_input() at the start of each input.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "core/usage.h"

namespace ff::planner {

enum class SkipReason : int {
  kMalformedJson,
  kNoUsage,
  kInvalidUsage,
  kNoModel,
  kUnknownModel,
  kRetiredModel,
  kNoTimestamp,
  kNoPrice,
  kMalformedCsv,
  kUnrecognized,
  kLineTooLong,
};
inline constexpr int kSkipReasonCount = 11;

// Stable machine name ("malformed_json") and a phrase for people.
const char* skip_reason_name(SkipReason r);
const char* skip_reason_text(SkipReason r);

struct UsageRecord {
  std::string_view model;  // valid until the next parse() call
  std::optional<core::Timestamp> time;
  core::TokenUsage usage;
};

struct LineOutcome {
  enum class Kind { kRecord, kSkip, kIgnored };
  Kind kind = Kind::kIgnored;
  SkipReason reason = SkipReason::kUnrecognized;  // for kSkip
  UsageRecord record;                             // for kRecord
};

class UsageParser {
 public:
  UsageParser();
  ~UsageParser();
  UsageParser(const UsageParser&) = delete;
  UsageParser& operator=(const UsageParser&) = delete;

  // Forgets the CSV header of the previous input.
  void begin_input();

  // Parses one line without its newline. `readable` bytes from line.data() must
  // be readable, and at least line.size() + 64 (LineSource guarantees this).
  LineOutcome parse(std::string_view line, size_t readable);

 private:
  LineOutcome parse_json(std::string_view line, size_t readable);
  LineOutcome parse_csv_row(std::string_view line);
  bool try_csv_header(std::string_view line);

  struct Json;
  std::unique_ptr<Json> json_;

  // Column indexes of the current CSV header.
  struct CsvColumns {
    int time = -1, model = -1, hit = -1, miss = -1, output = -1, prompt = -1, reasoning = -1;
    int count = 0;
  };
  std::optional<CsvColumns> csv_;
  std::vector<std::string_view> cells_;
  std::string model_storage_;
};

}  // namespace ff::planner
