// flashfirst route: the router's decision for requests in a file, or its
// accuracy on labelled requests (--eval).
#include <unistd.h>

#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/json_writer.h"
#include "core/text.h"
#include "report/text_table.h"
#include "router/evaluation.h"
#include "router/outcome_model.h"
#include "router/request_lines.h"
#include "router/router.h"
#include "tokenizer/tokenizer.h"

namespace ff::cli {

namespace {

struct RouteArgs {
  std::string file;
  std::string eval_file;
  std::string policy_file;
  std::string model_file;
  double threshold = -1;
  std::string key;
  std::string tier_header;
  bool json = false;
  bool exact_tokens = false;
  bool show_misses = false;
  // --eval's pricing of the decisions.
  BookOptions book;
  std::string at;
  std::int64_t output_per_request = 500;
};

// What the labelled set costs routed one way or another, at the rates of one
// instant: each request's input tokens (as the router counts them) as cache
// misses, and the same output assumption for every request.
struct EvalCost {
  core::Money as_routed, as_labelled, all_flash, all_pro;
  core::Money flash_sent_to_pro;  // extra paid for Flash work routed to Pro
  core::Money pro_sent_to_flash;  // saved on Pro work routed to Flash (its quality is the price)
  std::int64_t flash_to_pro = 0, pro_to_flash = 0;
};

std::string percent(std::int64_t n, std::int64_t d) { return d == 0 ? "-" : fmt::format("{:.1f}%", 100.0 * n / d); }

int run_eval(const RouteArgs& a, const router::Router& r, const std::string& text) {
  if (a.output_per_request < 0) return fail("route", kExitUsage, "--output-per-request must be 0 or more");
  auto ctx = pricing_context(a.book, "USD", a.at);
  if (!ctx.ok()) return fail("route", kExitUsage, ctx.error().message);
  pricing::QuoteResult flash_q = ctx->book.quote_tier(core::Tier::kFlash, ctx->at, "USD");
  pricing::QuoteResult pro_q = ctx->book.quote_tier(core::Tier::kPro, ctx->at, "USD");
  if (!flash_q.quote || !pro_q.quote) {
    return fail("route", kExitUsage, ctx->book.explain(flash_q.quote ? pro_q.error : flash_q.error,
                                                       flash_q.quote ? "pro" : "flash", ctx->at, "USD"));
  }
  auto cost_on = [&](core::Tier t, const core::TokenUsage& u) {
    return (t == core::Tier::kPro ? pro_q : flash_q).quote->rates.cost(u);
  };
  EvalCost cost;
  std::vector<router::RequestLine> items = router::parse_request_lines(text, true);
  router::RouteEvaluation ev;
  int bad = 0;
  for (const router::RequestLine& it : items) {
    if (!it.error.empty()) {
      fmt::print(stderr, "flashfirst route: {}:{}: {}\n", a.eval_file, it.line, it.error);
      ++bad;
      continue;
    }
    // A request the router cannot read still gets the gateway's safe default.
    router::Decision d = r.route_or_default(it.body, {a.key, a.tier_header});
    ev.add(it.display_id(), *it.category, *it.tier, d.category, d.tier, d.reason);
    const core::TokenUsage u{0, d.input_tokens, a.output_per_request, 0};
    cost.as_routed += cost_on(d.tier, u);
    cost.as_labelled += cost_on(*it.tier, u);
    cost.all_flash += cost_on(core::Tier::kFlash, u);
    cost.all_pro += cost_on(core::Tier::kPro, u);
    if (*it.tier == core::Tier::kFlash && d.tier == core::Tier::kPro) {
      ++cost.flash_to_pro;
      cost.flash_sent_to_pro += cost_on(core::Tier::kPro, u) - cost_on(core::Tier::kFlash, u);
    } else if (*it.tier == core::Tier::kPro && d.tier == core::Tier::kFlash) {
      ++cost.pro_to_flash;
      cost.pro_sent_to_flash += cost_on(core::Tier::kPro, u) - cost_on(core::Tier::kFlash, u);
    }
  }
  const std::string assumptions =
      fmt::format("USD at the rates in force at {}; each request's input ({}) as cache misses, {} output tokens each",
                  core::format_time(ctx->at), a.exact_tokens ? "exact tokens" : "estimated tokens", a.output_per_request);
  if (ev.total() == 0) return fail("route", kExitUsage, fmt::format("{}: no labelled requests", a.eval_file));

  const auto& pc = ev.per_category();
  if (a.json) {
    core::JsonWriter w;
    w.begin_object();
    w.key("requests").value(ev.total());
    w.key("tier_accuracy").number_text(fmt::format("{:.4f}", double(ev.tier_correct()) / ev.total()));
    w.key("category_accuracy").number_text(fmt::format("{:.4f}", double(ev.category_correct()) / ev.total()));
    w.key("pro_recall")
        .number_text(ev.pro_expected() ? fmt::format("{:.4f}", double(ev.pro_recalled()) / ev.pro_expected()) : "null");
    w.key("pro_expected").value(ev.pro_expected());
    w.key("pro_routed").value(ev.pro_routed());
    w.key("per_category").begin_object();
    for (std::size_t c = 0; c < router::kCategoryCount; ++c) {
      if (pc[c].total == 0) continue;
      w.key(router::category_name(static_cast<router::Category>(c))).begin_object();
      w.key("requests").value(pc[c].total);
      w.key("category_correct").value(pc[c].category_correct);
      w.key("tier_correct").value(pc[c].tier_correct);
      w.end_object();
    }
    w.end_object();
    w.key("confusion").begin_object();
    for (std::size_t e = 0; e < router::kCategoryCount; ++e) {
      if (pc[e].total == 0) continue;
      w.key(router::category_name(static_cast<router::Category>(e))).begin_object();
      for (std::size_t g = 0; g < router::kCategoryCount; ++g) {
        if (ev.confusion()[e][g] == 0) continue;
        w.key(router::category_name(static_cast<router::Category>(g))).value(ev.confusion()[e][g]);
      }
      w.end_object();
    }
    w.end_object();
    w.key("tier_misses").begin_array();
    for (const auto& m : ev.tier_misses()) w.value(m.id);
    w.end_array();
    w.key("cost").begin_object();
    w.key("as_routed").value(cost.as_routed.to_decimal());
    w.key("as_labelled").value(cost.as_labelled.to_decimal());
    w.key("all_flash").value(cost.all_flash.to_decimal());
    w.key("all_pro").value(cost.all_pro.to_decimal());
    w.key("flash_sent_to_pro").begin_object().key("requests").value(cost.flash_to_pro);
    w.key("extra").value(cost.flash_sent_to_pro.to_decimal()).end_object();
    w.key("pro_sent_to_flash").begin_object().key("requests").value(cost.pro_to_flash);
    w.key("saved").value(cost.pro_sent_to_flash.to_decimal()).end_object();
    w.key("assumptions").value(assumptions);
    w.end_object();
    w.end_object();
    fmt::print("{}\n", w.str());
    return bad ? kExitFailure : kExitOk;
  }

  fmt::print("Router evaluation on {} ({} labelled requests{})\n\n", a.eval_file, ev.total(),
             bad ? fmt::format(", {} unreadable lines skipped", bad) : "");
  fmt::print("  tier accuracy      {:>7}  ({} of {})\n", percent(ev.tier_correct(), ev.total()), ev.tier_correct(),
             ev.total());
  fmt::print("  Pro recall         {:>7}  ({} of {} that need Pro got it)\n",
             percent(ev.pro_recalled(), ev.pro_expected()), ev.pro_recalled(), ev.pro_expected());
  fmt::print("  Pro share          {:>7}  ({} routed to Pro)\n", percent(ev.pro_routed(), ev.total()), ev.pro_routed());
  fmt::print("  category accuracy  {:>7}  ({} of {})\n\n", percent(ev.category_correct(), ev.total()),
             ev.category_correct(), ev.total());

  report::TextTable per(
      {"category", "tier", "requests", "category right", "tier right"},
      {report::TextTable::Align::kLeft, report::TextTable::Align::kLeft, report::TextTable::Align::kRight,
       report::TextTable::Align::kRight, report::TextTable::Align::kRight});
  for (std::size_t c = 0; c < router::kCategoryCount; ++c) {
    if (pc[c].total == 0) continue;
    auto cat = static_cast<router::Category>(c);
    per.add_row({router::category_name(cat), core::tier_name(router::natural_tier(cat)), std::to_string(pc[c].total),
                 percent(pc[c].category_correct, pc[c].total), percent(pc[c].tier_correct, pc[c].total)});
  }
  fmt::print("{}\n", per.render());

  // Confusion matrix: rows expected, columns routed, by two-letter codes.
  static constexpr const char* kCodes[] = {"su", "tr", "cl", "qa", "rg", "sc", "cm", "ms", "cd", "ag", "lo"};
  std::vector<std::string> header{"expected \\ routed"};
  std::vector<report::TextTable::Align> align{report::TextTable::Align::kLeft};
  for (const char* c : kCodes) {
    header.emplace_back(c);
    align.push_back(report::TextTable::Align::kRight);
  }
  report::TextTable conf(header, align);
  for (std::size_t e = 0; e < router::kCategoryCount; ++e) {
    if (pc[e].total == 0) continue;
    std::vector<std::string> row{
        fmt::format("{} {}", kCodes[e], router::category_name(static_cast<router::Category>(e)))};
    for (std::size_t g = 0; g < router::kCategoryCount; ++g) {
      row.push_back(ev.confusion()[e][g] ? std::to_string(ev.confusion()[e][g]) : ".");
    }
    conf.add_row(std::move(row));
  }
  fmt::print("Confusion matrix (rows: labelled category, columns: routed category)\n{}\n", conf.render());

  report::TextTable money({"the labelled set", "cost (USD)"},
                          {report::TextTable::Align::kLeft, report::TextTable::Align::kRight});
  money.add_row({"as routed", cost.as_routed.to_decimal()});
  money.add_row({"as labelled", cost.as_labelled.to_decimal()});
  money.add_row({"all on Flash", cost.all_flash.to_decimal()});
  money.add_row({"all on Pro", cost.all_pro.to_decimal()});
  fmt::print("What the mistakes cost ({})\n{}", assumptions, money.render());
  fmt::print("  {} of Flash work sent to Pro: {} USD paid for nothing\n", core::count_of(cost.flash_to_pro, "request"),
             cost.flash_sent_to_pro.to_decimal());
  fmt::print("  {} of Pro work sent to Flash: {} USD saved, at the price of answers that need Pro\n\n",
             core::count_of(cost.pro_to_flash, "request"), cost.pro_sent_to_flash.to_decimal());

  if (!ev.tier_misses().empty()) {
    if (a.show_misses) {
      fmt::print("Wrong tier:\n");
      for (const auto& m : ev.tier_misses()) {
        fmt::print("  {}: labelled {} ({}), routed {} ({}): {}\n", m.id, router::category_name(m.expected_category),
                   core::tier_name(m.expected_tier), router::category_name(m.got_category), core::tier_name(m.got_tier),
                   m.reason);
      }
    } else {
      fmt::print("{} requests got the wrong tier; --misses lists them with the router's reasons.\n",
                 ev.tier_misses().size());
    }
  }
  return bad ? kExitFailure : kExitOk;
}

int run_route(const RouteArgs& a) {
  auto policy = a.policy_file.empty() ? router::Policy::embedded() : router::Policy::load_file(a.policy_file);
  if (!policy.ok()) return fail("route", kExitUsage, policy.error().message);
  if (!a.model_file.empty()) {
    auto model = router::OutcomeModel::load_file(a.model_file);
    if (!model.ok()) return fail("route", kExitUsage, model.error().message);
    if (!policy->outcome_model) policy->model_threshold = 0.5;
    policy->outcome_model = std::make_shared<const router::OutcomeModel>(std::move(*model));
    policy->model_file = a.model_file;
  }
  if (a.threshold != -1) {  // given
    if (!(a.threshold >= 0 && a.threshold <= 1)) return fail("route", kExitUsage, "--threshold must be from 0 to 1");
    policy->model_threshold = a.threshold;
  }
  if (!a.tier_header.empty() && a.tier_header != "pro" && a.tier_header != "flash") {
    return fail("route", kExitUsage, "--tier must be pro or flash");
  }
  std::shared_ptr<const tokenizer::Tokenizer> tok;
  if (a.exact_tokens) {
    tok = std::shared_ptr<const tokenizer::Tokenizer>(&tokenizer::BpeTokenizer::deepseek(), [](const auto*) {});
  } else {
    tok = std::make_shared<tokenizer::RatioEstimator>();
  }
  router::Router r(std::move(*policy), tok);

  if (!a.eval_file.empty()) {
    auto text = read_input(a.eval_file);
    if (!text.ok()) return fail("route", kExitUsage, text.error().message);
    return run_eval(a, r, *text);
  }
  if (a.file.empty() && isatty(STDIN_FILENO)) {
    return fail("route", kExitUsage, "give a request file (JSON or JSONL), or - for standard input; see --help");
  }
  auto text = read_input(a.file.empty() ? "-" : a.file);
  if (!text.ok()) return fail("route", kExitUsage, text.error().message);
  std::vector<router::RequestLine> items = router::parse_request_lines(*text, false);
  if (items.empty()) return fail("route", kExitUsage, "no requests in the input");

  int bad = 0;
  std::string out;
  report::TextTable table(
      {"request", "tier", "model", "category", "confidence", "reason"},
      {report::TextTable::Align::kLeft, report::TextTable::Align::kLeft, report::TextTable::Align::kLeft,
       report::TextTable::Align::kLeft, report::TextTable::Align::kRight, report::TextTable::Align::kLeft});
  for (const router::RequestLine& it : items) {
    std::string error = it.error;
    router::Decision d;
    if (error.empty()) {
      auto res = r.route(it.body, {a.key, a.tier_header, true});
      if (res.ok()) {
        d = std::move(*res);
      } else {
        error = res.error().message;
      }
    }
    if (!error.empty()) {
      ++bad;
      if (a.json) {
        core::JsonWriter w(true);
        w.begin_object();
        if (!it.id.empty()) w.key("id").number_text(it.id);
        w.key("line").value(it.line).key("error").value(error).end_object();
        out += w.str() + "\n";
      } else {
        fmt::print(stderr, "flashfirst route: {}: {}\n", it.display_id(), error);
      }
      continue;
    }
    if (a.json) {
      core::JsonWriter w(true);
      w.begin_object();
      if (!it.id.empty()) w.key("id").number_text(it.id);
      w.key("tier").value(core::tier_name(d.tier));
      w.key("model").value(d.model);
      w.key("effort").value(d.effort);
      w.key("cascade").value(d.cascade);
      w.key("category").value(router::category_name(d.category));
      w.key("confidence").number_text(fmt::format("{:.3f}", d.confidence));
      w.key("input_tokens").value(d.input_tokens);
      w.key("p_pro").number_text(fmt::format("{:.3f}", d.p_pro));
      w.key("reason").value(d.reason);
      w.end_object();
      out += w.str() + "\n";
    } else {
      table.add_row({it.display_id(), core::tier_name(d.tier), d.model, router::category_name(d.category),
                     fmt::format("{:.2f}", d.confidence), d.reason});
    }
  }
  if (a.json) {
    std::fputs(out.c_str(), stdout);
  } else if (static_cast<int>(items.size()) > bad) {
    std::fputs(table.render().c_str(), stdout);
  }
  return bad ? kExitFailure : kExitOk;
}

}  // namespace

void register_route(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RouteArgs>();
  CLI::App* cmd = app.add_subcommand("route", "Which tier (Flash or Pro) each request needs, and why");
  cmd->footer(
      "Input: one chat request (OpenAI or Anthropic JSON), or JSON Lines where each line is a bare request or "
      "{\"id\": ..., \"request\": {...}}.\n"
      "--eval FILE reads labelled lines {\"id\", \"category\", \"tier\", \"request\"} and reports tier accuracy, "
      "per-category accuracy, the confusion matrix and Pro recall.\n"
      "Categories: summarization translation classification straightforward_qa rag structured_content "
      "coding_moderate (Flash); multi_step_reasoning codebase_debugging agent_tool_chaining long_coherent_output "
      "(Pro).\n"
      "Exit status 1 when a request could not be read (the others are still reported).");
  cmd->add_option("file", args->file, "Requests (JSON or JSONL); '-' or nothing reads standard input")
      ->type_name("FILE");
  cmd->add_flag("--json", args->json,
                "One JSON line per request: {\"id\", \"tier\", \"model\", \"effort\", \"cascade\", \"category\", "
                "\"confidence\", \"input_tokens\", \"p_pro\", \"reason\"}; p_pro is the model's probability that "
                "the request needs Pro");
  cmd->add_option("--eval", args->eval_file,
                  "Labelled requests to measure the router on; it also prices them as routed, as labelled and "
                  "all-Pro")
      ->type_name("FILE");
  cmd->add_option("--at", args->at, "With --eval: price at the rates in force at this time (default now)")
      ->type_name("TIME");
  cmd->add_option("--output-per-request", args->output_per_request,
                  "With --eval: output tokens assumed for each request when pricing")
      ->capture_default_str();
  add_book_options(*cmd, args->book);
  cmd->add_flag("--misses", args->show_misses,
                "With --eval: list each request that got the wrong tier, with the reason");
  cmd->add_option("--policy", args->policy_file, "Routing policy (TOML) instead of the built-in data/routing.toml")
      ->type_name("FILE");
  cmd->add_option("--model", args->model_file,
                  "Route by a model learned from outcomes (`flashfirst route train --out`): Pro when its "
                  "P(Pro needed) reaches --threshold")
      ->type_name("MODEL");
  cmd->add_option("--threshold", args->threshold,
                  "The policy's model_threshold: P(Pro needed) from which a request goes to Pro with a learned "
                  "model (default 0.5), or the tier model's P(Pro) without one (default 0.6)")
      ->type_name("P");
  cmd->add_option("--key", args->key, "Route as this virtual key (for per-key overrides in the policy)")
      ->type_name("NAME");
  cmd->add_option("--tier", args->tier_header, "Route as if the request carried x-flashfirst-tier: pro|flash")
      ->type_name("pro|flash");
  cmd->add_flag("--exact-tokens", args->exact_tokens,
                "Count input tokens with the exact DeepSeek tokenizer (default: the documented ratio estimate, "
                "which is what the gateway uses for speed)");
  register_route_train(*cmd, exit_code);
  cmd->callback([cmd, args, &exit_code] {
    if (!cmd->get_subcommands().empty()) return;  // `route train` ran
    exit_code = run_route(*args);
  });
}

}  // namespace ff::cli
