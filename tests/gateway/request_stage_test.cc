// What the gateway reads from a chat request before routing it, and what it refuses.
#include "gateway/request_stage.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace ff::gateway {
namespace {

using wire::Protocol;

// The refusal's "code: message", or "ok".
std::string refusal(const std::string& body, std::string_view tier = "", Protocol p = Protocol::kOpenAi) {
  auto read = read_chat_request(body, tier, p);
  if (const auto* no = std::get_if<RequestRefusal>(&read)) return no->code + ": " + no->message;
  return "ok";
}

TEST(RequestStage, ReadsTheEnvelopeOnce) {
  const std::string body =
      R"({"model":"flash","stream":true,"max_tokens":300,"max_completion_tokens":500,"messages":[{"role":"user","content":"hi"}]})";
  auto read = read_chat_request(body, "pro", Protocol::kOpenAi);
  ASSERT_TRUE(std::holds_alternative<ChatRequest>(read));
  const ChatRequest& q = std::get<ChatRequest>(read);
  EXPECT_EQ(q.requested, "flash");
  EXPECT_TRUE(q.stream);
  EXPECT_EQ(q.tier_header, "pro");
  EXPECT_EQ(q.max_tokens, 500);  // the last named
  EXPECT_TRUE(q.chat_form.empty());
  ASSERT_EQ(q.view.messages().size(), 1u);
  EXPECT_EQ(q.view.messages()[0].text, "hi");

  // Nothing named: auto, not a stream, no cap; `stream: null` is not a stream.
  const std::string bare = R"({"stream":null,"max_tokens":0,"messages":[]})";
  auto plain = read_chat_request(bare, "", Protocol::kAnthropic);
  ASSERT_TRUE(std::holds_alternative<ChatRequest>(plain));
  EXPECT_EQ(std::get<ChatRequest>(plain).requested, "auto");
  EXPECT_FALSE(std::get<ChatRequest>(plain).stream);
  EXPECT_EQ(std::get<ChatRequest>(plain).max_tokens, 0);
}

TEST(RequestStage, EachFaultIsRefusedSayingWhatToFix) {
  // simdjson's own words follow the prefix.
  EXPECT_EQ(refusal("{\"model\":").rfind("invalid_request: the request body is not valid JSON: ", 0), 0u);
  EXPECT_EQ(refusal("[1,2]"), "invalid_request: the request body must be a JSON object");
  EXPECT_EQ(refusal(R"({"model":"flash","messages":[],"model":"pro"})"),
            "invalid_request: the request names `model` twice; send each member once");
  EXPECT_EQ(refusal(R"({"model":7,"messages":[]})"), "invalid_request: `model` must be a string");
  EXPECT_EQ(refusal(R"({"model":null,"messages":[]})"), "invalid_request: `model` must be a string");
  EXPECT_EQ(refusal(R"({"stream":"yes","messages":[]})"), "invalid_request: `stream` must be a boolean");
  EXPECT_EQ(refusal(R"({"messages":[]})", "max"), "invalid_tier: x-flashfirst-tier must be pro or flash, got 'max'");
  // The first fault found is the one reported: the body before the header.
  EXPECT_EQ(refusal(R"({"model":1})", "max"), "invalid_request: `model` must be a string");
}

TEST(RequestStage, AResponsesRequestIsRoutedAsItsChatForm) {
  const std::string body = R"({"model":"auto","input":"Translate to French: good night","max_output_tokens":64})";
  auto read = read_chat_request(body, "", Protocol::kResponses);
  ASSERT_TRUE(std::holds_alternative<ChatRequest>(read));
  const ChatRequest& q = std::get<ChatRequest>(read);
  EXPECT_EQ(q.max_tokens, 64);
  EXPECT_FALSE(q.chat_form.empty());
  ASSERT_EQ(q.view.messages().size(), 1u);
  EXPECT_EQ(q.view.messages()[0].role, "user");
  EXPECT_EQ(q.view.messages()[0].text, "Translate to French: good night");
  EXPECT_TRUE(q.view.capped());  // max_output_tokens, as the chat form's max_tokens
  EXPECT_EQ(q.view.max_tokens(), 64);
  // The client's own request stays readable beside it.
  std::string_view input;
  ASSERT_FALSE(q.root["input"].get_string().get(input));
  EXPECT_EQ(input, "Translate to French: good night");
  EXPECT_EQ(refusal(R"({"model":"auto"})", "", Protocol::kResponses).rfind("invalid_request: ", 0), 0u);
}

}  // namespace
}  // namespace ff::gateway
