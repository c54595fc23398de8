// What the reasoning cache remembers, forgets and puts back.
#include "gateway/reasoning_cache.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "gateway/body_edit.h"
#include "wire/chat_view.h"

namespace ff::gateway {
namespace {

// A conversation in thinking mode whose assistant turn called tool `id` without its reasoning.
std::string conversation(const std::string& id, const std::string& model = "deepseek-v4-flash",
                         const std::string& extra = "") {
  return R"({"model":")" + model + R"(",)" + extra + R"("messages":[{"role":"user","content":"weather?"},)" +
         R"({"role":"assistant","content":null,"tool_calls":[{"id":")" + id +
         R"(","type":"function","function":{"name":"w","arguments":"{}"}}]},)" + R"({"role":"tool","tool_call_id":")" +
         id + R"(","content":"sunny"}]})";
}

int restore(const ReasoningCache& cache, std::string& body) {
  simdjson::dom::parser parser;
  const simdjson::dom::element root = parser.parse(body).value();
  BodyEdits edits(body);
  const int n = cache.restore(edits, wire::ChatView(root, wire::Protocol::kOpenAi));
  body = edits.apply();
  return n;
}

TEST(ReasoningCache, PutsTheReasoningBackIntoTheTurnThatCalledTheTool) {
  ReasoningCache cache;
  simdjson::dom::parser parser;
  const std::string answer =
      R"({"choices":[{"message":{"role":"assistant","reasoning_content":"I should look it up.",)"
      R"("tool_calls":[{"id":"call_1","type":"function","function":{"name":"w","arguments":"{}"}}]}}]})";
  cache.remember_answer(parser.parse(answer).value());
  EXPECT_EQ(cache.size(), 1u);

  std::string body = conversation("call_1");
  EXPECT_EQ(restore(cache, body), 1);
  // The assistant turn gains the field, as its last member; nothing else changes.
  EXPECT_EQ(body, R"({"model":"deepseek-v4-flash","messages":[{"role":"user","content":"weather?"},)"
                  R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",)"
                  R"("function":{"name":"w","arguments":"{}"}}],"reasoning_content":"I should look it up."},)"
                  R"({"role":"tool","tool_call_id":"call_1","content":"sunny"}]})");
  // Sent back again with the field, nothing is added.
  EXPECT_EQ(restore(cache, body), 0);
}

TEST(ReasoningCache, OnlyInThinkingModeAndOnlyForCallsItSaw) {
  ReasoningCache cache;
  cache.remember("call_1", "because");
  cache.remember("", "no id");   // ignored
  cache.remember("call_2", "");  // nothing to restore
  EXPECT_EQ(cache.size(), 1u);
  std::string unknown = conversation("call_9");
  EXPECT_EQ(restore(cache, unknown), 0);
  std::string chat_model = conversation("call_1", "deepseek-chat");
  EXPECT_EQ(restore(cache, chat_model), 0);
  std::string disabled = conversation("call_1", "deepseek-v4-flash", R"("thinking":{"type":"disabled"},)");
  EXPECT_EQ(restore(cache, disabled), 0);
  std::string enabled = conversation("call_1", "deepseek-v4-pro", R"("thinking":{"type":"enabled"},)");
  EXPECT_EQ(restore(cache, enabled), 1);
}

TEST(ReasoningCache, TheOldestIsForgottenPastTheCap) {
  ReasoningCache cache(2);
  cache.remember("a", "1");
  cache.remember("b", "2");
  cache.remember("a", "1 again");  // known already: no new place in the order
  cache.remember("c", "3");        // a goes
  EXPECT_EQ(cache.size(), 2u);
  std::string a = conversation("a"), b = conversation("b"), c = conversation("c");
  EXPECT_EQ(restore(cache, a), 0);
  EXPECT_EQ(restore(cache, b), 1);
  EXPECT_EQ(restore(cache, c), 1);
}

}  // namespace
}  // namespace ff::gateway
