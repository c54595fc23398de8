// The metering of a streamed answer: each SSE event the upstream sends is read
// once as it passes through, for
//   - the answer's usage (OpenAI's last chunk; Anthropic's message_start input
//     with message_delta's output; the Responses API's end event's response);
//   - until the usage comes, an estimate of the output from the text deltas
//     (content, reasoning, tool arguments), for a stream that ends without it;
//   - the reasoning and the tool-call ids, which the reasoning cache keeps for
//     the tool loop's next turn (reasoning_cache.h);
//   - the end of the answer: "data: [DONE]", message_stop, or the Responses
//     API's response.completed / .incomplete / .failed.
// A malformed event is passed on unread. The event that brings the usage gets
// the gateway's figures as an extra member of its data (with_figures()).
//
// One stream's state: not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/usage.h"
#include "tokenizer/tokenizer.h"
#include "wire/errors.h"

namespace ff::gateway {

class StreamMeter {
 public:
  explicit StreamMeter(wire::Protocol protocol) : protocol_(protocol) {}

  enum class Read {
    kPassed,        // nothing for the bill
    kUsage,         // the event brought the usage: usage() has it
    kInvalidUsage,  // the event's usage cannot be billed: invalid_usage() says why
  };
  // Reads one complete event ("...\n\n", as SseSplitter gives it).
  Read read(std::string_view event);
  // Whether `event`, read already, ends the answer.
  bool ended(std::string_view event) const;

  bool has_usage() const { return has_usage_; }
  const core::TokenUsage& usage() const { return usage_; }
  const std::string& invalid_usage() const { return invalid_usage_; }
  // Output tokens estimated from the text deltas so far.
  std::int64_t estimated_output() const { return estimated_output_; }
  // The reasoning streamed (kept up to 1 MiB) and the ids of the tool calls made.
  const std::string& reasoning() const { return reasoning_; }
  const std::vector<std::string>& tool_call_ids() const { return tool_call_ids_; }

 private:
  void estimate(std::string_view text) { estimated_output_ += estimate_.count(text); }

  wire::Protocol protocol_;
  tokenizer::RatioEstimator estimate_;
  core::TokenUsage anthropic_input_;  // from message_start, until message_delta brings the output
  core::TokenUsage usage_;
  bool has_usage_ = false;
  bool response_ended_ = false;  // a Responses API end event was read
  std::string invalid_usage_;
  std::int64_t estimated_output_ = 0;
  std::string reasoning_;
  std::vector<std::string> tool_call_ids_;
};

// `event` with `"flashfirst": <figures>` added to its data's JSON object
// (clients ignore a member they do not know); `event` unchanged without a data line.
std::string with_figures(std::string_view event, std::string_view figures);

}  // namespace ff::gateway
