#include "planner/advisor.h"

#include <simdjson.h>

#include <algorithm>
#include <iterator>
#include <cmath>

#include <fmt/format.h>

#include "core/config_file.h"
#include "core/json_writer.h"
#include "report/text_table.h"

namespace ff::planner {

using core::Money;

const std::vector<std::string>& task_categories() {
  static const std::vector<std::string> kCategories = {
      "summarization",       "translation",     "classification",       "straightforward_qa", "rag",
      "structured_content",  "coding_moderate", "multi_step_reasoning", "codebase_debugging", "agent_tool_chaining",
      "long_coherent_output"};
  return kCategories;
}

bool is_pro_category(const std::string& c) {
  return c == "multi_step_reasoning" || c == "codebase_debugging" || c == "agent_tool_chaining" ||
         c == "long_coherent_output";
}

std::optional<std::string> category_from_word(std::string w) {
  std::string s;
  for (char c : w) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == ' ' || c == '-') c = '_';
    s.push_back(c);
  }
  while (!s.empty() && s.front() == '_') s.erase(s.begin());
  while (!s.empty() && s.back() == '_') s.pop_back();
  for (const std::string& c : task_categories()) {
    if (s == c) return c;
  }
  static const std::map<std::string, std::string> kWords = {
      {"summaries", "summarization"},
      {"summary", "summarization"},
      {"summarize", "summarization"},
      {"translate", "translation"},
      {"classify", "classification"},
      {"labeling", "classification"},
      {"qa", "straightforward_qa"},
      {"q&a", "straightforward_qa"},
      {"questions", "straightforward_qa"},
      {"retrieval", "rag"},
      {"search", "rag"},
      {"extraction", "structured_content"},
      {"json", "structured_content"},
      {"structured", "structured_content"},
      {"formatting", "structured_content"},
      {"content", "structured_content"},
      {"emails", "structured_content"},
      {"coding", "coding_moderate"},
      {"code", "coding_moderate"},
      {"sql", "coding_moderate"},
      {"reasoning", "multi_step_reasoning"},
      {"math", "multi_step_reasoning"},
      {"planning", "multi_step_reasoning"},
      {"debugging", "codebase_debugging"},
      {"debug", "codebase_debugging"},
      {"agents", "agent_tool_chaining"},
      {"agent", "agent_tool_chaining"},
      {"tools", "agent_tool_chaining"},
      {"long_output", "long_coherent_output"},
      {"long_form", "long_coherent_output"},
      {"reports", "long_coherent_output"},
  };
  auto it = kWords.find(s);
  if (it == kWords.end()) return std::nullopt;
  return it->second;
}

core::Result<std::map<std::string, double>> parse_mix(const std::string& spec) {
  std::map<std::string, double> mix;
  size_t start = 0;
  while (start < spec.size()) {
    size_t comma = spec.find(',', start);
    std::string part = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? spec.size() : comma + 1;
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (part.empty()) continue;
    double share = 1;
    std::string name = part;
    if (size_t eq = part.find('='); eq != std::string::npos) {
      name = part.substr(0, eq);
      try {
        size_t used = 0;
        share = std::stod(part.substr(eq + 1), &used);
        if (used != part.size() - eq - 1) throw std::invalid_argument("trailing");
      } catch (const std::exception&) {
        return core::make_error(fmt::format("mix: '{}' is not a share (use category=0.3)", part));
      }
      if (!(share >= 0)) return core::make_error(fmt::format("mix: the share of '{}' is negative", name));
    }
    auto category = category_from_word(name);
    if (!category) {
      std::string list;
      for (const auto& c : task_categories()) list += (list.empty() ? "" : ", ") + c;
      return core::make_error(fmt::format("mix: '{}' is not a task category ({})", name, list));
    }
    mix[*category] += share;
  }
  double total = 0;
  for (const auto& [c, s] : mix) total += s;
  if (mix.empty() || total <= 0) return core::make_error("mix: give at least one category with a positive share");
  for (auto& [c, s] : mix) s /= total;
  return mix;
}

std::optional<Access> parse_access(std::string_view w) {
  if (w == "api") return Access::kApi;
  if (w == "subscription") return Access::kSubscription;
  return std::nullopt;
}

std::optional<WrongAnswerCost> parse_wrong_answer_cost(std::string_view w) {
  if (w == "low") return WrongAnswerCost::kLow;
  if (w == "medium") return WrongAnswerCost::kMedium;
  if (w == "high") return WrongAnswerCost::kHigh;
  return std::nullopt;
}

namespace {

// The fields of a workload profile file, JSON or TOML.
constexpr std::string_view kProfileFields[] = {"mix", "output_tokens_per_month", "input_tokens_per_month",
                                               "cache_hit_rate", "access", "wrong_answer_cost"};

std::string profile_field_list() {
  std::string list;
  for (std::string_view f : kProfileFields) list.append(list.empty() ? "" : ", ").append(f);
  return list;
}

}  // namespace

core::Result<WorkloadProfile> parse_profile(std::string_view text, const std::string& source) {
  WorkloadProfile p;
  auto bad = [&](const std::string& what) { return core::make_error(fmt::format("{}: {}", source, what)); };
  std::string mix_spec;
  std::string access = "api", wrong = "medium";
  std::optional<double> out, in, hit;
  auto trimmed = text.substr(std::min(text.size(), text.find_first_not_of(" \t\r\n")));
  if (!trimmed.empty() && trimmed.front() == '{') {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (auto err = parser.parse(trimmed.data(), trimmed.size()).get(root)) {
      return bad(fmt::format("not valid JSON: {}", simdjson::error_message(err)));
    }
    simdjson::dom::object top;
    if (root.get_object().get(top)) return bad("must be a JSON object");
    for (auto [k, v] : top) {
      if (std::find(std::begin(kProfileFields), std::end(kProfileFields), std::string_view(k)) == std::end(kProfileFields)) {
        return bad(fmt::format("{}: unknown field (expected {})", std::string_view(k), profile_field_list()));
      }
    }
    simdjson::dom::object mix;
    if (!root["mix"].get_object().get(mix)) {
      for (auto [k, v] : mix) {
        double share;
        if (v.get_double().get(share)) return bad(fmt::format("mix.{}: must be a number", std::string_view(k)));
        mix_spec += fmt::format("{}{}={}", mix_spec.empty() ? "" : ",", std::string_view(k), share);
      }
    }
    double d;
    std::string_view s;
    if (!root["output_tokens_per_month"].get_double().get(d)) out = d;
    if (!root["input_tokens_per_month"].get_double().get(d)) in = d;
    if (!root["cache_hit_rate"].get_double().get(d)) hit = d;
    if (!root["access"].get_string().get(s)) access = std::string(s);
    if (!root["wrong_answer_cost"].get_string().get(s)) wrong = std::string(s);
  } else {
    auto parsed = core::parse_toml(text, source);
    if (!parsed.ok()) return parsed.error();
    toml::table& root = *parsed;
    const core::ConfigReader rd(source);
    if (auto e = rd.only(root, "",
                         {kProfileFields[0], kProfileFields[1], kProfileFields[2], kProfileFields[3],
                          kProfileFields[4], kProfileFields[5]})) {
      return *e;
    }
    const toml::table* mix = nullptr;
    if (auto e = rd.table(root, "", "mix", mix, "{ summarization = 0.7, agents = 0.3 }")) return *e;
    if (mix == nullptr) return rd.require(root, "", "mix").value();
    for (auto&& [k, v] : *mix) {
      double share = 0;
      if (auto e = rd.number(*mix, "mix", k.str(), core::Range::of(0, 1e18), share)) return *e;
      mix_spec += fmt::format("{}{}={}", mix_spec.empty() ? "" : ",", k.str(), share);
    }
    for (auto [key, slot] : {std::pair{"output_tokens_per_month", &out}, std::pair{"input_tokens_per_month", &in}}) {
      if (auto e = rd.require(root, "", key)) return *e;
      double v = 0;
      if (auto e = rd.number(root, "", key, core::Range::of(0, 1e18), v)) return *e;
      *slot = v;
    }
    double rate = 0;
    if (auto e = rd.number(root, "", "cache_hit_rate", core::Range::of(0, 1), rate)) return *e;
    hit = rate;
    if (auto e = rd.one_of(root, "", "access", {"api", "subscription"}, access)) return *e;
    if (auto e = rd.one_of(root, "", "wrong_answer_cost", {"low", "medium", "high"}, wrong)) return *e;
  }
  if (mix_spec.empty()) return bad("missing 'mix' (category -> share)");
  auto mix = parse_mix(mix_spec);
  if (!mix.ok()) return bad(mix.error().message);
  p.mix = *mix;
  if (!out || *out < 0 || *out > 1e18) return bad("missing or invalid 'output_tokens_per_month'");
  if (!in || *in < 0 || *in > 1e18) return bad("missing or invalid 'input_tokens_per_month'");
  p.output_tokens_per_month = std::llround(*out);
  p.input_tokens_per_month = std::llround(*in);
  p.cache_hit_rate = hit.value_or(0);
  if (p.cache_hit_rate < 0 || p.cache_hit_rate > 1) return bad("'cache_hit_rate' must be from 0 to 1");
  auto parsed_access = parse_access(access);
  if (!parsed_access) return bad("'access' must be \"api\" or \"subscription\"");
  p.access = *parsed_access;
  auto parsed_wrong = parse_wrong_answer_cost(wrong);
  if (!parsed_wrong) return bad("'wrong_answer_cost' must be low, medium or high");
  p.wrong_answer_cost = *parsed_wrong;
  return p;
}

namespace {

std::string money(Money m, const std::string& currency) { return core::display_money(m, currency, 2); }
std::string millions(std::int64_t n) { return fmt::format("{:.3g}M", static_cast<double>(n) / 1e6); }

}  // namespace

// All-Pro's monthly total at most this many times all-Flash's: cost does not
// decide, so a workload with no Pro work may go either way.
constexpr double kEitherTotalRatio = 1.25;

core::Result<Advice> advise(const WorkloadProfile& p, const pricing::PriceBook& book, core::Timestamp at,
                            const std::string& currency) {
  Advice a;
  a.currency = currency;
  a.priced_at = at;
  double pro_share = 0;
  for (const auto& [c, s] : p.mix) {
    if (is_pro_category(c) && s > 0) {
      a.pro_categories.push_back(c);
      pro_share += s;
    }
  }

  // Rates of each tier at `at`, by band.
  struct TierRates {
    pricing::TokenRates now;
    std::optional<pricing::TokenRates> off_peak, peak;
  };
  auto rates_of = [&](core::Tier tier) -> core::Result<TierRates> {
    pricing::QuoteResult q = book.quote_tier(tier, at, currency);
    if (!q.quote) return core::make_error(book.explain(q.error, core::tier_name(tier), at, currency));
    TierRates r{q.quote->rates, std::nullopt, std::nullopt};
    if (const pricing::RateRow* row = book.row_at(q.quote->model, at, currency); row && row->peak) {
      r.off_peak = row->off_peak;
      r.peak = row->peak;
    }
    return r;
  };
  auto flash = rates_of(core::Tier::kFlash);
  if (!flash.ok()) return flash.error();
  auto pro = rates_of(core::Tier::kPro);
  if (!pro.ok()) return pro.error();

  // Pro's input price over Flash's, per 1M input tokens, with no hits and at the
  // workload's hit rate.
  auto input_gap = [&](const pricing::TokenRates& f, const pricing::TokenRates& r, core::Timestamp when) {
    auto effective = [&](const pricing::TokenRates& x, double hit) {
      return hit * x.cache_hit.per_million().to_double() + (1 - hit) * x.cache_miss.per_million().to_double();
    };
    Advice::InputGap g;
    g.at = when;
    g.at_zero_hits = effective(r, 0) / effective(f, 0);
    g.at_this_rate = effective(r, p.cache_hit_rate) / effective(f, p.cache_hit_rate);
    return g;
  };
  a.input_gap = input_gap(flash->now, pro->now, at);
  // Launch: the first instant at which the book prices both tiers.
  std::vector<std::int64_t> starts;
  for (const pricing::RateRow& row : book.rows()) {
    if (row.currency == currency) starts.push_back(row.from.unix_seconds);
  }
  std::sort(starts.begin(), starts.end());
  for (std::int64_t start : starts) {
    const core::Timestamp launch{start};
    pricing::QuoteResult lf = book.quote_tier(core::Tier::kFlash, launch, currency);
    pricing::QuoteResult lp = book.quote_tier(core::Tier::kPro, launch, currency);
    if (lf.quote && lp.quote) {
      a.input_gap_at_launch = input_gap(lf.quote->rates, lp.quote->rates, launch);
      break;
    }
  }

  core::TokenUsage month;
  month.cache_hit = std::llround(static_cast<double>(p.input_tokens_per_month) * p.cache_hit_rate);
  month.cache_miss = p.input_tokens_per_month - month.cache_hit;
  month.output = p.output_tokens_per_month;

  // --- the framework ---
  const bool any_pro = !a.pro_categories.empty();
  const bool all_pro = any_pro && pro_share > 0.999999;
  auto pct = [](double x) { return fmt::format("{:.0f}%", x * 100); };
  std::string pro_list;
  for (const auto& c : a.pro_categories) pro_list += (pro_list.empty() ? "" : ", ") + c;
  if (p.access == Access::kSubscription) {
    a.recommendation = all_pro ? "pro" : any_pro ? "mixed" : "flash";
    a.reasons.push_back({"subscription",
                         "On a subscription the per-token math does not apply; the only question is "
                         "the quality ceiling, which the task mix decides."});
  } else {
    a.recommendation = all_pro ? "pro" : any_pro ? "mixed" : "flash";
  }
  if (any_pro) {
    a.reasons.push_back({"task", fmt::format("{} ({} of the mix) {} Pro work: multi-step reasoning, large-codebase "
                                             "debugging, agent tool chaining or 10K+ coherent output.",
                                             pro_list, pct(pro_share), a.pro_categories.size() == 1 ? "is" : "are")});
  }
  if (!all_pro) {
    std::string flash_list;
    for (const auto& [c, s] : p.mix) {
      if (!is_pro_category(c) && s > 0) flash_list += (flash_list.empty() ? "" : ", ") + c;
    }
    a.reasons.push_back({"task", fmt::format("{} ({} of the mix) {} Flash work.", flash_list, pct(1 - pro_share),
                                             flash_list.find(',') == std::string::npos ? "is" : "are")});
  }
  if (p.access == Access::kApi) {
    const Money flash_month = flash->now.cost(month), pro_month = pro->now.cost(month);
    if (p.output_tokens_per_month < 1'000'000) {
      a.reasons.push_back({"volume", fmt::format("Under 1M output tokens a month ({}), the cost difference ({} vs {} "
                                                 "a month) is not what decides: pick on quality.",
                                                 millions(p.output_tokens_per_month), money(flash_month, currency),
                                                 money(pro_month, currency))});
      if (any_pro && p.wrong_answer_cost == WrongAnswerCost::kHigh) {
        a.recommendation = "pro";
        a.reasons.push_back({"quality",
                             "Wrong answers are costly and the volume is small, so Pro's higher quality on "
                             "the Pro tasks is worth it for all traffic."});
      }
    } else if (p.output_tokens_per_month >= 10'000'000) {
      a.reasons.push_back(
          {"volume", fmt::format("At {} output tokens a month the choice is a budget line: all-Pro "
                                 "costs {} a month, all-Flash {} ({} more on Pro).",
                                 millions(p.output_tokens_per_month), money(pro_month, currency),
                                 money(flash_month, currency), money(pro_month - flash_month, currency))});
    }
    if (p.cache_hit_rate > a.cache_threshold) {
      // The article's rule: above 70% hits "the input gap narrows" and, with no
      // Pro work, either model will do. Whether the gap narrows is a property of
      // the prices, so it is worked out from the book, now and at launch.
      const Advice::InputGap& now = *a.input_gap;
      const Money flash_total = flash->now.cost(month), pro_total = pro->now.cost(month);
      const double total_ratio = flash_total.femto() > 0 ? pro_total.ratio_to(flash_total) : 0;
      std::string text;
      if (now.narrows()) {
        text = fmt::format(
            "At a {} cache-hit rate the input gap narrows: Pro's input costs {:.2f}x Flash's, against "
            "{:.2f}x with no hits.",
            pct(p.cache_hit_rate), now.at_this_rate, now.at_zero_hits);
      } else {
        text = fmt::format(
            "The article's rule that above 70% cache hits the input gap narrows does not hold at these "
            "prices: Pro's input costs {:.2f}x Flash's with no hits and {:.2f}x at {}, so hits widen "
            "the gap (Pro's cache hits are discounted less than Flash's).",
            now.at_zero_hits, now.at_this_rate, pct(p.cache_hit_rate));
        if (a.input_gap_at_launch && a.input_gap_at_launch->narrows()) {
          text += fmt::format(" At launch ({}) it held: {:.2f}x with no hits, {:.2f}x at {}.",
                              core::format_time(a.input_gap_at_launch->at).substr(0, 10),
                              a.input_gap_at_launch->at_zero_hits, a.input_gap_at_launch->at_this_rate,
                              pct(p.cache_hit_rate));
        }
      }
      // "Either" only where cost cannot decide: the gap narrows and all-Pro's
      // total is within kEitherTotalRatio of all-Flash's.
      if (!any_pro && now.narrows() && total_ratio <= kEitherTotalRatio) {
        a.recommendation = "either";
        text +=
            fmt::format(" All-Pro's total is {:.2f}x all-Flash's: cost does not decide, pick on quality.", total_ratio);
      } else if (!any_pro) {
        text += fmt::format(" All-Pro still costs {:.2f}x all-Flash's total, so this does not make Pro an option.",
                            total_ratio);
      }
      a.reasons.push_back({"cache", std::move(text)});
    }
  }
  if (a.recommendation == "flash") {
    a.reasons.push_back({"default", "Default: Flash. Nothing in this workload gives Pro a specific reason."});
  }
  a.pro_share = a.recommendation == "pro" ? 1.0 : a.recommendation == "mixed" ? pro_share : 0.0;

  // --- money ---
  auto monthly = [&](const pricing::TokenRates& f, const pricing::TokenRates& r) {
    MonthlyCost m;
    m.all_flash = f.cost(month);
    m.all_pro = r.cost(month);
    core::TokenUsage on_pro;
    on_pro.cache_hit = std::llround(static_cast<double>(month.cache_hit) * a.pro_share);
    on_pro.cache_miss = std::llround(static_cast<double>(month.cache_miss) * a.pro_share);
    on_pro.output = std::llround(static_cast<double>(month.output) * a.pro_share);
    core::TokenUsage on_flash{month.cache_hit - on_pro.cache_hit, month.cache_miss - on_pro.cache_miss,
                              month.output - on_pro.output, 0};
    m.recommended = f.cost(on_flash) + r.cost(on_pro);
    return m;
  };
  a.cost = monthly(flash->now, pro->now);
  if (flash->off_peak && pro->off_peak) {
    a.cost_off_peak = monthly(*flash->off_peak, *pro->off_peak);
    a.cost_peak = monthly(*flash->peak, *pro->peak);
  }

  // --- flip points ---
  const double fh = flash->now.cache_hit.per_million().to_double(),
               fm = flash->now.cache_miss.per_million().to_double();
  const double ph = pro->now.cache_hit.per_million().to_double(), pm = pro->now.cache_miss.per_million().to_double();
  const double flash_effective = p.cache_hit_rate * fh + (1 - p.cache_hit_rate) * fm;
  if (pm > ph) {
    const double x = (pm - flash_effective) / (pm - ph);
    if (x >= 0 && x <= 1) a.pro_input_parity_hit_rate = x;
  }
  const double F = a.cost.all_flash.to_double(), P = a.cost.all_pro.to_double();
  if (F + P > 0) a.pro_share_majority_of_spend = F / (F + P);

  if (!a.pro_categories.empty()) {
    a.next_steps.push_back(
        fmt::format("run `flashfirst eval` on {} to check whether Flash holds on your own data", pro_list));
  } else {
    a.next_steps.push_back("run `flashfirst eval` on a sample of your traffic to confirm Flash holds");
  }
  a.next_steps.push_back("measure your real cache-hit rate and volume: `flashfirst advise --measure usage.jsonl ...`");
  return a;
}

std::string advice_text(const Advice& a) {
  std::string out = fmt::format("Recommendation: {}", a.recommendation == "mixed" ? "mixed routing" : a.recommendation);
  if (a.recommendation == "mixed") out += fmt::format(" (Pro for {:.0f}% of traffic)", a.pro_share * 100);
  out += "\n\nWhy\n";
  for (const auto& r : a.reasons) out += fmt::format("  [{}] {}\n", r.rule, r.text);
  out += fmt::format("\nMonthly cost at the rates in force at {} ({})\n", core::format_time(a.priced_at), a.currency);
  report::TextTable t({"", "all Flash", "all Pro", "recommended"});
  auto row = [&](const char* name, const MonthlyCost& m) {
    t.add_row({name, core::display_money(m.all_flash, a.currency, 2), core::display_money(m.all_pro, a.currency, 2),
               core::display_money(m.recommended, a.currency, 2)});
  };
  row("at that time", a.cost);
  if (a.cost_off_peak) {
    row("all off-peak", *a.cost_off_peak);
    row("all peak", *a.cost_peak);
  }
  out += t.render();
  out += "\nWhere the decision would flip\n";
  if (a.input_gap) {
    out += fmt::format(
        "  cache-hit rate above {:.0f}% (the framework's threshold): Pro's input costs {:.2f}x Flash's "
        "with no hits, {:.2f}x at this workload's rate, so hits {} the gap at these prices\n",
        a.cache_threshold * 100, a.input_gap->at_zero_hits, a.input_gap->at_this_rate,
        a.input_gap->narrows() ? "narrow" : "widen");
  }
  if (a.pro_input_parity_hit_rate) {
    out += fmt::format("  at a {:.1f}% cache-hit rate Pro's input would cost what Flash's costs now\n",
                       *a.pro_input_parity_hit_rate * 100);
  }
  if (a.pro_share_majority_of_spend) {
    out += fmt::format("  routing more than {:.1f}% of traffic to Pro makes Pro most of the bill\n",
                       *a.pro_share_majority_of_spend * 100);
  }
  out += "\nNext\n";
  for (const auto& s : a.next_steps) out += "  " + s + "\n";
  return out;
}

std::string advice_json(const Advice& a) {
  core::JsonWriter w;
  w.begin_object();
  w.key("recommendation").value(a.recommendation);
  w.key("pro_categories").begin_array();
  for (const auto& c : a.pro_categories) w.value(c);
  w.end_array();
  w.key("pro_share").number_text(fmt::format("{:.6f}", a.pro_share));
  w.key("reasons").begin_array();
  for (const auto& r : a.reasons) w.begin_object().key("rule").value(r.rule).key("text").value(r.text).end_object();
  w.end_array();
  w.key("currency").value(a.currency);
  w.key("priced_at").value(core::format_time(a.priced_at));
  auto cost = [&](const char* key, const MonthlyCost& m) {
    w.key(key).begin_object();
    w.key("all_flash").value(m.all_flash.to_decimal());
    w.key("all_pro").value(m.all_pro.to_decimal());
    w.key("recommended").value(m.recommended.to_decimal());
    w.end_object();
  };
  cost("monthly_cost", a.cost);
  if (a.cost_off_peak) {
    cost("monthly_cost_off_peak", *a.cost_off_peak);
    cost("monthly_cost_peak", *a.cost_peak);
  }
  w.key("break_even").begin_object();
  w.key("cache_hit_rate_threshold").number_text(fmt::format("{:.2f}", a.cache_threshold));
  w.key("pro_input_parity_hit_rate");
  if (a.pro_input_parity_hit_rate)
    w.number_text(fmt::format("{:.6f}", *a.pro_input_parity_hit_rate));
  else
    w.null();
  w.key("pro_share_majority_of_spend");
  if (a.pro_share_majority_of_spend)
    w.number_text(fmt::format("{:.6f}", *a.pro_share_majority_of_spend));
  else
    w.null();
  auto gap = [&](const char* key, const std::optional<Advice::InputGap>& g) {
    w.key(key);
    if (!g) return (void)w.null();
    w.begin_object().key("at").value(core::format_time(g->at));
    w.key("at_zero_hits").number_text(fmt::format("{:.4f}", g->at_zero_hits));
    w.key("at_this_rate").number_text(fmt::format("{:.4f}", g->at_this_rate));
    w.key("narrows").value(g->narrows()).end_object();
  };
  gap("pro_flash_input_price_ratio", a.input_gap);
  gap("pro_flash_input_price_ratio_at_launch", a.input_gap_at_launch);
  w.end_object();
  w.key("next_steps").begin_array();
  for (const auto& s : a.next_steps) w.value(s);
  w.end_array();
  w.end_object();
  return w.str();
}

}  // namespace ff::planner
