#include <fstream>
#include <memory>
#include <optional>
#include <tuple>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/profile_options.h"
#include "core/json_writer.h"
#include "planner/whatif.h"
#include "sim/quality_model.h"
#include "ledger/ledger.h"
#include "router/outcome_model.h"
#include "router/request_lines.h"
#include "router/router.h"
#include "tokenizer/tokenizer.h"

namespace ff::cli {

namespace {

struct SimulateArgs {
  BookOptions book;
  ProfileArgs profile;
  std::string at;
  std::string currency = "USD";
  std::string effort = "high";
  std::string quality;
  std::string html;
  bool json = false;
  std::string requests;            // a JSONL of real requests: the mix comes from the router
  std::string policy;              // routing policy for --requests
  std::string requests_per_month;  // empty: the sample is one month
  std::string model;               // a learned model: its policies at `thresholds`
  std::vector<double> thresholds = {0.3, 0.5, 0.7};
  std::int64_t output_per_request = 500;
};

// Whether --requests names a gateway ledger (a PostgreSQL URL or an SQLite file)
// rather than a file of requests.
bool is_ledger(const std::string& spec) {
  if (ledger::is_postgres_url(spec)) return true;
  std::ifstream in(spec, std::ios::binary);
  char magic[16] = {};
  return in.read(magic, sizeof magic) && std::string_view(magic, sizeof magic) == std::string_view("SQLite format 3\0", 16);
}

// The workload of --requests: the sample's mix and input size, with the
// volume flags that were given taking precedence.
core::Result<planner::WorkloadProfile> profile_from_requests(const SimulateArgs& a, const CLI::App& cmd,
                                                             planner::RequestSample& sample) {
  for (const char* flag : {"--profile", "--mix", "--measure"}) {
    if (cmd.count(flag) > 0) return core::make_error(fmt::format("--requests gives the task mix; drop {}", flag));
  }
  auto policy = a.policy.empty() ? router::Policy::embedded() : router::Policy::load_file(a.policy);
  if (!policy.ok()) return policy.error();
  std::vector<router::RequestLine> lines;
  if (is_ledger(a.requests)) {
    // A gateway's ledger: the requests it recorded (serve --record-requests).
    auto bodies = ledger::read_ledger_requests(a.requests);
    if (!bodies.ok()) return bodies.error();
    if (bodies->empty()) {
      return core::make_error(fmt::format(
          "{}: the ledger holds no recorded requests (serve with --record-requests to keep them)", a.requests));
    }
    std::int64_t n = 0;
    for (auto& [id, body] : *bodies) {
      router::RequestLine line;
      line.line = ++n;
      line.id = "\"" + id + "\"";
      line.body = std::move(body);
      lines.push_back(std::move(line));
    }
  } else {
    auto text = read_input(a.requests);
    if (!text.ok()) return text.error();
    lines = router::parse_request_lines(*text, false);
  }
  std::optional<router::OutcomeModel> learned;
  if (!a.model.empty()) {
    auto m = router::OutcomeModel::load_file(a.model);
    if (!m.ok()) return m.error();
    learned = std::move(*m);
  }
  // Exact token counts: this is offline, and the volume is priced.
  router::Router r(std::move(*policy), std::shared_ptr<const tokenizer::Tokenizer>(&tokenizer::BpeTokenizer::deepseek(),
                                                                                   [](const auto*) {}));
  sample = planner::classify_requests(lines, r, learned ? &*learned : nullptr);
  if (sample.requests == 0) return core::make_error(fmt::format("{}: no readable requests", a.requests));
  if (a.output_per_request < 0) return core::make_error("--output-per-request must not be negative");
  std::int64_t per_month = sample.requests;
  if (!a.requests_per_month.empty()) {
    auto n = parse_token_count(a.requests_per_month);
    if (!n.ok() || *n <= 0) return core::make_error("--requests-per-month must be a positive count such as 250k or 2M");
    per_month = *n;
  }
  planner::WorkloadProfile p = planner::profile_from_sample(sample, per_month, a.output_per_request);
  for (auto [flag, text, out] : {std::tuple{"--output-tokens", &a.profile.output_tokens, &p.output_tokens_per_month},
                                 std::tuple{"--input-tokens", &a.profile.input_tokens, &p.input_tokens_per_month}}) {
    if (text->empty()) continue;
    auto n = parse_token_count(*text);
    if (!n.ok()) return core::make_error(fmt::format("{}: {}", flag, n.error().message));
    *out = *n;
  }
  if (!a.profile.cache_hit_rate.empty()) {
    auto rate = parse_rate(a.profile.cache_hit_rate, "--cache-hit-rate");
    if (!rate.ok()) return rate.error();
    p.cache_hit_rate = rate->to_double();
  }
  auto access = planner::parse_access(a.profile.access);
  if (!access) return core::make_error("--access must be api or subscription");
  p.access = *access;
  return p;
}

std::string sample_text(const SimulateArgs& a, const planner::RequestSample& s, const planner::WorkloadProfile& p) {
  std::string out = fmt::format("Workload: {} requests from {}, classified by the router ({} to Pro):\n", s.requests,
                                a.requests, s.routed_to_pro);
  for (const auto& [category, n] : s.categories) {
    out += fmt::format("  {:<22} {:>6}  {:>5.1f}%\n", category, n, 100.0 * n / s.requests);
  }
  out += fmt::format("Per month: {} input and {} output tokens ({} input tokens per request on average)\n",
                     p.input_tokens_per_month, p.output_tokens_per_month, s.input_tokens / s.requests);
  for (const std::string& skip : s.skipped) out += "  skipped " + skip + "\n";
  return out + "\n";
}

// The sample as a JSON member, to put at the start of the simulation's object.
std::string sample_json(const SimulateArgs& a, const planner::RequestSample& s, const planner::WorkloadProfile& p) {
  core::JsonWriter w(true);
  w.begin_object();
  w.key("file").value(a.requests);
  w.key("requests").value(s.requests);
  w.key("routed_to_pro").value(s.routed_to_pro);
  w.key("input_tokens").value(s.input_tokens);
  w.key("input_tokens_per_month").value(p.input_tokens_per_month);
  w.key("output_tokens_per_month").value(p.output_tokens_per_month);
  w.key("categories").begin_object();
  for (const auto& [category, n] : s.categories) w.key(category).value(n);
  w.end_object();
  w.key("skipped").begin_array();
  for (const std::string& skip : s.skipped) w.value(skip);
  w.end_array();
  w.end_object();
  return w.str();
}

int run_simulate(const SimulateArgs& a, const CLI::App& cmd) {
  auto ctx = pricing_context(a.book, a.currency, a.at);
  if (!ctx.ok()) return fail("simulate", kExitUsage, ctx.error().message);
  const pricing::PriceBook& book = ctx->book;
  const core::Timestamp at = ctx->at;
  if (!a.html.empty()) {
    if (auto s = check_writable(a.html); !s.ok()) return fail("simulate", kExitUsage, s.message());
  }
  if (a.effort != "none" && a.effort != "low" && a.effort != "high" && a.effort != "max") {
    return fail("simulate", kExitUsage, "--effort must be none, low, high or max");
  }
  auto quality = a.quality.empty() ? sim::QualityModel::embedded() : sim::QualityModel::load_file(a.quality);
  if (!quality.ok()) return fail("simulate", kExitUsage, quality.error().message);
  if (!a.model.empty() && a.requests.empty()) {
    return fail("simulate", kExitUsage, "--model needs --requests: it decides request by request");
  }
  planner::RequestSample sample;
  auto p =
      a.requests.empty() ? resolve_profile(a.profile, cmd, book, a.currency) : profile_from_requests(a, cmd, sample);
  if (!p.ok()) return fail("simulate", kExitUsage, p.error().message);
  planner::WhatIfOptions options;
  options.effort = a.effort;
  if (!a.model.empty()) {
    for (double t : a.thresholds) {
      if (!(t >= 0 && t <= 1)) return fail("simulate", kExitUsage, "--thresholds must be from 0 to 1");
      options.learned.push_back(planner::learned_policy(sample, t));
    }
  }
  if (!a.requests.empty()) options.output_tokens_per_request = a.output_per_request;
  auto outcomes = planner::simulate_policies(*p, book, *quality, at, a.currency, options);
  if (!outcomes.ok()) return fail("simulate", kExitFailure, outcomes.error().message);
  if (!a.html.empty()) {
    std::ofstream out(a.html, std::ios::binary | std::ios::trunc);
    out << planner::whatif_html(*outcomes, a.currency, at);
    if (!out) return fail("simulate", kExitUsage, fmt::format("cannot write '{}'", a.html));
  }
  std::string out =
      a.json ? planner::whatif_json(*outcomes, a.currency, at) : planner::whatif_text(*outcomes, a.currency, at);
  if (!a.requests.empty()) {
    if (a.json) {
      out.insert(1, "\n  \"workload\": " + sample_json(a, sample, *p) + ",");
    } else {
      out.insert(0, sample_text(a, sample, *p));
    }
  }
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace

void register_simulate(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd =
      app.add_subcommand("simulate", "What-if: all-Flash, all-Pro, routed and Flash-first cascade on a workload");
  cmd->footer(
      "For each policy: the expected monthly cost, failure rate (from the quality priors, data/quality.toml), Pro "
      "share, escalation rate and latency. The cascade pays for the wasted Flash call on every escalation. The "
      "workload options are those of `advise`, or --requests FILE: a sample of real requests that the router "
      "classifies (exact token counts), scaled to --requests-per-month.");
  add_profile_options(*cmd, args->profile);
  cmd->add_option("--requests", args->requests,
                  "Real requests (JSON Lines, as `flashfirst route` reads, or a gateway ledger recorded with "
                  "--record-requests): the router classifies each, which gives "
                  "the task mix and the input size")
      ->type_name("FILE");
  cmd->add_option("--requests-per-month", args->requests_per_month,
                  "With --requests: monthly volume in requests, k/M/B suffixes (default: the file is one month)")
      ->type_name("N");
  cmd->add_option("--output-per-request", args->output_per_request, "With --requests: output tokens per request")
      ->capture_default_str();
  cmd->add_option("--model", args->model,
                  "With --requests: a model learned by `flashfirst route train`; adds a policy per threshold (Pro when "
                  "P(Pro needed) reaches it, Flash checked otherwise)")
      ->type_name("MODEL");
  cmd->add_option("--thresholds", args->thresholds, "With --model: the thresholds to try")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--policy", args->policy, "With --requests: routing policy (TOML) instead of the built-in one")
      ->type_name("FILE");
  cmd->add_option("--effort", args->effort, "Reasoning effort of every request: none (non-thinking), low, high, max")
      ->capture_default_str();
  cmd->add_option("--quality", args->quality, "Failure-rate priors (TOML, as data/quality.toml)")->type_name("FILE");
  cmd->add_option("--at", args->at, "Prices in force at this time (default now)")->type_name("TIME");
  cmd->add_option("--currency", args->currency, "USD or CNY")->capture_default_str();
  cmd->add_option("--html", args->html, "Also write an HTML page with the policies on a cost-vs-quality chart")
      ->type_name("FILE");
  cmd->add_flag("--json", args->json, "Print one JSON object");
  add_book_options(*cmd, args->book);
  cmd->callback([args, cmd, &exit_code] { exit_code = run_simulate(*args, *cmd); });
}

}  // namespace ff::cli
