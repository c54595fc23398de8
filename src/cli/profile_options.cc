#include "cli/profile_options.h"

#include <unistd.h>

#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/common.h"
#include "core/config_file.h"
#include "planner/cost_engine.h"
#include "pricing/price_book_loader.h"

namespace ff::cli {

namespace {

// Asks on the terminal until the answer parses (or input ends).
template <typename Parse>
bool ask(const std::string& question, Parse&& parse) {
  for (;;) {
    std::cout << question << std::flush;
    std::string line;
    if (!std::getline(std::cin, line)) return false;
    std::string error = parse(line);
    if (error.empty()) return true;
    std::cout << "  " << error << "\n";
  }
}

// A question whose answer is a token count such as "20M".
bool ask_tokens(const std::string& question, std::int64_t& out) {
  return ask(question, [&](const std::string& s) {
    auto n = parse_token_count(s);
    if (!n.ok()) return n.error().message;
    out = *n;
    return std::string();
  });
}

bool interactive(planner::WorkloadProfile& p) {
  std::cout << "flashfirst: a few questions about your workload (Ctrl-D to stop)\n";
  return ask("Task mix (categories or plain words, with shares if you know them;\n"
             "  e.g. \"summarization=0.6, rag=0.2, agents=0.2\"): ",
             [&](const std::string& s) {
               auto m = planner::parse_mix(s);
               if (!m.ok()) return m.error().message;
               p.mix = *m;
               return std::string();
             }) &&
         ask_tokens("Output tokens per month (e.g. 20M): ", p.output_tokens_per_month) &&
         ask_tokens("Input tokens per month (e.g. 100M): ", p.input_tokens_per_month) &&
         ask("Cache-hit rate, as 80% or 0.8 [0%]: ",
             [&](const std::string& s) {
               if (s.empty()) return std::string();
               auto rate = parse_rate(s, "cache-hit rate");
               if (!rate.ok()) return rate.error().message;
               p.cache_hit_rate = rate->to_double();
               return std::string();
             }) &&
         ask("API or subscription [api]: ",
             [&](const std::string& s) {
               auto access = planner::parse_access(s.empty() ? "api" : s);
               if (!access) return std::string("answer api or subscription");
               p.access = *access;
               return std::string();
             }) &&
         ask("How costly is a wrong answer: low, medium or high [medium]: ", [&](const std::string& s) {
           auto cost = planner::parse_wrong_answer_cost(s.empty() ? "medium" : s);
           if (!cost) return std::string("answer low, medium or high");
           p.wrong_answer_cost = *cost;
           return std::string();
         });
}

}  // namespace

void add_profile_options(CLI::App& cmd, ProfileArgs& args) {
  cmd.add_option("--profile", args.profile, "Workload profile (JSON or TOML)")->type_name("FILE");
  cmd.add_option("--mix", args.mix, "Task mix: category=share,... or plain words (equal shares)")->type_name("SPEC");
  cmd.add_option("--output-tokens", args.output_tokens, "Output tokens per month (k/M/B suffixes)")->type_name("N");
  cmd.add_option("--input-tokens", args.input_tokens, "Input tokens per month (k/M/B suffixes)")->type_name("N");
  cmd.add_option("--cache-hit-rate", args.cache_hit_rate,
                 "Share of input tokens that hit the cache: 40% or 0.4 (a bare 40 is refused as ambiguous)")
      ->type_name("R");
  cmd.add_option("--measure", args.measure,
                 "Usage logs to measure the cache-hit rate and the monthly volume from (as `flashfirst cost` reads)")
      ->type_name("FILE");
  cmd.add_option("--access", args.access, "api or subscription")->capture_default_str();
  cmd.add_option("--wrong-answer-cost", args.wrong_answer_cost, "low, medium or high")->capture_default_str();
}

core::Result<planner::WorkloadProfile> resolve_profile(const ProfileArgs& a, const CLI::App& cmd,
                                                       const pricing::PriceBook& book, const std::string& currency) {
  planner::WorkloadProfile p;
  const bool any_flag = cmd.count("--profile") + cmd.count("--mix") + cmd.count("--output-tokens") +
                            cmd.count("--input-tokens") + cmd.count("--measure") + cmd.count("--cache-hit-rate") >
                        0;
  if (!any_flag) {
    if (!isatty(STDIN_FILENO)) {
      return core::make_error("give --profile FILE or --mix with --output-tokens and --input-tokens (see --help)");
    }
    if (!interactive(p)) return core::make_error("input ended before every question was answered");
  } else {
    if (!a.profile.empty()) {
      auto text = core::read_text_file(a.profile);
      if (!text.ok()) return text.error();
      auto parsed = planner::parse_profile(*text, a.profile);
      if (!parsed.ok()) return parsed.error();
      p = *parsed;
    }
    if (!a.mix.empty()) {
      auto m = planner::parse_mix(a.mix);
      if (!m.ok()) return core::make_error("--mix: " + m.error().message);
      p.mix = *m;
    }
    if (p.mix.empty()) return core::make_error("give the task mix: --mix \"summarization=0.7,agents=0.3\"");
    // Volume and cache-hit rate measured from real usage, unless given.
    std::optional<planner::CostSummary> measured;
    if (!a.measure.empty()) {
      auto s = planner::cost_inputs(a.measure, book, planner::CostOptions{currency, std::nullopt});
      if (!s.ok()) return core::make_error("--measure: " + s.error().message);
      measured = *s;
      if (auto r = measured->cache_hit_rate()) p.cache_hit_rate = *r;
    }
    auto per_month = [&](std::int64_t tokens) -> std::optional<std::int64_t> {
      if (!measured || !measured->first_time) return std::nullopt;
      const std::int64_t span = measured->last_time->unix_seconds - measured->first_time->unix_seconds;
      if (span < 3600) return std::nullopt;
      return static_cast<std::int64_t>(static_cast<core::int128>(tokens) * 30 * core::kSecondsPerDay / span);
    };
    if (!a.output_tokens.empty()) {
      auto n = parse_token_count(a.output_tokens);
      if (!n.ok()) return core::make_error("--output-tokens: " + n.error().message);
      p.output_tokens_per_month = *n;
    } else if (measured) {
      auto n = per_month(measured->total.tokens.output);
      if (!n) return core::make_error("--measure: the log spans under an hour; give --output-tokens");
      p.output_tokens_per_month = *n;
    } else if (a.profile.empty()) {
      return core::make_error("give --output-tokens (per month), or --measure a usage log");
    }
    if (!a.input_tokens.empty()) {
      auto n = parse_token_count(a.input_tokens);
      if (!n.ok()) return core::make_error("--input-tokens: " + n.error().message);
      p.input_tokens_per_month = *n;
    } else if (measured) {
      auto n = per_month(measured->total.tokens.prompt());
      if (!n) return core::make_error("--measure: the log spans under an hour; give --input-tokens");
      p.input_tokens_per_month = *n;
    } else if (a.profile.empty()) {
      return core::make_error("give --input-tokens (per month), or --measure a usage log");
    }
    if (!a.cache_hit_rate.empty()) {
      auto rate = parse_rate(a.cache_hit_rate, "--cache-hit-rate");
      if (!rate.ok()) return rate.error();
      p.cache_hit_rate = rate->to_double();
    }
    if (cmd.count("--access") > 0 || a.profile.empty()) {
      auto access = planner::parse_access(a.access);
      if (!access) return core::make_error("--access must be api or subscription");
      p.access = *access;
    }
    if (cmd.count("--wrong-answer-cost") > 0 || a.profile.empty()) {
      auto cost = planner::parse_wrong_answer_cost(a.wrong_answer_cost);
      if (!cost) return core::make_error("--wrong-answer-cost must be low, medium or high");
      p.wrong_answer_cost = *cost;
    }
  }
  return p;
}

}  // namespace ff::cli
