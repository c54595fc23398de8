// Running a suite: both models answer every case `repeat` times, each call
// costed exactly, every answer checked; llm-rubric assertions are graded by a
// judge call to Pro through the same upstream, costed apart.
//
// Calls go straight to an upstream (the DeepSeek API or the simulator) or
// through a running gateway with the tier pinned (x-flashfirst-tier). Each
// finished call is appended to a journal, so an interrupted run resumes where it
// stopped; a call that errors (transport, HTTP status, unreadable answer) after
// two retries is marked as an error and left out of the rates.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/result.h"
#include "eval/assertions.h"
#include "eval/suite.h"

namespace ff::pricing {
class PriceBook;
}

namespace ff::eval {

struct RunOptions {
  std::string base_url;  // the upstream, or the gateway with `via_gateway`
  std::string api_key;
  bool via_gateway = false;
  bool send_metadata = false;  // the simulator only: metadata.category and expected_answer
  std::array<std::string, 2> models = {"flash", "pro"};  // what stands for Flash and for Pro
  int repeat = 1;
  int concurrency = 4;
  std::string journal;  // "" for none
  // What the calls go to, as a journal must match it to be resumed (default:
  // base_url; the in-process simulator's port changes from run to run).
  std::string upstream_name;
  std::string ca_file;
  std::string python = "python3";
  std::string suite_dir;
};

struct CallResult {
  bool error = false;
  std::string error_message;
  Answer answer;
  std::string form_failure;  // why the cascade's check would reject the answer, or ""
  CaseVerdict verdict;       // when not an error
};

struct RunResult {
  // [case][model 0 = Flash, 1 = Pro][repeat]
  std::vector<std::array<std::vector<CallResult>, 2>> calls;
  std::int64_t resumed = 0;  // calls taken from the journal
  std::int64_t judge_calls = 0;
  core::Money judge_cost;
};

// `progress(done, total)` after each call.
core::Result<RunResult> run_suite(const Suite& suite, const RunOptions& options, const pricing::PriceBook& book,
                                  const std::function<void(std::int64_t, std::int64_t)>& progress = {});

// The body sent for a case: its request with `model` set (and `metadata` for the simulator).
std::string request_body(const Case& c, const std::string& model, bool send_metadata);

}  // namespace ff::eval
