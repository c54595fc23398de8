#include "planner/whatif.h"

#include <cmath>

#include <fmt/format.h>

#include "core/json_writer.h"
#include "report/html.h"
#include "report/svg_chart.h"
#include "report/text_table.h"
#include "router/features.h"
#include "router/outcome_model.h"
#include "router/router.h"
#include "tokenizer/tokenizer.h"

namespace ff::planner {

using core::Money;

namespace {

core::TokenUsage scaled(const core::TokenUsage& u, double f) {
  return core::TokenUsage{std::llround(static_cast<double>(u.cache_hit) * f),
                          std::llround(static_cast<double>(u.cache_miss) * f),
                          std::llround(static_cast<double>(u.output) * f), 0};
}

}  // namespace

core::Result<std::vector<PolicyOutcome>> simulate_policies(const WorkloadProfile& p, const pricing::PriceBook& book,
                                                           const sim::QualityModel& quality, core::Timestamp at,
                                                           const std::string& currency, const WhatIfOptions& o) {
  pricing::QuoteResult fq = book.quote_tier(core::Tier::kFlash, at, currency);
  pricing::QuoteResult pq = book.quote_tier(core::Tier::kPro, at, currency);
  if (!fq.quote) return core::make_error(book.explain(fq.error, "flash", at, currency));
  if (!pq.quote) return core::make_error(book.explain(pq.error, "pro", at, currency));
  const pricing::TokenRates& flash = fq.quote->rates;
  const pricing::TokenRates& pro = pq.quote->rates;

  core::TokenUsage month;
  month.cache_hit = std::llround(static_cast<double>(p.input_tokens_per_month) * p.cache_hit_rate);
  month.cache_miss = p.input_tokens_per_month - month.cache_hit;
  month.output = p.output_tokens_per_month;

  const double n = static_cast<double>(o.output_tokens_per_request);
  const double flash_latency = o.flash_first_token_s + n / o.flash_tokens_per_s;
  const double pro_latency = o.pro_first_token_s + n / o.pro_tokens_per_s;

  PolicyOutcome all_flash{"all_flash"}, all_pro{"all_pro"}, routed{"routed"}, cascade{"cascade"}, serve{"serve"};
  all_flash.monthly_cost = flash.cost(month);
  all_pro.monthly_cost = pro.cost(month);
  all_pro.pro_share = 1;
  all_flash.latency_seconds = flash_latency;
  all_pro.latency_seconds = pro_latency;
  Money routed_cost, cascade_cost = flash.cost(month), serve_cost;
  for (const auto& entry : p.mix) {
    const std::string& category = entry.first;
    const double share = entry.second;
    auto pf = quality.failure_probability(core::Tier::kFlash, category, o.effort);
    auto pp = quality.failure_probability(core::Tier::kPro, category, o.effort);
    auto shows = quality.checkable_share(category);
    if (!pf || !pp || !shows)
      return core::make_error(fmt::format("the quality priors have no category '{}'", category));
    const double c = *shows;
    const core::TokenUsage part = scaled(month, share);
    // An unchecked answer of a tier with failure probability f: fails f, unseen f(1-c).
    auto unchecked = [&](PolicyOutcome& out, double f) {
      out.failure_rate += share * f;
      out.unseen_failure_rate += share * f * (1 - c);
    };
    // A checked Flash answer: its failures that show (pf c) go to Pro, which fails
    // pp of them, unchecked; those in good form (pf (1-c)) stand.
    auto checked = [&](PolicyOutcome& out, Money& cost) {
      cost += pro.cost(scaled(part, *pf * c));
      out.escalation_rate += share * *pf * c;
      out.failure_rate += share * (*pf * (1 - c) + *pf * c * *pp);
      out.unseen_failure_rate += share * (*pf * (1 - c) + *pf * c * *pp * (1 - c));
    };
    unchecked(all_flash, *pf);
    unchecked(all_pro, *pp);
    if (is_pro_category(category)) {
      routed_cost += pro.cost(part);
      serve_cost += pro.cost(part);
      unchecked(routed, *pp);
      unchecked(serve, *pp);
      routed.pro_share += share;
      serve.pro_share += share;
    } else {
      routed_cost += flash.cost(part);
      serve_cost += flash.cost(part);
      unchecked(routed, *pf);
      checked(serve, serve_cost);
    }
    // The cascade pays Flash for everything, and Pro again for what the check caught.
    checked(cascade, cascade_cost);
  }
  // Learned policies: a category's requests split between Pro (unchecked) and Flash (checked).
  std::vector<PolicyOutcome> learned;
  for (const LearnedPolicy& lp : o.learned) {
    PolicyOutcome out{fmt::format("learned@{:.2f}", lp.threshold)};
    Money cost;
    for (const auto& [category, share] : p.mix) {
      const double pf = *quality.failure_probability(core::Tier::kFlash, category, o.effort);
      const double pp = *quality.failure_probability(core::Tier::kPro, category, o.effort);
      const double c = *quality.checkable_share(category);
      const auto it = lp.pro_share.find(category);
      const double q = it == lp.pro_share.end() ? 0 : it->second;
      const core::TokenUsage part = scaled(month, share);
      cost += pro.cost(scaled(part, q)) + flash.cost(scaled(part, 1 - q)) + pro.cost(scaled(part, (1 - q) * pf * c));
      out.pro_share += share * q;
      out.escalation_rate += share * (1 - q) * pf * c;
      out.failure_rate += share * (q * pp + (1 - q) * (pf * (1 - c) + pf * c * pp));
      out.unseen_failure_rate += share * (q * pp * (1 - c) + (1 - q) * (pf * (1 - c) + pf * c * pp * (1 - c)));
    }
    out.monthly_cost = cost;
    out.latency_seconds =
        out.pro_share * pro_latency + (1 - out.pro_share) * flash_latency + out.escalation_rate * pro_latency;
    out.pro_share += out.escalation_rate;
    learned.push_back(out);
  }
  routed.monthly_cost = routed_cost;
  routed.latency_seconds = routed.pro_share * pro_latency + (1 - routed.pro_share) * flash_latency;
  cascade.monthly_cost = cascade_cost;
  cascade.pro_share = cascade.escalation_rate;
  cascade.latency_seconds = flash_latency + cascade.escalation_rate * pro_latency;
  serve.monthly_cost = serve_cost;
  serve.latency_seconds =
      serve.pro_share * pro_latency + (1 - serve.pro_share) * flash_latency + serve.escalation_rate * pro_latency;
  serve.pro_share += serve.escalation_rate;

  std::vector<PolicyOutcome> out = {all_flash, all_pro, routed, cascade, serve};
  out.insert(out.end(), learned.begin(), learned.end());
  for (PolicyOutcome& a : out) {
    a.pareto = true;
    for (const PolicyOutcome& b : out) {
      const bool no_worse = b.monthly_cost <= a.monthly_cost && b.failure_rate <= a.failure_rate;
      const bool better = b.monthly_cost < a.monthly_cost || b.failure_rate < a.failure_rate;
      if (&a != &b && no_worse && better) a.pareto = false;
    }
  }
  return out;
}

std::string whatif_text(const std::vector<PolicyOutcome>& outs, const std::string& currency, core::Timestamp at) {
  report::TextTable t(
      {"policy", "monthly cost", "failure rate", "no check sees", "Pro share", "escalations", "latency", "Pareto"});
  for (const PolicyOutcome& o : outs) {
    t.add_row({o.policy, core::display_money(o.monthly_cost, currency, 2), fmt::format("{:.2f}%", o.failure_rate * 100),
               fmt::format("{:.2f}%", o.unseen_failure_rate * 100), fmt::format("{:.1f}%", o.pro_share * 100),
               fmt::format("{:.1f}%", o.escalation_rate * 100), fmt::format("{:.2f} s", o.latency_seconds),
               o.pareto ? "yes" : ""});
  }
  return fmt::format("Policies over the workload, at the rates in force at {} ({})\n", core::format_time(at),
                     currency) +
         t.render() +
         "serve: what `flashfirst serve` does by default (Pro categories to Pro; Flash answers checked, escalated when "
         "a failure shows).\ncascade: every request to Flash first, checked the same way. The check sees a failure "
         "only in the answer's form (cut, empty, invalid JSON, a tool call off its schema); \"no check sees\" is the "
         "part of the failure rate that is wrong answers in good form (data/quality.toml, `checkable`).\n" +
         (outs.size() > 5 ? "learned@T: a request goes to Pro when the learned model's P(Pro needed) reaches T, to "
                            "Flash (checked) otherwise.\n"
                          : "");
}

std::string whatif_json(const std::vector<PolicyOutcome>& outs, const std::string& currency, core::Timestamp at) {
  core::JsonWriter w;
  w.begin_object().key("currency").value(currency).key("priced_at").value(core::format_time(at));
  w.key("policies").begin_array();
  for (const PolicyOutcome& o : outs) {
    w.begin_object();
    w.key("policy").value(o.policy);
    w.key("monthly_cost").value(o.monthly_cost.to_decimal());
    w.key("failure_rate").number_text(fmt::format("{:.6f}", o.failure_rate));
    w.key("unseen_failure_rate").number_text(fmt::format("{:.6f}", o.unseen_failure_rate));
    w.key("pro_share").number_text(fmt::format("{:.6f}", o.pro_share));
    w.key("escalation_rate").number_text(fmt::format("{:.6f}", o.escalation_rate));
    w.key("latency_seconds").number_text(fmt::format("{:.3f}", o.latency_seconds));
    w.key("pareto").value(o.pareto);
    w.end_object();
  }
  w.end_array().end_object();
  return w.str();
}

std::string whatif_html(const std::vector<PolicyOutcome>& outs, const std::string& currency, core::Timestamp at) {
  using report::xml_escape;
  std::vector<report::Point> points;
  for (const PolicyOutcome& o : outs) {
    points.push_back({o.policy, o.monthly_cost.to_double(), o.failure_rate * 100, o.pareto});
  }
  auto money = [&](core::Money m) { return xml_escape(m.to_decimal()) + " " + xml_escape(currency); };
  auto pct = [](double r) { return fmt::format("{:.1f}%", r * 100); };
  const PolicyOutcome* all_pro = nullptr;
  const PolicyOutcome* cheapest_front = nullptr;
  const PolicyOutcome* serve = nullptr;
  for (const PolicyOutcome& o : outs) {
    if (o.policy == "all_pro") all_pro = &o;
    if (o.policy == "serve") serve = &o;
    if (o.pareto && (!cheapest_front || o.monthly_cost < cheapest_front->monthly_cost)) cheapest_front = &o;
  }
  // Headline numbers first: what `serve` would cost, against all-Pro.
  std::vector<std::string> headline;
  if (serve) {
    std::vector<std::string> lines = {"fails " + pct(serve->failure_rate) + " · Pro " + pct(serve->pro_share)};
    if (all_pro) lines.push_back("All on Pro " + money(all_pro->monthly_cost));
    headline.push_back(report::card("serve's policy, a month", money(serve->monthly_cost), lines));
    if (all_pro && all_pro->monthly_cost.femto() > 0) {
      const core::Money saved = all_pro->monthly_cost - serve->monthly_cost;
      headline.push_back(report::card(
          "Saved against all-Pro", money(saved),
          {fmt::format("{:.2f}% of the all-Pro bill", 100.0 * saved.to_double() / all_pro->monthly_cost.to_double())}));
    }
  }
  if (cheapest_front) {
    headline.push_back(report::card("Cheapest on the Pareto front", xml_escape(cheapest_front->policy),
                                    {money(cheapest_front->monthly_cost) + " · fails " +
                                     pct(cheapest_front->failure_rate)}));
  }
  std::vector<std::vector<std::string>> rows;
  for (const PolicyOutcome& o : outs) {
    rows.push_back({xml_escape(o.policy) + (o.pareto ? " <span class=\"tag flash\">Pareto</span>" : ""),
                    xml_escape(o.monthly_cost.to_decimal()), pct(o.failure_rate), pct(o.unseen_failure_rate),
                    pct(o.pro_share), pct(o.escalation_rate), fmt::format("{:.1f} s", o.latency_seconds)});
  }
  std::string body = "<h1>Routing policies: cost against quality</h1>\n";
  body += fmt::format("<p class=\"muted\">Priced at the rates in force at {}.</p>\n", core::format_time(at));
  body += report::cards(headline);
  body += report::grid(
      {report::panel("Policies",
                     report::table("Each policy's monthly cost and quality",
                                   {"Policy", "A month (" + xml_escape(currency) + ")", "Fails", "Of which unseen",
                                    "Pro share", "Escalated", "Latency"},
                                   rows, {false, true, true, true, true, true, true}),
                     true),
       report::panel("Monthly cost against the failure rate",
                     report::scatter_chart("Monthly cost vs failure rate", points, "monthly cost (" + currency + ")",
                                           "failure rate (%)") +
                         "<p class=\"muted\">Each point is a policy; filled points are on the Pareto front (no other "
                         "policy is both cheaper and fails less), joined by the line.</p>",
                     true)});
  body += "<details class=\"plain\"><summary>The same report as plain text</summary><pre>" +
          xml_escape(whatif_text(outs, currency, at)) + "</pre></details>\n";
  return report::page("flashfirst simulate", body);
}

LearnedPolicy learned_policy(const RequestSample& sample, double threshold) {
  LearnedPolicy lp;
  lp.threshold = threshold;
  for (const auto& [category, ps] : sample.p_pro) {
    std::int64_t pro = 0;
    for (double x : ps) pro += x >= threshold ? 1 : 0;
    lp.pro_share[category] = ps.empty() ? 0 : static_cast<double>(pro) / static_cast<double>(ps.size());
  }
  return lp;
}

RequestSample classify_requests(const std::vector<router::RequestLine>& lines, const router::Router& router,
                                const router::OutcomeModel* learned) {
  static const tokenizer::RatioEstimator ratio;
  RequestSample out;
  for (const router::RequestLine& line : lines) {
    if (!line.error.empty()) {
      out.skipped.push_back(fmt::format("{}: {}", line.display_id(), line.error));
      continue;
    }
    auto d = router.route(line.body);
    if (!d.ok()) {
      out.skipped.push_back(fmt::format("{}: {}", line.display_id(), d.error().message));
      continue;
    }
    ++out.requests;
    out.input_tokens += d->input_tokens;
    ++out.categories[router::category_name(d->category)];
    if (d->tier == core::Tier::kPro) ++out.routed_to_pro;
    if (learned != nullptr) {
      auto f = router::extract_features(line.body, ratio);  // it was read once already: this cannot fail
      out.p_pro[std::string(router::category_name(d->category))].push_back(f.ok() ? learned->p_pro(*f) : 0);
    }
  }
  return out;
}

WorkloadProfile profile_from_sample(const RequestSample& sample, std::int64_t requests_per_month,
                                    std::int64_t output_per_request) {
  WorkloadProfile p;
  for (const auto& [category, n] : sample.categories) {
    p.mix[category] = static_cast<double>(n) / static_cast<double>(sample.requests);
  }
  p.input_tokens_per_month =
      static_cast<std::int64_t>(static_cast<core::int128>(sample.input_tokens) * requests_per_month / sample.requests);
  p.output_tokens_per_month = output_per_request * requests_per_month;
  return p;
}

}  // namespace ff::planner
