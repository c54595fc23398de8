// The reasoning cache: DeepSeek's thinking mode requires an assistant turn
// that made tool calls to be sent back with its `reasoning_content`, and most
// clients drop that field. The gateway remembers the reasoning behind each tool
// call the upstream made (whole answers and streams), by tool call id, and puts
// it back into a conversation that arrives without it.
//
// Bounded: past `cap` calls the oldest is forgotten. Not thread-safe: the
// gateway keeps it on its server thread.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace simdjson::dom {
class element;
}
namespace ff::wire {
class ChatView;
}

namespace ff::gateway {

class BodyEdits;

class ReasoningCache {
 public:
  static constexpr std::size_t kDefaultCap = 100'000;
  explicit ReasoningCache(std::size_t cap = kDefaultCap) : cap_(cap) {}

  // The reasoning behind tool call `call_id` (nothing for an empty id or text).
  void remember(const std::string& call_id, std::string_view reasoning);
  // The reasoning of a chat completion's tool calls, from its parsed body.
  void remember_answer(const simdjson::dom::element& answer);
  // Puts the reasoning back into every assistant tool-call turn of `request`
  // (the body's view) that lacks it and whose first call is remembered, as an
  // edit of `body`; thinking mode only (not `deepseek-chat`, nor `thinking`
  // disabled), where the API requires it. Returns how many turns.
  int restore(BodyEdits& body, const wire::ChatView& request) const;

  std::size_t size() const { return of_call_.size(); }

 private:
  std::size_t cap_;
  std::unordered_map<std::string, std::string> of_call_;
  std::deque<std::string> order_;  // oldest first
};

}  // namespace ff::gateway
