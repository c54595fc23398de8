#include <fstream>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/profile_options.h"
#include "planner/whatif.h"
#include "pricing/quality_model.h"

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
};

int run_simulate(const SimulateArgs& a, const CLI::App& cmd) {
  auto ctx = pricing_context(a.book, a.currency, a.at);
  if (!ctx.ok()) return fail("simulate", kExitUsage, ctx.error().message);
  const pricing::PriceBook& book = ctx->book;
  const core::Timestamp at = ctx->at;
  if (a.effort != "none" && a.effort != "low" && a.effort != "high" && a.effort != "max") {
    return fail("simulate", kExitUsage, "--effort must be none, low, high or max");
  }
  auto quality = a.quality.empty() ? pricing::QualityModel::embedded() : pricing::QualityModel::load_file(a.quality);
  if (!quality.ok()) return fail("simulate", kExitUsage, quality.error().message);
  auto p = resolve_profile(a.profile, cmd, book, a.currency);
  if (!p.ok()) return fail("simulate", kExitUsage, p.error().message);
  planner::WhatIfOptions options;
  options.effort = a.effort;
  auto outcomes = planner::simulate_policies(*p, book, *quality, at, a.currency, options);
  if (!outcomes.ok()) return fail("simulate", kExitFailure, outcomes.error().message);
  if (!a.html.empty()) {
    std::ofstream out(a.html, std::ios::binary | std::ios::trunc);
    out << planner::whatif_html(*outcomes, a.currency, at);
    if (!out) return fail("simulate", kExitUsage, fmt::format("cannot write '{}'", a.html));
  }
  std::fputs((a.json ? planner::whatif_json(*outcomes, a.currency, at) : planner::whatif_text(*outcomes, a.currency, at))
                 .c_str(),
             stdout);
  return kExitOk;
}

}  // namespace

void register_simulate(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd = app.add_subcommand("simulate", "What-if: all-Flash, all-Pro, routed and Flash-first cascade on a workload");
  cmd->footer(
      "For each policy: the expected monthly cost, failure rate (from the quality priors, data/quality.toml), Pro "
      "share, escalation rate and latency. The cascade pays for the wasted Flash call on every escalation. The "
      "workload options are those of `advise`.");
  add_profile_options(*cmd, args->profile);
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
