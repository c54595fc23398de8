// flashfirst route: the router's decision for requests in a file, or its
// accuracy on labelled requests (--eval).
#include <unistd.h>

#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <simdjson.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "report/json_writer.h"
#include "report/text_table.h"
#include "router/evaluation.h"
#include "router/router.h"
#include "tokenizer/tokenizer.h"

namespace ff::cli {

namespace {

namespace dom = simdjson::dom;

struct RouteArgs {
  std::string file;
  std::string eval_file;
  std::string policy_file;
  std::string key;
  std::string tier_header;
  bool json = false;
  bool exact_tokens = false;
  bool show_misses = false;
};

// One input request: its id (raw JSON, or empty), its body, or why it is unusable.
struct Item {
  std::int64_t line = 0;
  std::string id;  // as JSON text: "\"q1\"" or "17"
  std::string body;
  std::string error;
  // --eval labels
  std::optional<router::Category> category;
  std::optional<core::Tier> tier;
};

std::string id_text(const Item& it) {
  if (it.id.empty()) return fmt::format("line {}", it.line);
  std::string s = it.id;
  if (s.size() >= 2 && s.front() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

// Reads one JSONL line: a bare request, or {"id", "request"} (with "category"
// and "tier" labels when `labelled`).
Item read_item(dom::parser& parser, std::string_view line, std::int64_t number, bool labelled) {
  Item it;
  it.line = number;
  dom::element root;
  if (auto err = parser.parse(line.data(), line.size()).get(root)) {
    it.error = fmt::format("not valid JSON: {}", simdjson::error_message(err));
    return it;
  }
  if (root.type() != dom::element_type::OBJECT) {
    it.error = "a line must be a JSON object";
    return it;
  }
  dom::element id, request;
  if (root["id"].get(id) == simdjson::SUCCESS) it.id = simdjson::to_string(id);
  if (root["request"].get(request) == simdjson::SUCCESS) {
    it.body = simdjson::to_string(request);
  } else if (labelled) {
    it.error = "a labelled line needs {\"id\", \"category\", \"tier\", \"request\": {...}}";
    return it;
  } else {
    it.body = std::string(line);
  }
  if (labelled) {
    std::string_view s;
    if (root["category"].get_string().get(s) || !(it.category = router::parse_category(s))) {
      it.error = "field `category` must name one of the router's 11 categories";
      return it;
    }
    if (root["tier"].get_string().get(s) || (s != "flash" && s != "pro")) {
      it.error = "field `tier` must be \"flash\" or \"pro\"";
      return it;
    }
    it.tier = s == "pro" ? core::Tier::kPro : core::Tier::kFlash;
  }
  return it;
}

// The requests of an input: one JSON document, or JSON Lines.
std::vector<Item> read_items(const std::string& text, bool labelled) {
  dom::parser parser;
  std::vector<Item> items;
  dom::element whole;
  std::string_view all = text;
  // One document (possibly pretty-printed over many lines), else JSON Lines.
  if (!labelled && parser.parse(all.data(), all.size()).get(whole) == simdjson::SUCCESS) {
    items.push_back(read_item(parser, all, 1, labelled));
    return items;
  }
  std::int64_t number = 0;
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t nl = all.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? all.size() : nl;
    std::string_view line = all.substr(start, end - start);
    ++number;
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    items.push_back(read_item(parser, line, number, labelled));
  }
  return items;
}

std::string percent(std::int64_t n, std::int64_t d) { return d == 0 ? "-" : fmt::format("{:.1f}%", 100.0 * n / d); }

int run_eval(const RouteArgs& a, const router::Router& r, const std::string& text) {
  std::vector<Item> items = read_items(text, true);
  router::RouteEvaluation ev;
  int bad = 0;
  for (const Item& it : items) {
    if (!it.error.empty()) {
      fmt::print(stderr, "flashfirst route: {}:{}: {}\n", a.eval_file, it.line, it.error);
      ++bad;
      continue;
    }
    // A request the router cannot read still gets the gateway's safe default.
    router::Decision d = r.route_or_default(it.body, {a.key, a.tier_header});
    ev.add(id_text(it), *it.category, *it.tier, d.category, d.tier, d.reason);
  }
  if (ev.total() == 0) return fail("route", kExitUsage, fmt::format("{}: no labelled requests", a.eval_file));

  const auto& pc = ev.per_category();
  if (a.json) {
    report::JsonWriter w;
    w.begin_object();
    w.key("requests").value(ev.total());
    w.key("tier_accuracy").number_text(fmt::format("{:.4f}", double(ev.tier_correct()) / ev.total()));
    w.key("category_accuracy").number_text(fmt::format("{:.4f}", double(ev.category_correct()) / ev.total()));
    w.key("pro_recall").number_text(ev.pro_expected() ? fmt::format("{:.4f}", double(ev.pro_recalled()) / ev.pro_expected()) : "null");
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
    w.end_object();
    fmt::print("{}\n", w.str());
    return bad ? kExitFailure : kExitOk;
  }

  fmt::print("Router evaluation on {} ({} labelled requests{})\n\n", a.eval_file, ev.total(),
             bad ? fmt::format(", {} unreadable lines skipped", bad) : "");
  fmt::print("  tier accuracy      {:>7}  ({} of {})\n", percent(ev.tier_correct(), ev.total()), ev.tier_correct(), ev.total());
  fmt::print("  Pro recall         {:>7}  ({} of {} that need Pro got it)\n", percent(ev.pro_recalled(), ev.pro_expected()),
             ev.pro_recalled(), ev.pro_expected());
  fmt::print("  Pro share          {:>7}  ({} routed to Pro)\n", percent(ev.pro_routed(), ev.total()), ev.pro_routed());
  fmt::print("  category accuracy  {:>7}  ({} of {})\n\n", percent(ev.category_correct(), ev.total()), ev.category_correct(),
             ev.total());

  report::TextTable per({"category", "tier", "requests", "category right", "tier right"},
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
    std::vector<std::string> row{fmt::format("{} {}", kCodes[e], router::category_name(static_cast<router::Category>(e)))};
    for (std::size_t g = 0; g < router::kCategoryCount; ++g) {
      row.push_back(ev.confusion()[e][g] ? std::to_string(ev.confusion()[e][g]) : ".");
    }
    conf.add_row(std::move(row));
  }
  fmt::print("Confusion matrix (rows: labelled category, columns: routed category)\n{}\n", conf.render());

  if (!ev.tier_misses().empty()) {
    if (a.show_misses) {
      fmt::print("Wrong tier:\n");
      for (const auto& m : ev.tier_misses()) {
        fmt::print("  {}: labelled {} ({}), routed {} ({}): {}\n", m.id, router::category_name(m.expected_category),
                   core::tier_name(m.expected_tier), router::category_name(m.got_category), core::tier_name(m.got_tier),
                   m.reason);
      }
    } else {
      fmt::print("{} requests got the wrong tier; --misses lists them with the router's reasons.\n", ev.tier_misses().size());
    }
  }
  return bad ? kExitFailure : kExitOk;
}

int run_route(const RouteArgs& a) {
  auto policy = a.policy_file.empty() ? router::Policy::embedded() : router::Policy::load_file(a.policy_file);
  if (!policy.ok()) return fail("route", kExitUsage, policy.error().message);
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
  std::vector<Item> items = read_items(*text, false);
  if (items.empty()) return fail("route", kExitUsage, "no requests in the input");

  int bad = 0;
  std::string out;
  report::TextTable table({"request", "tier", "model", "category", "confidence", "reason"},
                          {report::TextTable::Align::kLeft, report::TextTable::Align::kLeft, report::TextTable::Align::kLeft,
                           report::TextTable::Align::kLeft, report::TextTable::Align::kRight, report::TextTable::Align::kLeft});
  for (const Item& it : items) {
    std::string error = it.error;
    router::Decision d;
    if (error.empty()) {
      auto res = r.route(it.body, {a.key, a.tier_header});
      if (res.ok()) {
        d = std::move(*res);
      } else {
        error = res.error().message;
      }
    }
    if (!error.empty()) {
      ++bad;
      if (a.json) {
        report::JsonWriter w(true);
        w.begin_object();
        if (!it.id.empty()) w.key("id").number_text(it.id);
        w.key("line").value(it.line).key("error").value(error).end_object();
        out += w.str() + "\n";
      } else {
        fmt::print(stderr, "flashfirst route: {}: {}\n", id_text(it), error);
      }
      continue;
    }
    if (a.json) {
      report::JsonWriter w(true);
      w.begin_object();
      if (!it.id.empty()) w.key("id").number_text(it.id);
      w.key("tier").value(core::tier_name(d.tier));
      w.key("model").value(d.model);
      w.key("effort").value(d.effort);
      w.key("cascade").value(d.cascade);
      w.key("category").value(router::category_name(d.category));
      w.key("confidence").number_text(fmt::format("{:.3f}", d.confidence));
      w.key("input_tokens").value(d.input_tokens);
      w.key("reason").value(d.reason);
      w.end_object();
      out += w.str() + "\n";
    } else {
      table.add_row({id_text(it), core::tier_name(d.tier), d.model, router::category_name(d.category),
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
      "coding_moderate (Flash); multi_step_reasoning codebase_debugging agent_tool_chaining long_coherent_output (Pro).\n"
      "Exit status 1 when a request could not be read (the others are still reported).");
  cmd->add_option("file", args->file, "Requests (JSON or JSONL); '-' or nothing reads standard input")->type_name("FILE");
  cmd->add_flag("--json", args->json,
                "One JSON line per request: {\"id\", \"tier\", \"model\", \"effort\", \"cascade\", \"category\", "
                "\"confidence\", \"input_tokens\", \"reason\"}");
  cmd->add_option("--eval", args->eval_file, "Labelled requests to measure the router on")->type_name("FILE");
  cmd->add_flag("--misses", args->show_misses, "With --eval: list each request that got the wrong tier, with the reason");
  cmd->add_option("--policy", args->policy_file, "Routing policy (TOML) instead of the built-in data/routing.toml")
      ->type_name("FILE");
  cmd->add_option("--key", args->key, "Route as this virtual key (for per-key overrides in the policy)")->type_name("NAME");
  cmd->add_option("--tier", args->tier_header, "Route as if the request carried x-flashfirst-tier: pro|flash")
      ->type_name("pro|flash");
  cmd->add_flag("--exact-tokens", args->exact_tokens,
                "Count input tokens with the exact DeepSeek tokenizer (default: the documented ratio estimate, "
                "which is what the gateway uses for speed)");
  cmd->callback([args, &exit_code] { exit_code = run_route(*args); });
}

}  // namespace ff::cli
