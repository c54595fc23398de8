#include "gateway/feedback.h"

#include <cmath>

#include <fmt/format.h>
#include <simdjson.h>

namespace ff::gateway {

namespace dom = simdjson::dom;

core::Result<ledger::Feedback> parse_feedback(std::string_view body) {
  thread_local dom::parser parser;
  dom::element root;
  if (auto err = parser.parse(body.data(), body.size()).get(root)) {
    return core::make_error(fmt::format("the body is not valid JSON: {}", simdjson::error_message(err)));
  }
  dom::object fields;
  if (root.get_object().get(fields)) {
    return core::make_error("the body must be a JSON object {\"request_id\", \"metric\", \"value\", \"comment\"}");
  }
  ledger::Feedback f;
  bool has_id = false, has_metric = false, has_value = false;
  for (auto [key, value] : fields) {
    if (key == "request_id" || key == "metric" || key == "comment") {
      std::string_view s;
      if (value.get_string().get(s)) return core::make_error(fmt::format("`{}` must be a string", key));
      if (key == "request_id") {
        if (s.empty() || s.size() > 128) return core::make_error("`request_id` must be 1 to 128 characters");
        f.request_id = std::string(s);
        has_id = true;
      } else if (key == "metric") {
        if (s.empty() || s.size() > 64) return core::make_error("`metric` must be 1 to 64 characters");
        f.metric = std::string(s);
        has_metric = true;
      } else {
        if (s.size() > 4096) return core::make_error("`comment` must be at most 4096 bytes");
        f.comment = std::string(s);
      }
    } else if (key == "value") {
      has_value = true;
      if (value.is_bool()) {
        f.value_is_bool = true;
        f.value = value.get_bool().value() ? 1 : 0;
      } else if (value.is_number()) {
        f.value = value.get_double().value();
        if (!std::isfinite(f.value)) return core::make_error("`value` must be a finite number");
      } else {
        return core::make_error("`value` must be true, false or a number");
      }
    } else {
      return core::make_error(
          fmt::format("unknown field `{}` (a rating has request_id, metric, value and comment)", key));
    }
  }
  if (!has_id) return core::make_error("missing `request_id` (the x-flashfirst-request-id of the answer rated)");
  if (!has_metric) return core::make_error("missing `metric` (what is rated, e.g. \"correct\")");
  if (!has_value) return core::make_error("missing `value` (true, false or a number)");
  return f;
}

}  // namespace ff::gateway
