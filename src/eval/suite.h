// Eval suites: the cases `flashfirst eval` asks both models, and the checks of
// their answers.
//
// Two formats:
//   - promptfoo's config (YAML), where it overlaps: `prompts` (strings with
//     {{var}} placeholders), `tests` (each with `vars`, `assert`, `description`,
//     `metadata`), `defaultTest` (its `vars`, `assert` and `metadata` go into every
//     test), `description` and `providers` (ignored: the models are flash and pro).
//     Each test makes one case per prompt. A rendered prompt that is a JSON array
//     of messages is sent as those messages, otherwise as one user message.
//   - JSON Lines: one case per line, {"id", "description", "request": {chat
//     request}, "assert": [...], "metadata": {"category", "expected_answer"}}.
//
// An assertion: {"type", "value", "threshold", "weight", "metric"}; a type
// prefixed "not-" inverts the check where that makes sense. Unknown fields and
// types are errors naming file:line. Pure; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ff::eval {

struct Assertion {
  std::string type;  // without "not-"
  bool negate = false;
  // The value: a string (equals, contains, regex, python code or file, rubric…),
  // the strings of contains-any/contains-all, or JSON text (a schema for
  // is-json/contains-json, a number for cost/latency).
  std::string value;
  std::vector<std::string> values;
  bool has_value = false;
  std::optional<double> threshold;
  double weight = 1;
  std::string metric;
  int line = 0;
  std::string source;  // "file:line", for messages
};

struct Case {
  std::string id;
  std::string description;
  std::string category;         // metadata.category: the report groups by it
  std::string expected_answer;  // metadata.expected_answer, for the simulator only
  std::string request;          // a chat request (JSON text) without `model`
  std::string prompt_text;      // the last user message, for python and llm-rubric
  std::string vars_json = "{}";  // the test's vars (promptfoo), as python's context.vars
  std::vector<Assertion> asserts;
  std::string source;  // "file:line"
};

struct Suite {
  std::string path;
  std::string description;
  std::vector<Case> cases;
};

// The assertion types understood (without "not-").
const std::vector<std::string_view>& assertion_types();

core::Result<Suite> load_suite(const std::string& path);
// By content: JSON Lines when the first non-blank character is '{', else YAML.
core::Result<Suite> parse_suite(const std::string& path, std::string_view text);

}  // namespace ff::eval
