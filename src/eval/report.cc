#include "eval/report.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/json_writer.h"
#include "core/text.h"
#include "report/html.h"
#include "report/svg_chart.h"
#include "report/text_table.h"

namespace ff::eval {

namespace {

constexpr std::array<const char*, 2> kNames = {"Flash", "Pro"};

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

std::string pct(double x) { return fmt::format("{:.1f}%", 100 * x); }

core::Money per_pass(const ModelStats& m) {
  return m.passed ? core::Money::from_femto(m.cost.femto() / m.passed) : core::Money{};
}
// An amount for people: "$0.0000426" (the JSON report keeps every digit).
std::string usd(core::Money m) { return core::display_money(m, "USD"); }

void finish(GroupStats& g) {
  for (ModelStats& m : g.model) m.ci = wilson95(m.passed, m.runs);
  g.p = mcnemar_exact(g.only_flash, g.only_pro);
  if (g.pairs == 0) {
    g.verdict = "no answers to compare";
  } else if (g.only_pro > g.only_flash && g.p < 0.05) {
    g.pro_needed = true;
    g.verdict = fmt::format("Pro needed (p = {:.3g}; Flash fails {} more of {})", g.p, g.only_pro - g.only_flash,
                            g.pairs);
  } else if (g.only_pro > g.only_flash) {
    g.more_pairs = pairs_to_decide(g.pairs, g.only_flash, g.only_pro);
    g.verdict = g.more_pairs ? fmt::format("not enough cases: about {} more paired answers would decide it (p = {:.2f})",
                                           *g.more_pairs, g.p)
                             : fmt::format("Flash holds (p = {:.2f})", g.p);
  } else {
    g.verdict = "Flash holds";
  }
}

}  // namespace

Report summarize(const Suite& suite, const RunResult& run, int repeat) {
  Report r;
  r.repeat = repeat;
  r.judge_calls = run.judge_calls;
  r.judge_cost = run.judge_cost;
  r.resumed = run.resumed;
  r.overall.category = "overall";
  std::map<std::string, GroupStats> groups;
  for (std::size_t c = 0; c < suite.cases.size(); ++c) {
    const std::string cat = suite.cases[c].category.empty() ? "(none)" : suite.cases[c].category;
    GroupStats& g = groups[cat];
    g.category = cat;
    ++g.cases;
    ++r.overall.cases;
    for (GroupStats* target : {&g, &r.overall}) {
      for (int m = 0; m < 2; ++m) {
        for (const CallResult& cr : run.calls[c][static_cast<std::size_t>(m)]) {
          ModelStats& s = target->model[static_cast<std::size_t>(m)];
          if (cr.error) {
            ++s.errors;
            continue;
          }
          ++s.runs;
          s.passed += cr.verdict.pass ? 1 : 0;
          if (!cr.verdict.pass && !cr.form_failure.empty()) ++s.failures_in_form;
          s.cost += cr.answer.cost;
          s.latencies_ms.push_back(cr.answer.latency_ms);
        }
      }
      for (int rep = 0; rep < repeat; ++rep) {
        const CallResult& f = run.calls[c][0][static_cast<std::size_t>(rep)];
        const CallResult& p = run.calls[c][1][static_cast<std::size_t>(rep)];
        if (f.error || p.error) continue;
        ++target->pairs;
        if (f.verdict.pass && !p.verdict.pass) ++target->only_flash;
        if (!f.verdict.pass && p.verdict.pass) ++target->only_pro;
      }
    }
  }
  for (auto& [name, g] : groups) {
    finish(g);
    r.categories.push_back(std::move(g));
  }
  finish(r.overall);
  return r;
}

std::string report_text(const Suite& suite, const RunResult& run, const Report& r, bool per_case) {
  using Align = report::TextTable::Align;
  std::string out;
  if (per_case) {
    report::TextTable cases(
        {"case", "category", "Flash", "Pro", "Flash cost", "Pro cost", "ms Flash/Pro", "why Flash failed"},
        {Align::kLeft, Align::kLeft, Align::kLeft, Align::kLeft, Align::kRight, Align::kRight, Align::kRight,
         Align::kLeft});
    for (std::size_t c = 0; c < suite.cases.size(); ++c) {
      for (int rep = 0; rep < r.repeat; ++rep) {
        std::array<std::string, 2> verdicts, costs;
        for (int m = 0; m < 2; ++m) {
          const CallResult& cr = run.calls[c][static_cast<std::size_t>(m)][static_cast<std::size_t>(rep)];
          verdicts[static_cast<std::size_t>(m)] = cr.error ? "error" : cr.verdict.pass ? "pass" : "fail";
          costs[static_cast<std::size_t>(m)] = cr.error ? "-" : usd(cr.answer.cost);
        }
        const CallResult& f = run.calls[c][0][static_cast<std::size_t>(rep)];
        std::string why = f.error ? f.error_message : f.verdict.failures.empty() ? "" : f.verdict.failures.front();
        if (why.size() > 70) why = why.substr(0, 67) + "...";
        const CallResult& p = run.calls[c][1][static_cast<std::size_t>(rep)];
        cases.add_row({r.repeat > 1 ? fmt::format("{} #{}", suite.cases[c].id, rep + 1) : suite.cases[c].id,
                       suite.cases[c].category, verdicts[0], verdicts[1], costs[0], costs[1],
                       fmt::format("{:.0f}/{:.0f}", f.answer.latency_ms, p.answer.latency_ms), why});
      }
    }
    out += cases.render() + "\n";
  }
  report::TextTable t({"category", "cases", "Flash pass (95% CI)", "Pro pass (95% CI)", "only Flash/only Pro",
                       "$/pass Flash", "$/pass Pro", "p50/p95 ms Flash", "verdict"},
                      {Align::kLeft, Align::kRight, Align::kRight, Align::kRight, Align::kRight, Align::kRight,
                       Align::kRight, Align::kRight, Align::kLeft});
  auto row = [&](const GroupStats& g) {
    std::array<std::string, 2> pass;
    for (int m = 0; m < 2; ++m) {
      const ModelStats& s = g.model[static_cast<std::size_t>(m)];
      pass[static_cast<std::size_t>(m)] =
          s.runs ? fmt::format("{} ({:.0f}-{:.0f}%)", pct(s.pass_rate()), 100 * s.ci.low, 100 * s.ci.high) : "-";
    }
    const ModelStats& f = g.model[0];
    t.add_row({g.category, std::to_string(g.cases), pass[0], pass[1], fmt::format("{}/{}", g.only_flash, g.only_pro),
               f.passed ? usd(per_pass(f)) : "-", g.model[1].passed ? usd(per_pass(g.model[1])) : "-",
               f.runs ? fmt::format("{:.0f}/{:.0f}", percentile(f.latencies_ms, 0.5), percentile(f.latencies_ms, 0.95))
                      : "-",
               g.verdict});
  };
  for (const GroupStats& g : r.categories) row(g);
  row(r.overall);
  out += t.render();
  const std::int64_t errors = r.overall.model[0].errors + r.overall.model[1].errors;
  out += fmt::format("\n{} over {}; {} paired. Pro answered at {} per passing answer against Flash's {}.\n",
                     core::count_of(r.overall.model[0].runs + r.overall.model[1].runs + errors, "call"),
                     core::count_of(r.overall.cases, "case"), core::count_of(r.overall.pairs, "answer"),
                     usd(per_pass(r.overall.model[1])), usd(per_pass(r.overall.model[0])));
  if (errors > 0) out += fmt::format("{} (left out of the rates).\n", core::count_of(errors, "call errored", "calls errored"));
  if (r.judge_calls > 0) {
    out += fmt::format("The llm-rubric judge made {} costing {} (not in the models' costs).\n",
                       core::count_of(r.judge_calls, "call"), usd(r.judge_cost));
  }
  if (r.resumed > 0) out += fmt::format("Resumed: {} came from the journal.\n", core::count_of(r.resumed, "call"));
  return out;
}

namespace {

void group_json(core::JsonWriter& w, const GroupStats& g) {
  w.begin_object().key("category").value(g.category).key("cases").value(g.cases);
  for (int m = 0; m < 2; ++m) {
    const ModelStats& s = g.model[static_cast<std::size_t>(m)];
    w.key(m == 0 ? "flash" : "pro").begin_object();
    w.key("runs").value(s.runs).key("passed").value(s.passed).key("errors").value(s.errors);
    w.key("pass_rate").number_text(fmt::format("{:.4f}", s.pass_rate()));
    w.key("ci95").begin_array().number_text(fmt::format("{:.4f}", s.ci.low)).number_text(fmt::format("{:.4f}", s.ci.high));
    w.end_array();
    w.key("failures_in_form").value(s.failures_in_form);
    w.key("cost").value(s.cost.to_decimal()).key("cost_per_pass").value(s.passed ? per_pass(s).to_decimal() : "");
    w.key("latency_ms").begin_object().key("p50").number_text(fmt::format("{:.1f}", percentile(s.latencies_ms, 0.5)));
    w.key("p95").number_text(fmt::format("{:.1f}", percentile(s.latencies_ms, 0.95))).end_object();
    w.end_object();
  }
  w.key("pairs").value(g.pairs).key("only_flash").value(g.only_flash).key("only_pro").value(g.only_pro);
  w.key("mcnemar_p").number_text(fmt::format("{:.6g}", g.p));
  if (g.more_pairs) {
    w.key("more_cases_to_decide").value(*g.more_pairs);
  } else {
    w.key("more_cases_to_decide").null();
  }
  w.key("pro_needed").value(g.pro_needed).key("verdict").value(g.verdict).end_object();
}

}  // namespace

std::string report_json(const Suite& suite, const RunResult& run, const Report& r) {
  core::JsonWriter w;
  w.begin_object().key("suite").value(suite.path).key("cases").value(static_cast<std::int64_t>(suite.cases.size()));
  w.key("repeat").value(static_cast<std::int64_t>(r.repeat));
  w.key("overall");
  group_json(w, r.overall);
  w.key("categories").begin_array();
  for (const GroupStats& g : r.categories) group_json(w, g);
  w.end_array();
  w.key("judge").begin_object().key("calls").value(r.judge_calls).key("cost").value(r.judge_cost.to_decimal()).end_object();
  w.key("results").begin_array();
  for (std::size_t c = 0; c < suite.cases.size(); ++c) {
    for (int rep = 0; rep < r.repeat; ++rep) {
      w.begin_object().key("id").value(suite.cases[c].id).key("category").value(suite.cases[c].category);
      w.key("repeat").value(static_cast<std::int64_t>(rep + 1));
      for (int m = 0; m < 2; ++m) {
        const CallResult& cr = run.calls[c][static_cast<std::size_t>(m)][static_cast<std::size_t>(rep)];
        w.key(m == 0 ? "flash" : "pro").begin_object();
        w.key("status").value(cr.error ? "error" : cr.verdict.pass ? "pass" : "fail");
        if (cr.error) w.key("error").value(cr.error_message);
        w.key("score").number_text(fmt::format("{:.4f}", cr.verdict.score));
        w.key("failures").begin_array();
        for (const std::string& f : cr.verdict.failures) w.value(f);
        w.end_array();
        w.key("answer").value(cr.answer.content).key("finish_reason").value(cr.answer.finish_reason);
        w.key("cost").value(cr.answer.cost.to_decimal());
        w.key("latency_ms").number_text(fmt::format("{:.1f}", cr.answer.latency_ms)).end_object();
      }
      w.end_object();
    }
  }
  w.end_array().end_object();
  return w.str() + "\n";
}

std::string report_html(const Suite& suite, const RunResult& run, const Report& r) {
  using report::xml_escape;
  const GroupStats& o = r.overall;
  int needed = 0;
  for (const GroupStats& g : r.categories) needed += g.pro_needed ? 1 : 0;
  std::string body = fmt::format("<h1>Flash against Pro: {}</h1>\n", xml_escape(suite.path));
  body += report::cards({
      report::card("Flash passes", pct(o.model[0].pass_rate()), {fmt::format("{} answers", o.model[0].runs)}),
      report::card("Pro passes", pct(o.model[1].pass_rate()), {fmt::format("{} answers", o.model[1].runs)}),
      report::card("Cost per passing answer", usd(per_pass(o.model[0])) + " / " + usd(per_pass(o.model[1])),
                   {"Flash / Pro"}),
      report::card("Categories that need Pro", fmt::format("{} of {}", needed, r.categories.size()),
                   {"Pro passes significantly more (p &lt; 0.05)"}),
  });
  std::vector<std::vector<std::string>> rows;
  auto row = [&](const GroupStats& g) {
    rows.push_back({xml_escape(g.category), std::to_string(g.cases),
                    fmt::format("{} ({:.0f}&ndash;{:.0f}%)", pct(g.model[0].pass_rate()), 100 * g.model[0].ci.low,
                                100 * g.model[0].ci.high),
                    fmt::format("{} ({:.0f}&ndash;{:.0f}%)", pct(g.model[1].pass_rate()), 100 * g.model[1].ci.low,
                                100 * g.model[1].ci.high),
                    fmt::format("{} / {}", g.only_flash, g.only_pro), usd(per_pass(g.model[0])),
                    usd(per_pass(g.model[1])),
                    fmt::format("<span class=\"tag {}\">{}</span>", g.pro_needed ? "pro" : "flash",
                                xml_escape(g.verdict))});
  };
  for (const GroupStats& g : r.categories) row(g);
  row(o);
  std::vector<report::Point> points;
  for (const GroupStats& g : r.categories) {
    points.push_back({g.category, 100 * g.model[0].pass_rate(), 100 * g.model[1].pass_rate(), g.pro_needed});
  }
  std::vector<std::vector<std::string>> cases;
  auto cell = [](const CallResult& cr) {
    const std::string verdict = cr.error ? "error" : cr.verdict.pass ? "pass" : "fail";
    return std::pair{fmt::format("{}<br>{}, {:.0f} ms", verdict, usd(cr.answer.cost), cr.answer.latency_ms),
                     xml_escape(cr.error ? cr.error_message : cr.answer.content.substr(0, 160))};
  };
  for (std::size_t c = 0; c < suite.cases.size(); ++c) {
    auto [fv, fa] = cell(run.calls[c][0][0]);
    auto [pv, pa] = cell(run.calls[c][1][0]);
    cases.push_back({xml_escape(suite.cases[c].id), xml_escape(suite.cases[c].category), fv, fa, pv, pa});
  }
  body += report::grid({
      report::panel("Per category",
                    report::table("Pass rates per category, Flash and Pro",
                                  {"Category", "Cases", "Flash passes", "Pro passes", "Only Flash / only Pro",
                                   "$ per pass, Flash", "$ per pass, Pro", "Verdict"},
                                  rows, {false, true, true, true, true, true, true, false}),
                    true),
      report::panel("Flash against Pro per category",
                    report::scatter_chart("Pass rate per category: Flash (x) against Pro (y); filled: Pro needed",
                                          points, "Flash pass rate (%)", "Pro pass rate (%)"),
                    true),
      report::panel("Cases",
                    report::table("Each case's answers", {"Case", "Category", "Flash", "Flash's answer", "Pro",
                                                          "Pro's answer"},
                                  cases, {}, /*wrap=*/true),
                    true),
  });
  return report::page("flashfirst eval", body);
}

std::string policy_toml(const Report& r, core::Money failure_cost) {
  static constexpr const char* kRouterCategories[] = {
      "summarization",        "translation",        "classification",      "straightforward_qa",
      "rag",                  "structured_content", "coding_moderate",     "multi_step_reasoning",
      "codebase_debugging",   "agent_tool_chaining", "long_coherent_output"};
  std::string out =
      "# Routing policy written by `flashfirst eval --write-policy` from measured outcomes.\n"
      "# A category goes to Pro only where Pro passes significantly more often (exact McNemar, p < 0.05)\n"
      "# and Flash's extra failures, at " +
      (fmt::format("${}", failure_cost.to_decimal())) +
      " each, cost more than Pro's extra price per request.\n"
      "# Categories not measured keep the router's defaults. Use it: flashfirst serve --policy FILE\n\n";
  for (const GroupStats& g : r.categories) {
    const bool known = std::find(std::begin(kRouterCategories), std::end(kRouterCategories), g.category) !=
                       std::end(kRouterCategories);
    const ModelStats& f = g.model[0];
    const ModelStats& p = g.model[1];
    // Per request: Flash's extra failures priced, against Pro's extra cost.
    const double extra_fail = g.pairs ? static_cast<double>(g.only_pro - g.only_flash) / static_cast<double>(g.pairs) : 0;
    const core::Money mean_flash = f.runs ? core::Money::from_femto(f.cost.femto() / f.runs) : core::Money{};
    const core::Money mean_pro = p.runs ? core::Money::from_femto(p.cost.femto() / p.runs) : core::Money{};
    const core::Money extra_price = mean_pro - mean_flash;
    const auto failures_cost = core::Money::from_femto(static_cast<core::int128>(
        std::llround(extra_fail * static_cast<double>(failure_cost.femto()))));
    const bool pro = g.pro_needed && failures_cost > extra_price;
    const std::string why = fmt::format(
        "Flash {} vs Pro {} of {} paired; p = {:.3g}; Flash's extra failures cost ${} per request, Pro's extra "
        "price ${}",
        pct(f.pass_rate()), pct(p.pass_rate()), g.pairs, g.p, failures_cost.to_decimal(), extra_price.to_decimal());
    if (g.pairs == 0) {
      out += fmt::format("# {}: no answers of both models to compare; left to the router's default\n\n", g.category);
      continue;
    }
    if (!known) {
      out += fmt::format("# {}: not a router category; measured {} ({})\n\n", g.category, pro ? "Pro" : "Flash", why);
      continue;
    }
    out += fmt::format("# {}\n[category.{}]\ntier = \"{}\"\n\n", why, g.category, pro ? "pro" : "flash");
  }
  return out;
}

std::string quality_toml(const Report& r, const std::string& suite_path) {
  std::string out = fmt::format(
      "# Failure priors measured by `flashfirst eval --write-quality` on {}.\n"
      "# flash, pro: the share of answers that failed the suite's checks; checkable: the share of Flash's\n"
      "# failures the cascade's check sees (cut, empty, invalid JSON, tool arguments off the schema).\n"
      "# Use it: flashfirst simulate --quality FILE, flashfirst sim --quality FILE.\n\n"
      "[effort]\n# Measured at the effort the suite ran with; the multipliers are the shipped ones.\n"
      "none = 1.3\nlow = 1.15\nhigh = 1.0\nmax = 0.75\n",
      suite_path);
  for (const GroupStats& g : r.categories) {
    const ModelStats& f = g.model[0];
    const ModelStats& p = g.model[1];
    if (f.runs == 0 || p.runs == 0) continue;
    const std::int64_t flash_failures = f.runs - f.passed;
    const double checkable = flash_failures ? static_cast<double>(f.failures_in_form) / static_cast<double>(flash_failures) : 0;
    out += fmt::format(
        "\n[[category]]\nname = \"{}\"\nflash = {:.4f}\npro = {:.4f}\nsource = \"measured: Flash failed {} of {}, Pro "
        "{} of {} ({})\"\ncheckable = {:.4f}\ncheckable_source = \"measured: {} of Flash's {} showed in the answer's "
        "form\"\n",
        g.category, 1 - f.pass_rate(), 1 - p.pass_rate(), flash_failures, f.runs, p.runs - p.passed, p.runs,
        suite_path, checkable, f.failures_in_form, core::count_of(flash_failures, "failure"));
  }
  return out;
}

std::string outcomes_jsonl(const Suite& suite, const RunResult& run) {
  std::string out;
  for (std::size_t c = 0; c < suite.cases.size(); ++c) {
    std::array<double, 2> score{};
    std::array<int, 2> runs{};
    for (int m = 0; m < 2; ++m) {
      for (const CallResult& cr : run.calls[c][static_cast<std::size_t>(m)]) {
        if (cr.error) continue;
        ++runs[static_cast<std::size_t>(m)];
        score[static_cast<std::size_t>(m)] += cr.verdict.pass ? 1 : 0;
      }
    }
    if (runs[0] == 0 || runs[1] == 0) continue;
    for (int m = 0; m < 2; ++m) score[static_cast<std::size_t>(m)] /= runs[static_cast<std::size_t>(m)];
    core::JsonWriter w(true);
    w.begin_object().key("id").value(suite.cases[c].id).key("request").number_text(suite.cases[c].request);
    w.key("category").value(suite.cases[c].category);
    w.key("flash_ok").value(score[0] >= 0.5).key("pro_ok").value(score[1] >= 0.5);
    w.key("flash_score").number_text(fmt::format("{:.4f}", score[0]));
    w.key("pro_score").number_text(fmt::format("{:.4f}", score[1])).end_object();
    out += w.str() + "\n";
  }
  return out;
}

}  // namespace ff::eval
