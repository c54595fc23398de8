// API errors in each protocol's own shape, written one way for the gateway, the
// HTTP server and the simulator:
//   OpenAI (and DeepSeek, and the Responses API): {"error":{"message","type","code"}}
//   Anthropic:             {"type":"error","error":{"type","message"}}
// Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

namespace ff::wire {

// The wire format a client (or the simulator's caller) speaks: OpenAI Chat
// Completions, Anthropic Messages, or the OpenAI Responses API (whose errors
// have the OpenAI shape).
enum class Protocol { kOpenAi, kAnthropic, kResponses };

// Anthropic's error type for an HTTP status, as its API documents them:
// 400 invalid_request_error, 401 authentication_error, 402 billing_error,
// 403 permission_error, 404 not_found_error, 413 request_too_large,
// 429 rate_limit_error, 503 and 529 overloaded_error, other 5xx api_error.
std::string_view anthropic_error_type(int status);

// The body of an error answer. `type` and `code` are OpenAI's
// (invalid_request_error, model_not_found …); the Anthropic shape carries the
// type its API gives `status` instead, and no code.
std::string error_body(Protocol protocol, int status, std::string_view message, std::string_view type,
                       std::string_view code);

}  // namespace ff::wire
