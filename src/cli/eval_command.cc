// flashfirst eval: Flash against Pro on your own cases (eval/).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/in_process_sim.h"
#include "eval/report.h"
#include "eval/runner.h"
#include "eval/suite.h"

namespace ff::cli {

namespace {

struct EvalArgs {
  std::string suite;
  std::string upstream = "sim";
  std::string via;
  std::string key_env;
  std::string models = "flash,pro";
  int repeat = 1;
  int concurrency = 4;
  std::string json, html, outcomes, write_policy, write_quality;
  std::string failure_cost = "0.01";
  std::string journal;
  bool fresh = false;
  bool cases = false;
  std::string sim_quality;
  std::uint64_t sim_seed = 42;
  std::string ca_file;
  BookOptions book;
};

core::Status write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return core::make_error(fmt::format("cannot write '{}'", path));
  return core::Status::Ok();
}

int run_eval(const EvalArgs& a) {
  auto suite = eval::load_suite(a.suite);
  if (!suite.ok()) return fail("eval", kExitUsage, suite.error().message);
  auto book = load_book(a.book);
  if (!book.ok()) return fail("eval", kExitUsage, book.error().message);
  auto failure_cost = core::parse_money(a.failure_cost);
  if (!failure_cost.ok() || *failure_cost < core::Money{}) {
    return fail("eval", kExitUsage, fmt::format("--failure-cost: '{}' is not an amount in USD (e.g. 0.05)", a.failure_cost));
  }
  if (a.repeat < 1 || a.repeat > 10000) return fail("eval", kExitUsage, "--repeat must be from 1 to 10000");
  if (a.concurrency < 1 || a.concurrency > 256) return fail("eval", kExitUsage, "--concurrency must be from 1 to 256");
  eval::RunOptions o;
  const std::size_t comma = a.models.find(',');
  if (comma == std::string::npos || comma == 0 || comma + 1 == a.models.size() ||
      a.models.find(',', comma + 1) != std::string::npos) {
    return fail("eval", kExitUsage, "--models takes two models, Flash's then Pro's: flash,pro");
  }
  o.models = {a.models.substr(0, comma), a.models.substr(comma + 1)};
  o.repeat = a.repeat;
  o.concurrency = a.concurrency;
  o.ca_file = a.ca_file;
  o.suite_dir = std::filesystem::path(a.suite).parent_path().string();
  for (const std::string* path : {&a.json, &a.html, &a.outcomes, &a.write_policy, &a.write_quality}) {
    if (path->empty()) continue;
    if (auto s = check_writable(*path); !s.ok()) return fail("eval", kExitUsage, s.message());
  }

  // The simulator holds a reference to its quality priors: they are declared first, so they outlive it.
  std::optional<sim::QualityModel> sim_quality;
  std::unique_ptr<InProcessSim> sim;
  if (!a.via.empty()) {
    o.base_url = a.via;
    o.via_gateway = true;
    const std::string env = a.key_env.empty() ? "FLASHFIRST_API_KEY" : a.key_env;
    const char* key = std::getenv(env.c_str());
    if (key == nullptr || *key == '\0') {
      return fail("eval", kExitUsage, fmt::format("--via: set ${} to a key of the gateway (or name another variable with --key-env)", env));
    }
    o.api_key = key;
  } else if (a.upstream == "sim") {
    auto quality = sim::QualityModel::from_flag(a.sim_quality);
    if (!quality.ok()) return fail("eval", kExitUsage, quality.error().message);
    sim_quality = std::move(*quality);
    sim = std::make_unique<InProcessSim>(*book, *sim_quality, 0, a.sim_seed);
    if (auto s = sim->start(); !s.ok()) return fail("eval", kExitFailure, s.message());
    o.base_url = sim->url();
    o.api_key = InProcessSim::kKey;
    o.send_metadata = true;  // the simulator answers right or wrong by it; a real upstream never sees it
    o.upstream_name = fmt::format("sim seed {} quality {}", a.sim_seed, a.sim_quality.empty() ? "built-in" : a.sim_quality);
    fmt::print(stderr,
               "flashfirst eval: the built-in simulator answers (its failures are drawn from {}); "
               "--upstream https://api.deepseek.com measures the real models\n",
               a.sim_quality.empty() ? "data/quality.toml" : a.sim_quality);
  } else {
    o.base_url = a.upstream;
    const std::string env = a.key_env.empty() ? "DEEPSEEK_API_KEY" : a.key_env;
    const char* key = std::getenv(env.c_str());
    if (key == nullptr || *key == '\0') {
      return fail("eval", kExitUsage, fmt::format("set ${} to your DeepSeek API key (or name another variable with --key-env)", env));
    }
    o.api_key = key;
  }
  o.journal = a.journal.empty()
                  ? fmt::format("flashfirst-eval-{}.journal.jsonl", std::filesystem::path(a.suite).stem().string())
                  : a.journal;
  if (a.fresh) std::remove(o.journal.c_str());

  const bool tty = isatty(STDERR_FILENO);
  auto progress = [tty](std::int64_t done, std::int64_t total) {
    if (tty) fmt::print(stderr, "\r  {}/{} calls", done, total);
  };
  auto run = eval::run_suite(*suite, o, *book, progress);
  if (tty) fmt::print(stderr, "\r\033[K");
  if (!run.ok()) return fail("eval", kExitFailure, run.error().message);
  const eval::Report report = eval::summarize(*suite, *run, a.repeat);

  std::fputs(eval::report_text(*suite, *run, report, a.cases).c_str(), stdout);
  struct Output {
    const std::string& path;
    std::string text;
    const char* what;
  };
  std::vector<Output> outputs;
  if (!a.json.empty()) outputs.push_back({a.json, eval::report_json(*suite, *run, report), "report (JSON)"});
  if (!a.html.empty()) outputs.push_back({a.html, eval::report_html(*suite, *run, report), "report (HTML)"});
  if (!a.outcomes.empty()) outputs.push_back({a.outcomes, eval::outcomes_jsonl(*suite, *run), "outcomes for `route train`"});
  if (!a.write_policy.empty()) {
    outputs.push_back({a.write_policy, eval::policy_toml(report, *failure_cost), "routing policy"});
  }
  if (!a.write_quality.empty()) outputs.push_back({a.write_quality, eval::quality_toml(report, a.suite), "quality priors"});
  for (const Output& out : outputs) {
    if (auto s = write_file(out.path, out.text); !s.ok()) return fail("eval", kExitFailure, s.message());
    fmt::print("Wrote the {} to {}.\n", out.what, out.path);
  }
  // Done: the journal was only for resuming.
  std::remove(o.journal.c_str());
  const std::int64_t answered = report.overall.model[0].runs + report.overall.model[1].runs;
  if (answered == 0) return fail("eval", kExitFailure, "every call errored: nothing was measured");
  return kExitOk;
}

}  // namespace

void register_eval(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "Flash against Pro on your own cases: where Flash holds, where Pro is needed");
  cmd->footer(
      "SUITE: promptfoo's YAML config (prompts, tests with vars/assert/description/metadata.category, defaultTest) "
      "or JSON Lines ({\"id\", \"request\", \"assert\", \"metadata\": {\"category\", \"expected_answer\"}}). "
      "Assertions: equals contains icontains contains-any contains-all regex starts-with is-json contains-json "
      "is-valid-openai-tools-call finish-reason cost latency python llm-rubric (not-X inverts most).\n"
      "Both models answer every case --repeat times; each call is costed exactly. A call that errors is marked "
      "error and left out of the rates. The report gives per category each model's pass rate with a Wilson 95% "
      "interval, the exact McNemar test on the cases only one model passed, cost per passing answer, latency, and "
      "a verdict. An interrupted run resumes from its journal.\n"
      "Keys: $DEEPSEEK_API_KEY for --upstream URL, $FLASHFIRST_API_KEY for --via (or --key-env NAME).");
  cmd->add_option("suite", args->suite, "The suite (YAML or JSONL)")->required()->type_name("SUITE");
  cmd->add_option("--upstream", args->upstream,
                  "sim (the built-in simulator, which gets each case's metadata) or the API's URL")
      ->capture_default_str();
  cmd->add_option("--via", args->via, "Go through a running flashfirst gateway, the tier pinned by x-flashfirst-tier")
      ->type_name("GATEWAY_URL");
  cmd->add_option("--key-env", args->key_env, "The environment variable that holds the key")->type_name("NAME");
  cmd->add_option("--models", args->models, "Flash's and Pro's model: tiers or DeepSeek ids")->capture_default_str();
  cmd->add_option("--repeat", args->repeat, "Answers per case and model (independent draws)")->capture_default_str();
  cmd->add_option("--concurrency", args->concurrency, "Calls in flight")->capture_default_str();
  cmd->add_flag("--cases", args->cases, "Print every case's verdicts too");
  cmd->add_option("--json", args->json, "Write the whole report as JSON")->type_name("FILE");
  cmd->add_option("--html", args->html, "Write a self-contained HTML report")->type_name("FILE");
  cmd->add_option("--outcomes", args->outcomes, "Write one line per case for `flashfirst route train`")
      ->type_name("FILE");
  cmd->add_option("--write-policy", args->write_policy,
                  "Write a routing policy: Pro only where it is significantly better and worth its price")
      ->type_name("FILE");
  cmd->add_option("--write-quality", args->write_quality, "Write the measured failure priors (data/quality.toml's format)")
      ->type_name("FILE");
  cmd->add_option("--failure-cost", args->failure_cost, "What one failed answer costs you, in USD (for --write-policy)")
      ->capture_default_str();
  cmd->add_option("--journal", args->journal,
                  "Where finished calls are kept for resuming (default flashfirst-eval-SUITE.journal.jsonl; removed "
                  "when the run completes)")
      ->type_name("FILE");
  cmd->add_flag("--fresh", args->fresh, "Ignore a journal left by an interrupted run");
  cmd->add_option("--sim-quality", args->sim_quality,
                  "With --upstream sim: failure priors for the simulator (a file, or off); default data/quality.toml")
      ->type_name("FILE|off");
  cmd->add_option("--sim-seed", args->sim_seed, "With --upstream sim: the simulator's seed")->capture_default_str();
  cmd->add_option("--ca-file", args->ca_file, "Extra CA bundle (PEM) for the upstream's TLS")->type_name("FILE");
  add_book_options(*cmd, args->book);
  cmd->callback([args, &exit_code] { exit_code = run_eval(*args); });
}

}  // namespace ff::cli
