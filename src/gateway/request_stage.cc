#include "gateway/request_stage.h"

#include <fmt/format.h>

#include "gateway/body_edit.h"
#include "wire/responses.h"

namespace ff::gateway {

namespace dom = simdjson::dom;

std::variant<ChatRequest, RequestRefusal> read_chat_request(const std::string& body, std::string_view tier_header,
                                                            wire::Protocol protocol) {
  thread_local dom::parser parser;
  thread_local dom::parser chat_parser;
  auto refuse = [](std::string message, std::string code = "invalid_request") {
    return RequestRefusal{std::move(message), std::move(code)};
  };
  ChatRequest q;
  if (auto err = parser.parse(body).get(q.root)) {
    return refuse(fmt::format("the request body is not valid JSON: {}", simdjson::error_message(err)));
  }
  if (q.root.type() != dom::element_type::OBJECT) return refuse("the request body must be a JSON object");
  if (const auto twice = repeated_member(q.root)) {
    return refuse(fmt::format("the request names `{}` twice; send each member once", *twice));
  }
  dom::element el;
  if (!q.root["model"].get(el)) {
    std::string_view model;
    if (el.get_string().get(model)) return refuse("`model` must be a string");
    q.requested = model;
  }
  if (!q.root["stream"].get(el) && !el.is_null() && el.get_bool().get(q.stream)) {
    return refuse("`stream` must be a boolean");
  }
  if (!tier_header.empty() && tier_header != "pro" && tier_header != "flash") {
    return refuse(fmt::format("x-flashfirst-tier must be pro or flash, got '{}'", tier_header), "invalid_tier");
  }
  q.tier_header = tier_header;
  dom::element chat = q.root;
  if (protocol == wire::Protocol::kResponses) {
    auto converted = wire::responses_as_chat(q.root);
    if (!converted.ok()) return refuse(converted.error().message);
    q.chat_form = std::move(*converted);
    if (chat_parser.parse(q.chat_form).get(chat)) {
      return refuse("the request could not be read as a chat request");  // not expected
    }
  }
  q.view = wire::ChatView(chat, protocol);
  // The client's own request, in any protocol (a Responses request's view reads its chat form).
  q.max_tokens = protocol == wire::Protocol::kResponses ? wire::output_cap(q.root) : q.view.output_cap();
  return q;
}

}  // namespace ff::gateway
