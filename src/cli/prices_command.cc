#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "report/text_table.h"

namespace ff::cli {

namespace {

struct PricesArgs {
  BookOptions book;
  std::string at;
  std::string currency = "USD";
  std::vector<std::string> hit_rates = {"0%", "50%", "80%", "90%"};
};

std::string rate_text(core::Rate r) { return r.per_million().to_decimal(); }

std::string ratio(core::Rate pro, core::Rate flash) {
  if (flash.nano_per_million == 0) return "-";
  return fmt::format("{:.2f}x",
                     static_cast<double>(pro.nano_per_million) / static_cast<double>(flash.nano_per_million));
}

// Effective price of 1M input tokens at a hit rate (exact decimal): the rate,
// exact, with 1 standing for 100%.
core::Money effective(const pricing::TokenRates& r, core::Money rate) {
  // price = rate * hit + (1 - rate) * miss, in femto-units of the rate.
  const core::int128 scale = core::Money::kUnitsPerCurrency;
  const core::int128 hit = r.cache_hit.per_million().femto(), miss = r.cache_miss.per_million().femto();
  return core::Money::from_femto((rate.femto() * hit + (scale - rate.femto()) * miss) / scale);
}

int run_prices(const PricesArgs& a) {
  auto ctx = pricing_context(a.book, a.currency, a.at);
  if (!ctx.ok()) return fail("prices", kExitUsage, ctx.error().message);
  const pricing::PriceBook& book = ctx->book;
  const core::Timestamp t = ctx->at;
  const std::string& cur = a.currency;
  const bool peak_now = book.schedule().is_peak(t);
  // The band in force is "now" only when no --at moved the instant.
  const char* in_force = a.at.empty() ? " (now)" : " (then)";
  std::string out = fmt::format("Price book: {}\nRates in force at {} in {} per 1M tokens\n", book.source_name(),
                                core::format_time(t), cur);

  // Which models are billed at t, and which ids lead to them.
  std::map<int, std::vector<std::string>> ids_by_model;
  std::set<std::string> ids;
  for (const pricing::Model& m : book.models()) ids.insert(m.id);
  for (const pricing::Alias& al : book.aliases()) ids.insert(al.id);
  for (const std::string& id : ids) {
    pricing::QuoteResult q = book.quote(id, t, cur);
    if (q.quote) ids_by_model[q.quote->model].push_back(id);
  }
  report::TextTable table(
      {"model", "tier", "band", "cache hit", "cache miss", "output", "ids billed as it"},
      {report::TextTable::Align::kLeft, report::TextTable::Align::kLeft, report::TextTable::Align::kLeft,
       report::TextTable::Align::kRight, report::TextTable::Align::kRight, report::TextTable::Align::kRight,
       report::TextTable::Align::kLeft});
  bool any_banded = false;
  for (const auto& [model, id_list] : ids_by_model) {
    const pricing::Model& m = book.models()[model];
    const pricing::RateRow* row = book.row_at(model, t, cur);
    std::string names;
    for (const std::string& id : id_list) names += (names.empty() ? "" : ", ") + id;
    auto add = [&](const char* band, const pricing::TokenRates& r, bool first) {
      table.add_row({first ? m.id : "", first ? core::tier_name(m.tier) : "", band, rate_text(r.cache_hit),
                     rate_text(r.cache_miss), rate_text(r.output), first ? names : ""});
    };
    if (row->flat) {
      add("flat", *row->flat, true);
    } else {
      any_banded = true;
      const std::string off_peak = peak_now ? "off-peak" : std::string("off-peak") + in_force;
      const std::string peak = peak_now ? std::string("peak") + in_force : "peak";
      add(off_peak.c_str(), *row->off_peak, true);
      add(peak.c_str(), *row->peak, false);
    }
  }
  out += "\n" + table.render();
  if (any_banded) {
    out += fmt::format("Peak hours: {}. {} is {}.\n", book.schedule().describe(), core::format_time(t),
                       peak_now ? "peak" : "off-peak");
  }
  std::string retired;
  for (const pricing::Retirement& r : book.retirements()) {
    if (r.at <= t)
      retired += fmt::format("{}{} (since {})", retired.empty() ? "" : ", ", r.id, core::format_time(r.at));
  }
  if (!retired.empty()) out += "Retired: " + retired + "\n";

  pricing::QuoteResult flash = book.quote_tier(core::Tier::kFlash, t, cur);
  pricing::QuoteResult pro = book.quote_tier(core::Tier::kPro, t, cur);
  if (flash.quote && pro.quote) {
    const pricing::TokenRates& f = flash.quote->rates;
    const pricing::TokenRates& p = pro.quote->rates;
    out += fmt::format("\nPro ({}) / Flash ({}), {} rates: cache hit {}, cache miss {}, output {}\n",
                       book.models()[pro.quote->model].id, book.models()[flash.quote->model].id,
                       pricing::band_name(flash.quote->band), ratio(p.cache_hit, f.cache_hit),
                       ratio(p.cache_miss, f.cache_miss), ratio(p.output, f.output));
    out += "\nEffective input price per 1M tokens by cache-hit rate\n";
    report::TextTable eff({"cache-hit rate", "Flash", "Pro", "Pro / Flash"});
    for (const std::string& h : a.hit_rates) {
      auto rate = parse_rate(h, "--hit-rate");
      if (!rate.ok()) return fail("prices", kExitUsage, rate.error().message);
      const core::Money ef = effective(f, *rate), ep = effective(p, *rate);
      // The rate as a percentage: 0.125 -> "12.5%".
      std::string label = core::Money::from_femto(rate->femto() * 100).to_decimal();
      if (label.find('.') != std::string::npos) {
        while (label.back() == '0') label.pop_back();
        if (label.back() == '.') label.pop_back();
      }
      eff.add_row({label + "%", ef.to_decimal(), ep.to_decimal(), fmt::format("{:.2f}x", ep.ratio_to(ef))});
    }
    out += eff.render();
  } else {
    out += fmt::format("\nNo Flash/Pro comparison: {}\n", flash.quote ? book.explain(pro.error, "pro", t, cur)
                                                                      : book.explain(flash.error, "flash", t, cur));
  }
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace

void register_prices(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<PricesArgs>();
  CLI::App* cmd = app.add_subcommand("prices", "The price book in force at a time, with Pro/Flash ratios");
  cmd->footer(
      "Prints each billed model's rates per 1M tokens (cache hit, cache miss, output; peak and off-peak where "
      "banded), the ids billed as it, retired ids, the Pro/Flash ratio per token class, and the effective input "
      "price at several cache-hit rates. A request is priced at the rates in force at its start time.");
  cmd->add_option("--at", args->at, "The instant (ISO 8601, UTC unless a zone is given); default now")
      ->type_name("TIME");
  cmd->add_option("--currency", args->currency, "USD or CNY (separate list prices, not a conversion)")
      ->capture_default_str();
  cmd->add_option("--hit-rate", args->hit_rates,
                  "Cache-hit rates for the effective input price table: 80% or 0.8 (a bare 80 is refused as ambiguous)")
      ->type_name("PCT")
      ->capture_default_str();
  add_book_options(*cmd, args->book);
  cmd->callback([args, &exit_code] { exit_code = run_prices(*args); });
}

}  // namespace ff::cli
