// Request files as `flashfirst route` and `flashfirst simulate --requests` read
// them: one JSON request, or JSON Lines where each line is a bare request or
// {"id": ..., "request": {...}}; labelled lines ({"id", "category", "tier",
// "request"}) for evaluation.
//
// Parsing only: a line that cannot be used carries its error and line number,
// and the caller decides what to report. No state; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/usage.h"
#include "router/classifier.h"

namespace ff::router {

struct RequestLine {
  std::int64_t line = 0;
  std::string id;     // the id as JSON text ("\"q1\"", "17"), or empty
  std::string body;   // the request itself, as JSON text
  std::string error;  // why the line is unusable, or empty
  // Labels (labelled files only).
  std::optional<Category> category;
  std::optional<core::Tier> tier;

  // The id for messages: the id without quotes, or "line N".
  std::string display_id() const;
};

// Splits `text` into requests. Unlabelled: the whole text is one request if it
// parses as one JSON document (pretty-printed is fine), else JSON Lines.
// Labelled: JSON Lines, each with category and tier. Blank lines are skipped.
std::vector<RequestLine> parse_request_lines(std::string_view text, bool labelled);

}  // namespace ff::router
