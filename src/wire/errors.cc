#include "wire/errors.h"

#include "core/json_writer.h"

namespace ff::wire {

std::string_view anthropic_error_type(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

std::string error_body(Protocol protocol, int status, std::string_view message, std::string_view type,
                       std::string_view code) {
  core::JsonWriter w(true);
  if (protocol != Protocol::kAnthropic) {
    w.begin_object().key("error").begin_object();
    w.key("message").value(message).key("type").value(type).key("code").value(code);
  } else {
    w.begin_object().key("type").value("error").key("error").begin_object();
    w.key("type").value(anthropic_error_type(status)).key("message").value(message);
  }
  w.end_object().end_object();
  return w.str();
}

}  // namespace ff::wire
