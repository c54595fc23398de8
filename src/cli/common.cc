#include "cli/common.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <unordered_map>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "core/config_file.h"
#include "core/json_writer.h"
#include "core/text.h"
#include "ledger/ledger.h"
#include "report/text_table.h"
#include "pricing/price_book_loader.h"

namespace ff::cli {

int fail(std::string_view command, int code, const std::string& message) {
  fmt::print(stderr, "flashfirst {}: {}\n", command, message);
  return code;
}

core::Result<planner::CostSummary> ledger_cost_summary(const std::vector<std::string>& paths,
                                                       const pricing::PriceBook& book,
                                                       const planner::CostOptions& options, const LedgerQuery& query,
                                                       RatingsSummary* ratings) {
  planner::CostEngine engine(book, options);
  engine.group_by(query.by);
  std::string group;
  // The tier and category of each selected call, for the ratings.
  std::unordered_map<std::string, std::pair<std::string, std::string>> rated_calls;
  std::vector<ledger::Feedback> feedback;
  for (const std::string& path : paths) {
    auto rows = ledger::read_ledger(path);
    if (!rows.ok()) return rows.error();
    if (ratings) {
      auto f = ledger::read_ledger_feedback(path);
      if (!f.ok()) return f.error();
      feedback.insert(feedback.end(), f->begin(), f->end());
    }
    std::int64_t n = 0;
    for (const ledger::Row& row : *rows) {
      ++n;
      const core::Timestamp start{core::floor_div(row.start_ms, 1000)};
      if (!query.key.empty() && row.key_name != query.key) continue;
      if ((query.from && start < *query.from) || (query.to && !(start < *query.to))) continue;
      if (ratings) {
        const auto tier = book.tier_of(row.routed_model, start, options.currency);
        rated_calls.emplace(row.request_id, std::pair{std::string(tier ? core::tier_name(*tier) : "?"), row.category});
      }
      group.clear();
      for (const std::string& d : query.by) {
        if (!group.empty()) group.push_back(planner::kGroupSeparator);
        if (d == "key") {
          group += row.key_name.empty() ? "(unnamed, " + row.key_hash.substr(0, 8) + ")" : row.key_name;
        } else if (d == "category") {
          group += row.category;
        } else if (d == "tier") {
          const auto tier = book.tier_of(row.routed_model, start, options.currency);
          group += tier ? core::tier_name(*tier) : "?";
        } else if (d == "model") {
          group += row.routed_model;
        } else if (d == "day") {
          group += core::format_time(start).substr(0, 10);
        }
      }
      if (row.status != 200 && row.usage.total() == 0) {
        engine.add_error(group);  // the upstream answered an error: nothing was billed
        continue;
      }
      if (row.usage.total() == 0) {
        engine.skip(planner::SkipReason::kNoUsage, path, n);
        continue;
      }
      planner::UsageRecord rec{row.routed_model, start, row.usage};
      if (auto reason = engine.add(rec, group)) engine.skip(*reason, path, n);
    }
  }
  if (ratings) {
    std::map<std::pair<std::string, std::string>, RatingGroup> groups;
    for (const ledger::Feedback& f : feedback) {
      auto call = rated_calls.find(f.request_id);
      if (call == rated_calls.end()) {
        // A rating of a call outside the query (another key, another time) is not
        // counted; one whose call is in no ledger given is "unmatched".
        if (query.key.empty() && !query.from && !query.to) ++ratings->unmatched;
        continue;
      }
      RatingGroup& g = groups[call->second];
      g.tier = call->second.first;
      g.category = call->second.second;
      ++g.ratings;
      ++ratings->ratings;
      if (f.value_is_bool) {
        ++g.yes_no;
        g.passed += f.value != 0 ? 1 : 0;
      } else {
        ++g.numbers;
        g.number_sum += f.value;
      }
    }
    for (auto& [k, g] : groups) ratings->groups.push_back(std::move(g));
  }
  return engine.summary();
}

std::string ratings_text(const RatingsSummary& r) {
  if (r.ratings == 0 && r.unmatched == 0) return "";
  std::string out = fmt::format("\nRatings (POST /v1/flashfirst/feedback): {}", core::count_of(r.ratings, "rating"));
  if (r.unmatched > 0) out += fmt::format(", and {} of calls in no ledger given", core::count_of(r.unmatched, "rating"));
  out += "\n";
  if (r.groups.empty()) return out;
  using Align = report::TextTable::Align;
  report::TextTable t({"tier", "category", "ratings", "passed (true/false)", "mean (numbers)"},
                      {Align::kLeft, Align::kLeft, Align::kRight, Align::kRight, Align::kRight});
  for (const RatingGroup& g : r.groups) {
    t.add_row({g.tier, g.category, std::to_string(g.ratings),
               g.yes_no ? fmt::format("{:.1f}% of {}", 100.0 * static_cast<double>(g.passed) / static_cast<double>(g.yes_no), g.yes_no) : "-",
               g.numbers ? fmt::format("{:.3g} of {}", g.number_sum / static_cast<double>(g.numbers), g.numbers) : "-"});
  }
  return out + t.render();
}

std::string ratings_json(const RatingsSummary& r) {
  core::JsonWriter w(true);
  w.begin_object().key("ratings").value(r.ratings).key("unmatched").value(r.unmatched).key("by").begin_array();
  for (const RatingGroup& g : r.groups) {
    w.begin_object().key("tier").value(g.tier).key("category").value(g.category).key("ratings").value(g.ratings);
    w.key("yes_no").value(g.yes_no).key("passed").value(g.passed);
    w.key("pass_rate").number_text(g.yes_no ? fmt::format("{:.4f}", static_cast<double>(g.passed) / static_cast<double>(g.yes_no)) : "null");
    w.key("numbers").value(g.numbers);
    w.key("mean").number_text(g.numbers ? fmt::format("{:.6g}", g.number_sum / static_cast<double>(g.numbers)) : "null");
    w.end_object();
  }
  w.end_array().end_object();
  return w.str();
}

core::Result<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return core::make_error("--listen must be HOST:PORT, e.g. 127.0.0.1:0");
  try {
    const int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    return std::pair{listen.substr(0, colon), static_cast<std::uint16_t>(port)};
  } catch (const std::exception&) {
    return core::make_error(fmt::format("--listen: '{}' has no valid port", listen));
  }
}

core::Result<std::string> read_input(const std::string& path) {
  if (path != "-") return core::read_text_file(path);
  std::string out;
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(STDIN_FILENO, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  if (n < 0) return core::make_error("cannot read standard input");
  return out;
}

void add_book_options(CLI::App& app, BookOptions& opts) {
  app.add_option("--prices", opts.prices_file,
                 "Price book (TOML) to use instead of the built-in one (also $FLASHFIRST_PRICES); "
                 "see data/prices.toml for the format")
      ->type_name("FILE");
  app.add_option("--holidays", opts.holidays_file,
                 "Extra public holidays ([[holiday]] from/to/name entries) that are off-peak all day")
      ->type_name("FILE");
}

core::Result<pricing::PriceBook> load_book(const BookOptions& opts) {
  std::string path = opts.prices_file;
  if (path.empty()) {
    if (const char* env = std::getenv("FLASHFIRST_PRICES"); env != nullptr && *env != '\0') path = env;
  }
  auto book = path.empty() ? pricing::load_embedded_price_book() : pricing::load_price_book_file(path);
  if (!book.ok()) return book;
  if (!opts.holidays_file.empty()) {
    core::Status s = pricing::add_holidays_from_file(*book, opts.holidays_file);
    if (!s.ok()) return core::make_error(s.message());
  }
  return book;
}

core::Result<PricingContext> pricing_context(const BookOptions& opts, const std::string& currency,
                                             const std::string& at) {
  auto book = load_book(opts);
  if (!book.ok()) return book.error();
  if (auto s = check_currency(*book, currency); !s.ok()) return core::make_error(s.message());
  core::Timestamp t = core::system_clock().now();
  if (!at.empty()) {
    auto parsed = core::parse_time(at);
    if (!parsed.ok()) return core::make_error("--at: " + parsed.error().message);
    t = *parsed;
  }
  return PricingContext{std::move(*book), t};
}

core::Status check_currency(const pricing::PriceBook& book, const std::string& currency) {
  auto all = book.currencies();
  for (const std::string& c : all) {
    if (c == currency) return core::Status::Ok();
  }
  std::string list;
  for (const std::string& c : all) list += (list.empty() ? "" : ", ") + c;
  return core::make_error(fmt::format("the price book has no {} prices (it has: {})", currency, list));
}

core::Result<std::int64_t> parse_token_count(const std::string& text) {
  auto bad = [&] {
    return core::make_error(fmt::format("'{}' is not a token count (examples: 250000, 200k, 1.5M, 2B)", text));
  };
  if (text.empty()) return bad();
  std::int64_t multiplier = 1;
  std::string digits = text;
  switch (digits.back()) {
    case 'k':
    case 'K':
      multiplier = 1'000;
      break;
    case 'M':
      multiplier = 1'000'000;
      break;
    case 'B':
    case 'G':
      multiplier = 1'000'000'000;
      break;
    default:
      break;
  }
  if (multiplier != 1) digits.pop_back();
  auto value = core::parse_money(digits);  // an exact decimal
  if (!value.ok() || value->femto() < 0) return bad();
  core::int128 scaled = value->femto() * multiplier;
  if (scaled % core::Money::kUnitsPerCurrency != 0) {
    return core::make_error(fmt::format("'{}' is not a whole number of tokens", text));
  }
  core::int128 tokens = scaled / core::Money::kUnitsPerCurrency;
  if (tokens > static_cast<core::int128>(1'000'000'000'000'000'000)) return bad();
  return static_cast<std::int64_t>(tokens);
}

core::Result<core::TokenUsage> parse_token_spec(const std::string& spec) {
  core::TokenUsage u;
  size_t start = 0;
  bool any = false;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string part = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string::npos) {
      return core::make_error(fmt::format("--tokens: '{}' must look like hit=N, miss=N or output=N", part));
    }
    std::string key = part.substr(0, eq);
    auto n = parse_token_count(part.substr(eq + 1));
    if (!n.ok()) return core::make_error("--tokens: " + n.error().message);
    if (key == "hit")
      u.cache_hit = *n;
    else if (key == "miss")
      u.cache_miss = *n;
    else if (key == "output")
      u.output = *n;
    else
      return core::make_error(fmt::format("--tokens: unknown class '{}' (use hit, miss, output)", key));
    any = true;
  }
  if (!any) return core::make_error("--tokens: give at least one of hit=N, miss=N, output=N");
  return u;
}

core::Result<core::Money> parse_rate(std::string_view text, std::string_view what) {
  std::string_view t = text;
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  const bool percent = !t.empty() && t.back() == '%';
  if (percent) t.remove_suffix(1);
  auto v = core::parse_money(t);
  const core::Money limit = core::Money::from_femto((percent ? 100 : 1) * core::Money::kUnitsPerCurrency);
  if (!percent && v.ok() && v->femto() > 0 && t.find('.') == std::string_view::npos) {
    return core::make_error(
        fmt::format("{}: '{}' is ambiguous: write {}% for a percentage or a fraction with a "
                    "decimal point (0.8)",
                    what, text, t));
  }
  if (t.empty() || !v.ok() || v->femto() < 0 || v->femto() > limit.femto()) {
    return core::make_error(
        fmt::format("{}: '{}' is not a rate: write a percentage (80%) or a fraction from 0 to 1 "
                    "(0.8)",
                    what, text));
  }
  return percent ? core::Money::from_femto(v->femto() / 100) : *v;
}

core::Status check_writable(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "ab");
  if (f == nullptr) return core::make_error(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  std::fclose(f);
  return core::Status::Ok();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace ff::cli
