#include "gateway/stream_meter.h"

#include <simdjson.h>

#include "gateway/body_edit.h"
#include "wire/responses.h"
#include "wire/sse.h"
#include "wire/usage.h"

namespace ff::gateway {

namespace dom = simdjson::dom;

namespace {

std::string_view value_of(std::string_view event, std::string_view field) {
  const auto v = wire::sse_field(event, field);
  return v ? event.substr(v->offset, v->length) : std::string_view();
}

}  // namespace

StreamMeter::Read StreamMeter::read(std::string_view event) {
  // The event's data line (OpenAI events are one; Anthropic's start with "event: ...").
  const std::string_view data = value_of(event, "data");
  if (data.empty() || data == "[DONE]") return Read::kPassed;  // comments, keep-alives, the end
  thread_local dom::parser parser;
  dom::element root;
  if (parser.parse(data.data(), data.size()).get(root)) return Read::kPassed;  // malformed: passed on as is
  std::string_view type, text;
  if (protocol_ == wire::Protocol::kAnthropic) {
    if (root["type"].get_string().get(type)) return Read::kPassed;
    if (type == "message_start") {
      dom::element m;
      if (!root["message"].get(m)) {
        if (auto u = wire::read_usage(m); u.status == wire::UsageRead::Status::kOk) anthropic_input_ = u.usage;
      }
      return Read::kPassed;
    }
    if (!root["delta"]["text"].get_string().get(text)) estimate(text);
    if (!root["delta"]["thinking"].get_string().get(text)) estimate(text);
    std::int64_t output = 0;
    if (type != "message_delta" || root["usage"]["output_tokens"].get_int64().get(output)) return Read::kPassed;
    usage_ = anthropic_input_;
    usage_.output = output;
    has_usage_ = true;
    return Read::kUsage;
  }
  // The element whose `usage` an OpenAI-shaped event carries: the chunk's own,
  // or on the Responses API the response its end event carries.
  dom::element usage_holder = root;
  if (protocol_ == wire::Protocol::kResponses) {
    if (root["type"].get_string().get(type)) return Read::kPassed;
    if (type == "response.output_text.delta" || type == "response.reasoning_text.delta" ||
        type == "response.reasoning_summary_text.delta" || type == "response.function_call_arguments.delta") {
      if (!root["delta"].get_string().get(text)) estimate(text);
      return Read::kPassed;
    }
    if (!wire::ends_response_stream(type)) return Read::kPassed;
    response_ended_ = true;
    if (root["response"].get(usage_holder)) return Read::kPassed;
  }
  dom::array choices;
  if (!root["choices"].get_array().get(choices)) {
    for (dom::element c : choices) {
      if (!c["delta"]["content"].get_string().get(text)) estimate(text);
      if (!c["delta"]["reasoning_content"].get_string().get(text)) {
        estimate(text);
        if (reasoning_.size() < (1u << 20)) reasoning_ += text;
      }
      dom::array calls;
      if (!c["delta"]["tool_calls"].get_array().get(calls)) {
        for (dom::element call : calls) {
          std::string_view id;
          if (!call["id"].get_string().get(id) && !id.empty()) tool_call_ids_.emplace_back(id);
        }
      }
    }
  }
  const wire::UsageRead u = wire::read_usage(usage_holder);
  if (u.status == wire::UsageRead::Status::kAbsent) return Read::kPassed;
  if (u.status == wire::UsageRead::Status::kInvalid) {
    invalid_usage_ = u.why;
    return Read::kInvalidUsage;
  }
  usage_ = u.usage;
  has_usage_ = true;
  return Read::kUsage;
}

bool StreamMeter::ended(std::string_view event) const {
  return response_ended_ || value_of(event, "data") == "[DONE]" || value_of(event, "event") == "message_stop";
}

std::string with_figures(std::string_view event, std::string_view figures) {
  const auto field = wire::sse_field(event, "data");
  if (!field) return std::string(event);
  const std::string_view data = event.substr(field->offset, field->length);
  std::string out(event.substr(0, field->offset));
  out += set_member(data, "flashfirst", figures);
  out += event.substr(field->offset + field->length);
  return out;
}

}  // namespace ff::gateway
