// What an eval run says: per category and overall, each model's pass rate with
// its Wilson 95% interval, the paired difference with an exact McNemar test on
// the discordant cases, cost per passing answer, latency p50/p95, and a verdict:
//   "Flash holds"                 Flash fails no more often than Pro, or Pro's
//                                 lead is not significant and more cases would
//                                 not change that at these rates;
//   "Pro needed (p = …; …)"        Pro passes significantly more (p < 0.05);
//   "not enough cases: …"         Pro leads, not yet significantly.
// And the files it writes: a routing policy, quality priors, training outcomes.
// Pure; any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "eval/runner.h"
#include "eval/stats.h"
#include "eval/suite.h"

namespace ff::eval {

struct ModelStats {
  std::int64_t runs = 0, passed = 0, errors = 0;
  std::int64_t failures_in_form = 0;  // failures the cascade's check would see (cut, empty, invalid JSON, tools)
  Interval ci;
  core::Money cost;  // of the runs that were not errors
  std::vector<double> latencies_ms;
  double pass_rate() const { return runs ? static_cast<double>(passed) / static_cast<double>(runs) : 0; }
};

struct GroupStats {
  std::string category;  // "overall" for all
  std::int64_t cases = 0;
  std::array<ModelStats, 2> model;  // Flash, Pro
  std::int64_t pairs = 0, only_flash = 0, only_pro = 0;  // pairs where both answered; discordant ones
  double p = 1;
  std::optional<std::int64_t> more_pairs;  // to decide, when not yet decided
  std::string verdict;
  bool pro_needed = false;
};

struct Report {
  std::vector<GroupStats> categories;  // sorted by name
  GroupStats overall;
  int repeat = 1;
  std::int64_t judge_calls = 0;
  core::Money judge_cost;
  std::int64_t resumed = 0;
};

Report summarize(const Suite& suite, const RunResult& run, int repeat);

std::string report_text(const Suite& suite, const RunResult& run, const Report& r, bool per_case);
std::string report_json(const Suite& suite, const RunResult& run, const Report& r);
std::string report_html(const Suite& suite, const RunResult& run, const Report& r);

// A routing policy (data/routing.toml's format): a category goes to Pro only
// where Pro is significantly better and Flash's extra failures, at
// `failure_cost` each, cost more than Pro's extra price; categories the router
// does not know are listed in comments.
std::string policy_toml(const Report& r, core::Money failure_cost);
// Failure priors (data/quality.toml's format) as measured, with the `[effort]`
// multipliers of `effort_source` (the priors in use).
std::string quality_toml(const Report& r, const std::string& suite_path);
// One line per case for `flashfirst route train`: {id, request, category,
// flash_ok, pro_ok, flash_score, pro_score}, the scores the share of passing
// repeats; cases where a model never answered are left out.
std::string outcomes_jsonl(const Suite& suite, const RunResult& run);

}  // namespace ff::eval
