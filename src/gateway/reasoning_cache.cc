#include "gateway/reasoning_cache.h"

#include <utility>
#include <vector>

#include <simdjson.h>

#include "core/json_writer.h"
#include "gateway/body_edit.h"
#include "wire/chat_view.h"

namespace ff::gateway {

namespace dom = simdjson::dom;

void ReasoningCache::remember(const std::string& call_id, std::string_view reasoning) {
  if (call_id.empty() || reasoning.empty()) return;
  auto [it, added] = of_call_.insert_or_assign(call_id, std::string(reasoning));
  if (!added) return;
  order_.push_back(call_id);
  if (order_.size() > cap_) {
    of_call_.erase(order_.front());
    order_.pop_front();
  }
}

void ReasoningCache::remember_answer(const dom::element& answer) {
  dom::array choices;
  if (answer["choices"].get_array().get(choices)) return;
  for (dom::element c : choices) {
    std::string_view reasoning;
    dom::array calls;
    dom::element message;
    if (c["message"].get(message) || message["tool_calls"].get_array().get(calls) ||
        message["reasoning_content"].get_string().get(reasoning)) {
      continue;
    }
    for (dom::element call : calls) {
      std::string_view id;
      if (!call["id"].get_string().get(id)) remember(std::string(id), reasoning);
    }
  }
}

int ReasoningCache::restore(BodyEdits& body, const wire::ChatView& request) const {
  if (request.thinking_type() == "disabled" || request.model() == "deepseek-chat") return 0;
  std::vector<std::pair<std::size_t, const std::string*>> edits;
  for (const wire::MessageView& m : request.messages()) {
    if (m.role != "assistant" || m.has_reasoning || m.call_count == 0) continue;
    const wire::ToolCallView& first = request.call(m.first_call);
    if (!first.has_id) continue;
    auto it = of_call_.find(std::string(first.id));
    if (it != of_call_.end()) edits.emplace_back(m.index, &it->second);
  }
  if (edits.empty()) return 0;
  auto span = body.find("messages");
  if (!span) return 0;
  int restored = 0;
  const std::string_view array = body.body().substr(span->offset, span->length);
  const std::vector<Span> elements = array_elements(array);
  for (const auto& [e, reasoning] : edits) {
    if (e >= elements.size()) continue;
    std::string value;
    core::append_json_string(value, *reasoning);
    const Span element{span->offset + elements[e].offset, elements[e].length};
    body.replace(element, set_member(array.substr(elements[e].offset, elements[e].length), "reasoning_content", value));
    ++restored;
  }
  return restored;
}

}  // namespace ff::gateway
