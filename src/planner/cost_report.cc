#include "planner/cost_report.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/json_writer.h"
#include "core/text.h"
#include "report/html.h"
#include "report/svg_chart.h"
#include "report/text_table.h"

namespace ff::planner {

using core::Money;
using pricing::Band;

namespace {

constexpr std::array<Band, 3> kBands = {Band::kFlat, Band::kOffPeak, Band::kPeak};

std::string thousands(std::int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return (v < 0 ? "-" : "") + out;
}

std::string percent(double r) { return fmt::format("{:.1f}%", r * 100); }

std::string span_days(const CostSummary& s) {
  double secs = static_cast<double>(s.last_time->unix_seconds - s.first_time->unix_seconds);
  return fmt::format("{:.2f}", secs / core::kSecondsPerDay);
}

void write_tokens(core::JsonWriter& w, const core::TokenUsage& t) {
  w.begin_object();
  w.key("cache_hit").value(t.cache_hit);
  w.key("cache_miss").value(t.cache_miss);
  w.key("output").value(t.output);
  w.key("reasoning").value(t.reasoning);
  w.key("input").value(t.prompt());
  w.key("total").value(t.total());
  w.end_object();
}

void write_line(core::JsonWriter& w, const CostLine& l) {
  w.begin_object();
  w.key("records").value(l.records);
  w.key("tokens");
  write_tokens(w, l.tokens);
  w.key("cost").value(l.cost.to_decimal());
  w.key("cost_if_flash").value(l.cost_if_flash.to_decimal());
  w.key("cost_if_pro").value(l.cost_if_pro.to_decimal());
  w.end_object();
}

}  // namespace

std::optional<Money> effective_input_per_million(const pricing::PriceBook& book, core::Tier tier, core::Timestamp t,
                                                 const std::string& currency, std::int64_t hit, std::int64_t miss) {
  if (hit + miss == 0) return std::nullopt;
  pricing::QuoteResult q = book.quote_tier(tier, t, currency);
  if (!q.quote) return std::nullopt;
  core::TokenUsage u;
  u.cache_hit = hit;
  u.cache_miss = miss;
  return Money::from_femto(q.quote->cost(u).femto() * 1'000'000 / (hit + miss));
}

core::Timestamp reference_time(const CostSummary& s, core::Timestamp fallback) {
  if (s.priced_at) return *s.priced_at;
  if (s.last_time) return *s.last_time;
  return fallback;
}

std::string cost_report_text(const CostSummary& s, const pricing::PriceBook& book, core::Timestamp ref) {
  const std::string& cur = s.currency;
  // One number of decimals for the whole report, so columns line up: cents when
  // the figures are large, more digits when a small workload costs fractions of a cent.
  const Money largest = std::max({s.total.cost, s.total.cost_if_flash, s.total.cost_if_pro});
  const int decimals = largest >= Money::from_femto(Money::kUnitsPerCurrency) ? 2 : 6;
  auto money = [&](Money m) { return core::display_money(m, cur, decimals); };
  std::string out;
  out += fmt::format("flashfirst cost: {} record{}", thousands(s.total.records), s.total.records == 1 ? "" : "s");
  if (s.first_time) {
    out += fmt::format(", {} .. {} ({} days)", core::format_time(*s.first_time), core::format_time(*s.last_time),
                       span_days(s));
  }
  out += fmt::format(", {}\n", cur);
  out += s.priced_at ? fmt::format("every record priced at {}\n", core::format_time(*s.priced_at))
                     : std::string("each record priced at the rates in force at its start time\n");

  const core::TokenUsage& t = s.total.tokens;
  out += "\nTokens\n";
  report::TextTable tokens({"class", "tokens", "share"});
  auto share = [&](std::int64_t v) { return t.total() ? percent(double(v) / double(t.total())) : "-"; };
  tokens.add_row({"cache hit", thousands(t.cache_hit), share(t.cache_hit)});
  tokens.add_row({"cache miss", thousands(t.cache_miss), share(t.cache_miss)});
  tokens.add_row({"output", thousands(t.output), share(t.output)});
  tokens.add_row({"  of which reasoning", thousands(t.reasoning), share(t.reasoning)});
  out += tokens.render();
  if (auto r = s.cache_hit_rate()) out += fmt::format("cache-hit rate: {} of input tokens\n", percent(*r));

  out += "\nCost\n";
  report::TextTable cost({"", cur, "vs actual"});
  auto vs = [&](Money m) {
    if (s.total.cost.is_zero()) return std::string("-");
    return fmt::format("{:.2f}x", m.ratio_to(s.total.cost));
  };
  cost.add_row({"actual (as billed)", money(s.total.cost), "1.00x"});
  cost.add_row({"all on Flash", money(s.total.cost_if_flash), vs(s.total.cost_if_flash)});
  cost.add_row({"all on Pro", money(s.total.cost_if_pro), vs(s.total.cost_if_pro)});
  cost.add_rule();
  cost.add_row({"saved vs all on Pro", money(s.total.cost_if_pro - s.total.cost), ""});
  if (auto p = s.projection_30d()) cost.add_row({"30-day projection (actual)", money(*p), ""});
  out += cost.render();
  if (auto f = effective_input_per_million(book, core::Tier::kFlash, ref, cur, t.cache_hit, t.cache_miss)) {
    auto p = effective_input_per_million(book, core::Tier::kPro, ref, cur, t.cache_hit, t.cache_miss);
    out += fmt::format(
        "effective input price per 1M tokens at this hit rate: Flash {}, Pro {}\n  (rates in force at {})\n",
        core::display_money(*f, cur), p ? core::display_money(*p, cur) : "-", core::format_time(ref));
  }

  if (!s.by_model.empty()) {
    out += "\nBy billed model\n";
    report::TextTable tm(
        {"model", "records", "cache hit", "cache miss", "output", "cost", "if all Flash", "if all Pro"});
    for (const auto& [id, l] : s.by_model) {
      tm.add_row({id, thousands(l.records), thousands(l.tokens.cache_hit), thousands(l.tokens.cache_miss),
                  thousands(l.tokens.output), money(l.cost), money(l.cost_if_flash), money(l.cost_if_pro)});
    }
    out += tm.render();
    out += "\nBy price band\n";
    report::TextTable tb({"band", "records", "input", "output", "cost", "if all Pro"});
    for (Band b : kBands) {
      const CostLine& l = s.by_band[static_cast<int>(b)];
      if (l.records == 0) continue;
      tb.add_row({pricing::band_name(b), thousands(l.records), thousands(l.tokens.prompt()), thousands(l.tokens.output),
                  money(l.cost), money(l.cost_if_pro)});
    }
    out += tb.render();
  }

  if (!s.group_by.empty()) {
    std::string title;
    for (const std::string& d : s.group_by) title += (title.empty() ? "" : ", ") + d;
    out += fmt::format("\nBy {}\n", title);
    std::vector<std::string> header = s.group_by;
    for (const char* h : {"calls", "upstream errors", "input", "output", "cost", "if all Flash", "if all Pro"}) {
      header.push_back(h);
    }
    std::vector<report::TextTable::Align> align(header.size(), report::TextTable::Align::kRight);
    for (std::size_t i = 0; i < s.group_by.size(); ++i) align[i] = report::TextTable::Align::kLeft;
    report::TextTable tg(header, align);
    for (const auto& [key, g] : s.by_group) {
      std::vector<std::string> row = group_values(key);
      for (const std::string& v : {thousands(g.line.records), thousands(g.errors), thousands(g.line.tokens.prompt()),
                                   thousands(g.line.tokens.output), money(g.line.cost), money(g.line.cost_if_flash),
                                   money(g.line.cost_if_pro)}) {
        row.push_back(v);
      }
      tg.add_row(row);
    }
    out += tg.render();
  }
  if (s.upstream_errors > 0) {
    out += fmt::format("\nUpstream errors: {} (answered with an error status, nothing billed)\n",
                       core::count_of(s.upstream_errors, "call"));
  }

  if (s.skipped_total() > 0) {
    out += fmt::format("\nSkipped {} lines\n", thousands(s.skipped_total()));
    for (int i = 0; i < kSkipReasonCount; ++i) {
      const SkipSummary& k = s.skipped[i];
      if (k.count == 0) continue;
      std::string where;
      for (const std::string& loc : k.first_locations) where += (where.empty() ? "" : ", ") + loc;
      out += fmt::format("  {:<15} {:>10}  {}; first: {}\n", skip_reason_name(SkipReason(i)), thousands(k.count),
                         skip_reason_text(SkipReason(i)), where);
    }
  }
  return out;
}

std::string cost_report_json(const CostSummary& s, const pricing::PriceBook& book, core::Timestamp ref) {
  core::JsonWriter w;
  w.begin_object();
  w.key("records").value(s.total.records);
  w.key("skipped").begin_object();
  for (int i = 0; i < kSkipReasonCount; ++i) w.key(skip_reason_name(SkipReason(i))).value(s.skipped[i].count);
  w.end_object();
  w.key("skipped_first_lines").begin_object();
  for (int i = 0; i < kSkipReasonCount; ++i) {
    if (s.skipped[i].count == 0) continue;
    w.key(skip_reason_name(SkipReason(i))).begin_array();
    for (const std::string& loc : s.skipped[i].first_locations) w.value(loc);
    w.end_array();
  }
  w.end_object();
  w.key("time_span");
  if (s.first_time) {
    w.begin_object();
    w.key("first").value(core::format_time(*s.first_time));
    w.key("last").value(core::format_time(*s.last_time));
    w.key("days").number_text(span_days(s));
    w.end_object();
  } else {
    w.null();
  }
  w.key("priced_at");
  if (s.priced_at) {
    w.value(core::format_time(*s.priced_at));
  } else {
    w.null();
  }
  w.key("tokens");
  write_tokens(w, s.total.tokens);
  w.key("cache_hit_rate");
  if (auto r = s.cache_hit_rate()) {
    w.number_text(fmt::format("{:.6f}", *r));
  } else {
    w.null();
  }
  w.key("currency").value(s.currency);
  w.key("cost").begin_object();
  w.key("actual").value(s.total.cost.to_decimal());
  w.key("all_flash").value(s.total.cost_if_flash.to_decimal());
  w.key("all_pro").value(s.total.cost_if_pro.to_decimal());
  w.key("savings_vs_all_pro").value((s.total.cost_if_pro - s.total.cost).to_decimal());
  w.key("projection_30d");
  if (auto p = s.projection_30d()) {
    w.value(p->to_decimal());
  } else {
    w.null();
  }
  w.end_object();
  w.key("effective_input_per_1m");
  const core::TokenUsage& t = s.total.tokens;
  auto f = effective_input_per_million(book, core::Tier::kFlash, ref, s.currency, t.cache_hit, t.cache_miss);
  auto p = effective_input_per_million(book, core::Tier::kPro, ref, s.currency, t.cache_hit, t.cache_miss);
  if (f && p) {
    w.begin_object();
    w.key("at").value(core::format_time(ref));
    w.key("flash").value(f->to_decimal());
    w.key("pro").value(p->to_decimal());
    w.end_object();
  } else {
    w.null();
  }
  w.key("by_model").begin_object();
  for (const auto& [id, l] : s.by_model) {
    w.key(id);
    write_line(w, l);
  }
  w.end_object();
  w.key("by_band").begin_object();
  for (Band b : kBands) {
    w.key(pricing::band_name(b));
    write_line(w, s.by_band[static_cast<int>(b)]);
  }
  w.end_object();
  w.key("upstream_errors").value(s.upstream_errors);
  if (!s.group_by.empty()) {
    w.key("by_group").begin_array();
    for (const auto& [key, g] : s.by_group) {
      w.begin_object();
      const std::vector<std::string> values = group_values(key);
      for (std::size_t i = 0; i < s.group_by.size(); ++i) w.key(s.group_by[i]).value(values[i]);
      w.key("calls").value(g.line.records);
      w.key("upstream_errors").value(g.errors);
      w.key("tokens");
      write_tokens(w, g.line.tokens);
      w.key("cost").value(g.line.cost.to_decimal());
      w.key("cost_if_flash").value(g.line.cost_if_flash.to_decimal());
      w.key("cost_if_pro").value(g.line.cost_if_pro.to_decimal());
      w.end_object();
    }
    w.end_array();
  }
  w.key("by_day").begin_array();
  for (const auto& [day, costs] : s.by_day) {
    w.begin_object();
    w.key("date").value(core::format_date(core::civil_from_days(day)));
    w.key("cost").begin_object();
    for (const auto& [id, m] : costs) w.key(id).value(m.to_decimal());
    w.end_object();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.str();
}

std::string cost_report_html(const CostSummary& s, const pricing::PriceBook& book, core::Timestamp ref) {
  using report::xml_escape;
  const std::string& cur = s.currency;
  auto money = [&](Money m) { return xml_escape(m.to_decimal()) + " " + xml_escape(cur); };
  const CostLine& t = s.total;

  // Headline numbers first: what it cost, what Flash-first saved against all-Pro,
  // the cache-hit rate and the share of calls on Pro.
  std::int64_t pro_calls = 0;
  for (const auto& [id, l] : s.by_model) {
    if (book.tier_of(id, ref, cur) == core::Tier::kPro) pro_calls += l.records;
  }
  const Money saved = t.cost_if_pro - t.cost;
  const std::string saved_pct =
      t.cost_if_pro.femto() > 0
          ? fmt::format(" ({:.2f}%)", 100.0 * saved.to_double() / t.cost_if_pro.to_double())
          : std::string();
  std::string span = "no dated records";
  if (s.first_time && s.last_time) {
    span = fmt::format("{} to {} ({} days)", core::format_time(*s.first_time), core::format_time(*s.last_time),
                       span_days(s));
  }
  std::string body = "<h1>Cost report</h1>\n";
  body += fmt::format("<p class=\"muted\">{} priced records, {}{}.</p>\n", thousands(t.records), xml_escape(span),
                      s.priced_at ? ", all priced at " + core::format_time(*s.priced_at) : std::string());
  std::vector<std::string> headline = {
      report::card("Spend", money(t.cost),
                   {"All on Pro " + money(t.cost_if_pro), "All on Flash " + money(t.cost_if_flash)}),
      report::card("Saved against all-Pro", money(saved) + saved_pct,
                   {s.projection_30d() ? "30-day projection " + money(*s.projection_30d()) : "span too short to project"}),
      report::card("Cache-hit rate", s.cache_hit_rate() ? percent(*s.cache_hit_rate()) : "–",
                   {thousands(t.tokens.cache_hit) + " of " + thousands(t.tokens.prompt()) + " input tokens"}),
      report::card("Pro share", t.records > 0 ? percent(static_cast<double>(pro_calls) / static_cast<double>(t.records)) : "–",
                   {thousands(pro_calls) + " of " + thousands(t.records) + " calls"}),
  };
  body += report::cards(headline);

  std::vector<std::string> panels;
  // Spend per day per billed model.
  std::vector<std::string> days;
  std::vector<report::Series> series;
  for (const auto& [id, l] : s.by_model) series.push_back({id, {}});
  for (const auto& [day, costs] : s.by_day) {
    days.push_back(core::format_date(core::civil_from_days(day)).substr(5));
    for (report::Series& se : series) {
      auto it = costs.find(se.name);
      se.values.push_back(it == costs.end() ? 0.0 : it->second.to_double());
    }
  }
  if (!days.empty()) {
    panels.push_back(report::panel(
        "Spend per day, by model",
        report::stacked_bar_chart("Spend per day by model", days, series, "cost (" + cur + ")") +
            "<p class=\"muted\">Actual cost per UTC day, stacked by the model each request was billed as.</p>",
        true));
  }

  auto line_cells = [&](const std::string& name, const CostLine& l) {
    return std::vector<std::string>{xml_escape(name),
                                    thousands(l.records),
                                    thousands(l.tokens.cache_hit),
                                    thousands(l.tokens.cache_miss),
                                    thousands(l.tokens.output),
                                    xml_escape(l.cost.to_decimal()),
                                    xml_escape(l.cost_if_flash.to_decimal()),
                                    xml_escape(l.cost_if_pro.to_decimal())};
  };
  const std::vector<std::string> line_headers = {"", "Records", "Cache hit", "Cache miss", "Output",
                                                 "Cost (" + xml_escape(cur) + ")", "If all Flash", "If all Pro"};
  const std::vector<bool> line_numeric = {false, true, true, true, true, true, true, true};
  {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [id, l] : s.by_model) rows.push_back(line_cells(id, l));
    rows.push_back(line_cells("total", t));
    rows.back()[0] = "<b>total</b>";
    std::vector<std::string> h = line_headers;
    h[0] = "Model";
    panels.push_back(report::panel("By model", report::table("Cost by billed model", h, rows, line_numeric), true));
  }
  {
    std::vector<std::vector<std::string>> rows;
    for (Band b : kBands) {
      const CostLine& l = s.by_band[static_cast<int>(b)];
      if (l.records > 0) rows.push_back(line_cells(pricing::band_name(b), l));
    }
    std::vector<std::string> h = line_headers;
    h[0] = "Price band";
    if (!rows.empty()) {
      panels.push_back(report::panel("By price band", report::table("Cost by price band", h, rows, line_numeric), true));
    }
  }
  if (!s.group_by.empty()) {
    std::vector<std::string> h;
    for (const std::string& d : s.group_by) h.push_back(xml_escape(d));
    for (const char* c : {"Calls", "Upstream errors", "Cost", "If all Flash", "If all Pro"}) h.push_back(c);
    std::vector<bool> numeric(s.group_by.size(), false);
    numeric.insert(numeric.end(), 5, true);
    std::vector<std::vector<std::string>> rows;
    for (const auto& [key, g] : s.by_group) {
      std::vector<std::string> row;
      for (const std::string& v : group_values(key)) row.push_back(xml_escape(v));
      row.push_back(thousands(g.line.records));
      row.push_back(thousands(g.errors));
      row.push_back(xml_escape(g.line.cost.to_decimal()));
      row.push_back(xml_escape(g.line.cost_if_flash.to_decimal()));
      row.push_back(xml_escape(g.line.cost_if_pro.to_decimal()));
      rows.push_back(std::move(row));
    }
    panels.push_back(report::panel("By " + xml_escape(fmt::format("{}", fmt::join(s.group_by, ", "))),
                                   report::table("Cost by group", h, rows, numeric), true));
  }
  if (!s.by_day.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [day, costs] : s.by_day) {
      Money sum;
      for (const auto& [id, c] : costs) sum += c;
      rows.push_back({core::format_date(core::civil_from_days(day)), xml_escape(sum.to_decimal())});
    }
    panels.push_back(report::panel(
        "By day (UTC)", report::table("Cost per UTC day", {"Day", "Cost (" + xml_escape(cur) + ")"}, rows, {false, true})));
  }
  if (s.skipped_total() > 0 || s.upstream_errors > 0) {
    std::vector<std::vector<std::string>> rows;
    for (int r = 0; r < kSkipReasonCount; ++r) {
      const SkipSummary& k = s.skipped[static_cast<std::size_t>(r)];
      if (k.count == 0) continue;
      rows.push_back({skip_reason_name(static_cast<SkipReason>(r)), thousands(k.count),
                      xml_escape(fmt::format("{}", fmt::join(k.first_locations, ", ")))});
    }
    if (s.upstream_errors > 0) rows.push_back({"upstream error (nothing billed)", thousands(s.upstream_errors), ""});
    panels.push_back(report::panel(
        "Not priced", report::table("Lines not priced", {"Why", "Count", "First lines"}, rows, {false, true, false})));
  }

  // Effective input price against the cache-hit rate, at the reference time's rates.
  std::vector<double> xs;
  for (int h = 0; h <= 100; h += 5) xs.push_back(h);
  std::vector<report::Series> lines;
  for (core::Tier tier : {core::Tier::kFlash, core::Tier::kPro}) {
    pricing::QuoteResult q = book.quote_tier(tier, ref, cur);
    if (!q.quote) continue;
    const pricing::RateRow* row = book.row_at(q.quote->model, ref, cur);
    std::vector<std::pair<std::string, pricing::TokenRates>> variants;
    const std::string name = tier == core::Tier::kFlash ? "Flash" : "Pro";
    if (row != nullptr && row->peak) {
      variants.push_back({name + " off-peak", *row->off_peak});
      variants.push_back({name + " peak", *row->peak});
    } else {
      variants.push_back({name, q.quote->rates});
    }
    for (const auto& [label, rates] : variants) {
      report::Series se{label, {}};
      for (double x : xs) {
        double hit = rates.cache_hit.per_million().to_double(), miss = rates.cache_miss.per_million().to_double();
        se.values.push_back(x / 100 * hit + (1 - x / 100) * miss);
      }
      lines.push_back(std::move(se));
    }
  }
  if (!lines.empty()) {
    std::optional<double> marker;
    std::string marker_label;
    if (auto r = s.cache_hit_rate()) {
      marker = *r * 100;
      marker_label = "this workload: " + percent(*r);
    }
    panels.push_back(report::panel(
        "Effective input price and the cache-hit rate",
        report::line_chart("Effective input price per 1M tokens vs cache-hit rate", xs, lines, "cache-hit rate (%)",
                           "per 1M input tokens (" + cur + ")", marker, marker_label) +
            "<p class=\"muted\">Rates in force at " + core::format_time(ref) +
            ". Effective input price = hit rate x cache-hit price + (1 - hit rate) x cache-miss price.</p>",
        true));
  }
  body += report::grid(panels);
  // The terminal report too, for what the tables leave out and for copying.
  body += "<details class=\"plain\"><summary>The same report as plain text</summary><pre>" +
          xml_escape(cost_report_text(s, book, ref)) + "</pre></details>\n";
  return report::page("flashfirst cost report", body);
}

}  // namespace ff::planner
