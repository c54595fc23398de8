// API error bodies in each protocol's shape, as the gateway, the server and the
// simulator all send them.
#include "wire/errors.h"

#include <gtest/gtest.h>

namespace ff::wire {
namespace {

TEST(Errors, OpenAiShape) {
  EXPECT_EQ(error_body(Protocol::kOpenAi, 400, "model 'x' is \"unknown\"", "invalid_request_error", "model_not_found"),
            R"({"error":{"message":"model 'x' is \"unknown\"","type":"invalid_request_error","code":"model_not_found"}})");
}

TEST(Errors, AnthropicShapeTakesTheTypeOfTheStatus) {
  EXPECT_EQ(error_body(Protocol::kAnthropic, 429, "over budget", "rate_limit_error", "budget_exceeded"),
            R"({"type":"error","error":{"type":"rate_limit_error","message":"over budget"}})");
  // The OpenAI type is not Anthropic's: a 502 from the upstream is an api_error.
  EXPECT_EQ(error_body(Protocol::kAnthropic, 502, "upstream down", "upstream_error", "upstream_unavailable"),
            R"({"type":"error","error":{"type":"api_error","message":"upstream down"}})");
  const std::pair<int, const char*> types[] = {
      {400, "invalid_request_error"}, {401, "authentication_error"}, {402, "billing_error"},
      {403, "permission_error"},      {404, "not_found_error"},      {405, "invalid_request_error"},
      {413, "request_too_large"},     {422, "invalid_request_error"}, {429, "rate_limit_error"},
      {500, "api_error"},             {503, "overloaded_error"},     {504, "api_error"},
      {529, "overloaded_error"}};
  for (const auto& [status, type] : types) EXPECT_EQ(anthropic_error_type(status), type) << status;
}

}  // namespace
}  // namespace ff::wire
