#include <memory>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/profile_options.h"
#include "planner/advisor.h"

namespace ff::cli {

namespace {

struct AdviseArgs {
  BookOptions book;
  ProfileArgs profile;
  std::string at;
  std::string currency = "USD";
  bool json = false;
};

int run_advise(const AdviseArgs& a, const CLI::App& cmd) {
  auto ctx = pricing_context(a.book, a.currency, a.at);
  if (!ctx.ok()) return fail("advise", kExitUsage, ctx.error().message);
  const pricing::PriceBook& book = ctx->book;
  const core::Timestamp at = ctx->at;
  auto p = resolve_profile(a.profile, cmd, book, a.currency);
  if (!p.ok()) return fail("advise", kExitUsage, p.error().message);
  auto advice = planner::advise(*p, book, at, a.currency);
  if (!advice.ok()) return fail("advise", kExitFailure, advice.error().message);
  std::fputs((a.json ? planner::advice_json(*advice) : planner::advice_text(*advice)).c_str(), stdout);
  return kExitOk;
}

}  // namespace

void register_advise(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<AdviseArgs>();
  CLI::App* cmd =
      app.add_subcommand("advise", "Flash, Pro, mixed routing or either: a recommendation with reasons and costs");
  cmd->footer(
      "Give the workload by flags, by a profile file (JSON or TOML: mix, output_tokens_per_month, "
      "input_tokens_per_month, cache_hit_rate, access, wrong_answer_cost), or answer questions when run on a "
      "terminal with no flags. Task categories: summarization, translation, classification, straightforward_qa, rag, "
      "structured_content, coding_moderate, multi_step_reasoning, codebase_debugging, agent_tool_chaining, "
      "long_coherent_output (plain words such as agents, RAG, math, debugging work too).");
  add_profile_options(*cmd, args->profile);
  cmd->add_option("--at", args->at, "Prices in force at this time (default now)")->type_name("TIME");
  cmd->add_option("--currency", args->currency, "USD or CNY")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print one JSON object (amounts as exact decimal strings)");
  add_book_options(*cmd, args->book);
  cmd->callback([args, cmd, &exit_code] { exit_code = run_advise(*args, *cmd); });
}

}  // namespace ff::cli
