// The simulator's request readers (sim::parse_openai, parse_anthropic and
// parse_responses, which read the messages and tools through a wire::ChatView)
// on any body; the first byte picks the reader. Never a crash, and:
//   - an error is a 400 or a 422 with a message;
//   - a request read has a turn, a cap from 1 to 393,216, tool names that are
//     valid and a named tool_choice that names one of them;
//   - read as Chat Completions, every message but a system one is one turn, in
//     order, its role the message's own (counted here from the parse, not the view).
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <simdjson.h>

#include "fuzz_check.h"
#include "sim/chat_request.h"

namespace {

using ff::sim::ApiError;
using ff::sim::ChatRequest;
using ff::sim::Turn;

void check_openai_turns(std::string_view body, const ChatRequest& r) {
  simdjson::dom::parser parser;
  simdjson::dom::array messages;
  FF_FUZZ_CHECK(!parser.parse(body.data(), body.size())["messages"].get_array().get(messages),
                "read without a messages array");
  std::size_t turn = 0;
  for (simdjson::dom::element m : messages) {
    std::string_view role;
    FF_FUZZ_CHECK(!m["role"].get_string().get(role), "a message without a role was read");
    if (role == "system") continue;
    FF_FUZZ_CHECK(turn < r.turns.size(), "%zu turns for more messages", r.turns.size());
    const Turn::Role want = role == "user"        ? Turn::Role::kUser
                            : role == "assistant" ? Turn::Role::kAssistant
                                                  : Turn::Role::kTool;
    FF_FUZZ_CHECK(r.turns[turn].role == want, "turn %zu has another role than its message", turn);
    ++turn;
  }
  FF_FUZZ_CHECK(turn == r.turns.size(), "%zu turns for %zu messages", r.turns.size(), turn);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const int reader = data[0] % 3;
  const ff::sim::ParseResult result = reader == 0   ? ff::sim::parse_openai(body)
                                      : reader == 1 ? ff::sim::parse_anthropic(body)
                                                    : ff::sim::parse_responses(body);
  if (const auto* error = std::get_if<ApiError>(&result)) {
    FF_FUZZ_CHECK(error->status == 400 || error->status == 422, "status %d", error->status);
    FF_FUZZ_CHECK(!error->message.empty(), "an error without a message");
    return 0;
  }
  const ChatRequest& r = std::get<ChatRequest>(result);
  FF_FUZZ_CHECK(!r.turns.empty(), "a request without turns");
  FF_FUZZ_CHECK(r.max_tokens >= 1 && r.max_tokens <= 393'216, "max_tokens %lld", static_cast<long long>(r.max_tokens));
  bool named_found = r.tool_choice != "named";
  for (const ff::sim::ToolDef& t : r.tools) {
    FF_FUZZ_CHECK(!t.name.empty() && t.name.size() <= 64, "tool name '%s'", t.name.c_str());
    if (t.name == r.forced_tool) named_found = true;
  }
  FF_FUZZ_CHECK(named_found, "tool_choice names '%s', not in tools", r.forced_tool.c_str());
  if (reader == 0) check_openai_turns(body, r);
  return 0;
}
