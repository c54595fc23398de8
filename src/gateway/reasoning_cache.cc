#include "gateway/reasoning_cache.h"

#include <utility>
#include <vector>

#include <simdjson.h>

#include "core/json_writer.h"
#include "gateway/body_edit.h"

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

int ReasoningCache::restore(BodyEdits& body, const dom::element& root) const {
  std::string_view s;
  if (!root["thinking"]["type"].get_string().get(s) && s == "disabled") return 0;
  if (!root["model"].get_string().get(s) && s == "deepseek-chat") return 0;
  dom::array messages;
  if (root["messages"].get_array().get(messages)) return 0;
  std::vector<std::pair<std::size_t, const std::string*>> edits;
  std::size_t i = 0;
  for (dom::element m : messages) {
    std::string_view role, id;
    dom::array calls;
    dom::element existing;
    const bool has_reasoning = !m["reasoning_content"].get(existing) && !existing.is_null();
    if (!m["role"].get_string().get(role) && role == "assistant" && !has_reasoning &&
        !m["tool_calls"].get_array().get(calls) && calls.size() > 0 && !calls.at(0)["id"].get_string().get(id)) {
      auto it = of_call_.find(std::string(id));
      if (it != of_call_.end()) edits.emplace_back(i, &it->second);
    }
    ++i;
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
