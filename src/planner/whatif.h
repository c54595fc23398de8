// What-if simulation of routing policies over a workload: all-Flash, all-Pro,
// routed by task category (no check), Flash-first cascade (everything to Flash,
// checked), and what `flashfirst serve` does by default (routed, with the Flash
// categories' answers checked). For each: the expected monthly cost, failure
// rate, the part of it no check can see, Pro share, escalation rate and latency,
// from the price book and the per-(tier, category) quality priors
// (data/quality.toml). Pure computation.
//
// Model: a category's share of the mix is its share of requests and of tokens. A
// failure shows in the answer's form with the category's checkable share; only
// such a Flash failure is caught by the check and escalated, paying for the
// wasted Flash call and then for Pro (at the same cache-hit rate). An escalated
// answer fails when Pro fails too; a failure in good form passes the check and
// stands. Expected tokens are rounded to whole tokens, then priced exactly.
#pragma once

#include <string>
#include <vector>

#include "core/money.h"
#include "core/result.h"
#include "planner/advisor.h"
#include "pricing/price_book.h"
#include "sim/quality_model.h"
#include "router/request_lines.h"

namespace ff::router {
class Router;
class OutcomeModel;
}

namespace ff::planner {

struct PolicyOutcome {
  std::string policy;  // all_flash | all_pro | routed | cascade | serve
  core::Money monthly_cost;
  double failure_rate = 0;
  double unseen_failure_rate = 0;  // of failure_rate: wrong answers in good form, which no check sees
  double pro_share = 0;            // requests answered by Pro
  double escalation_rate = 0;      // requests sent to Flash, then to Pro
  double latency_seconds = 0;      // expected per request
  bool pareto = false;             // no other policy is both cheaper and better
};

// A learned routing model (router/outcome_model.h) at one threshold: the share of
// each category's requests whose P(Pro needed) reaches it. Those go to Pro; the
// rest to Flash, checked as `serve` checks them.
struct LearnedPolicy {
  double threshold = 0.5;
  std::map<std::string, double> pro_share;  // category -> share of its requests
};

struct WhatIfOptions {
  std::vector<LearnedPolicy> learned;  // one policy "learned@T" each
  std::string effort = "high";                                 // low | high | max | none (non-thinking)
  std::int64_t output_tokens_per_request = 500;                // for latency, when requests are not known
  double flash_first_token_s = 0.35, flash_tokens_per_s = 90;  // the simulator's defaults
  double pro_first_token_s = 0.9, pro_tokens_per_s = 35;
};

core::Result<std::vector<PolicyOutcome>> simulate_policies(const WorkloadProfile& profile,
                                                           const pricing::PriceBook& book,
                                                           const sim::QualityModel& quality, core::Timestamp at,
                                                           const std::string& currency, const WhatIfOptions& options);

// A sample of real requests, classified by the router: the workload's mix and
// input size come from it.
struct RequestSample {
  std::int64_t requests = 0;
  std::vector<std::string> skipped;                // "line N: why" for each unusable line
  std::int64_t input_tokens = 0;                   // summed, as the router's tokenizer counts them
  std::map<std::string, std::int64_t> categories;  // category -> requests
  std::int64_t routed_to_pro = 0;
  // With a learned model: each request's P(Pro needed), by its category.
  std::map<std::string, std::vector<double>> p_pro;
};
RequestSample classify_requests(const std::vector<router::RequestLine>& lines, const router::Router& router,
                                const router::OutcomeModel* learned = nullptr);
// The learned policy at `threshold` over a sample classified with a model.
LearnedPolicy learned_policy(const RequestSample& sample, double threshold);

// The profile for `requests_per_month` requests like the sample's, each with
// `output_per_request` output tokens: the mix is the sample's category shares,
// input tokens scale with the sample's average. Precondition: sample.requests > 0.
WorkloadProfile profile_from_sample(const RequestSample& sample, std::int64_t requests_per_month,
                                    std::int64_t output_per_request);

std::string whatif_text(const std::vector<PolicyOutcome>& outcomes, const std::string& currency, core::Timestamp at);
std::string whatif_json(const std::vector<PolicyOutcome>& outcomes, const std::string& currency, core::Timestamp at);
std::string whatif_html(const std::vector<PolicyOutcome>& outcomes, const std::string& currency, core::Timestamp at);

}  // namespace ff::planner
