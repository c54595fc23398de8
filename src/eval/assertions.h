// The checks of an answer: each assertion type of eval/suite.h, and a case's
// verdict from all of them.
//
//   equals, contains, icontains (ASCII case-folded), starts-with, contains-any,
//   contains-all, regex (ECMAScript): on the answer's text;
//   is-json: the whole text is JSON (and fits the schema, when one is given);
//   contains-json: the text holds a JSON object or array (that fits the schema);
//   is-valid-openai-tools-call: the answer calls tools the request defines, with
//     arguments that are JSON and fit each tool's parameter schema;
//   finish-reason: the answer's finish_reason is the value;
//   cost, latency: at most the threshold (USD, milliseconds);
//   python: code run by python3 as a subprocess (10 s, 512 MiB) with `output` and
//     `context` ({"vars": {}, "prompt", "test": {"description", "metadata"}}), the
//     way promptfoo passes them: a one-line expression, a body that returns, or
//     `file://path.py` defining get_assert(output, context). It returns a bool, a
//     score (passing at `threshold`, default 0.5) or {"pass", "score", "reason"};
//   llm-rubric: the judge (Pro, through the same upstream) grades the answer
//     against the rubric and returns pass, score and reason.
//
// A `not-` assertion passes where the check fails. A case passes when every
// assertion of non-zero weight passes; its score is their weighted mean.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/result.h"
#include "eval/suite.h"

namespace ff::eval {

struct Answer {
  std::string content;          // the message's text
  std::string finish_reason;
  std::string tool_calls_json;  // the `tool_calls` array as JSON text, "" when none
  core::Money cost;             // USD, exact
  double latency_ms = 0;
};

struct Verdict {
  bool pass = false;
  double score = 0;
  std::string reason;  // why it failed, or what the judge said
};

struct CheckContext {
  // Grades `answer` against `rubric` (llm-rubric); unset: such assertions fail
  // with a reason saying no judge is available.
  std::function<core::Result<Verdict>(const std::string& rubric, const Answer& answer, const Case& c)> judge;
  std::string python = "python3";
  std::string suite_dir;  // python file:// paths are relative to it
};

Verdict check(const Assertion& a, const Answer& answer, const Case& c, const CheckContext& ctx);

struct CaseVerdict {
  bool pass = false;
  double score = 0;
  std::vector<std::string> failures;  // "contains 'Paris': not found" …
};
CaseVerdict check_case(const Case& c, const Answer& answer, const CheckContext& ctx);

// Runs `argv` with `input` on its standard input; its standard output, or an
// error when it cannot start, exits non-zero (with its stderr's end) or runs
// longer than `timeout_ms` (killed).
core::Result<std::string> run_process(const std::vector<std::string>& argv, const std::string& input, int timeout_ms);

}  // namespace ff::eval
