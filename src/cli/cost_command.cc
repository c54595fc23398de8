#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <tuple>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "ledger/ledger.h"
#include "planner/cost_engine.h"
#include "planner/cost_report.h"

namespace ff::cli {

namespace {

struct CostArgs {
  BookOptions book;
  std::vector<std::string> files;
  std::string at;
  std::string currency = "USD";
  std::string tokens;
  std::vector<std::string> ledgers;
  std::string model = "flash";
  bool json = false;
  std::string html;
  bool strict = false;
  bool no_progress = false;
  std::string by;        // with --ledger: key,category,tier,model,day
  std::string key;       // with --ledger: one virtual key's rows
  std::string from, to;  // with --ledger: calls that started in [from, to)
};

// A one-line progress bar on stderr, redrawn at most ten times a second.
class ProgressBar {
 public:
  void update(std::uint64_t done, std::optional<std::uint64_t> total) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    double mb = static_cast<double>(done) / 1e6;
    std::string line;
    if (total && *total > 0) {
      double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(*total));
      int filled = static_cast<int>(frac * 30);
      line = fmt::format("\r[{}{}] {:5.1f}%  {:.0f} MB  {:.0f} MB/s", std::string(filled, '#'),
                         std::string(30 - filled, '.'), frac * 100, mb, secs > 0 ? mb / secs : 0);
    } else {
      line = fmt::format("\r{:.0f} MB read  {:.0f} MB/s", mb, secs > 0 ? mb / secs : 0);
    }
    std::fputs(line.c_str(), stderr);
    drawn_ = true;
  }
  ~ProgressBar() {
    if (drawn_) std::fputs("\r\033[K", stderr);
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_ = start_;
  bool drawn_ = false;
};

int run_cost(const CostArgs& a) {
  auto book = load_book(a.book);
  if (!book.ok()) return fail("cost", kExitUsage, book.error().message);
  if (auto s = check_currency(*book, a.currency); !s.ok()) return fail("cost", kExitUsage, s.message());
  if (!a.html.empty()) {
    if (auto s = check_writable(a.html); !s.ok()) return fail("cost", kExitUsage, s.message());
  }

  planner::CostOptions options;
  options.currency = a.currency;
  if (!a.at.empty()) {
    auto t = core::parse_time(a.at);
    if (!t.ok()) return fail("cost", kExitUsage, "--at: " + t.error().message);
    options.at = *t;
  }

  planner::CostSummary summary;
  RatingsSummary ratings;  // a ledger's only
  bool from_ledger = false;
  if (!a.tokens.empty()) {
    if (!a.files.empty()) return fail("cost", kExitUsage, "give either usage files or --tokens, not both");
    auto usage = parse_token_spec(a.tokens);
    if (!usage.ok()) return fail("cost", kExitUsage, usage.error().message);
    const core::Timestamp when = options.at.value_or(core::system_clock().now());
    options.at = when;
    planner::CostEngine engine(*book, options);
    planner::UsageRecord rec{a.model, std::nullopt, *usage};  // priced at options.at
    if (auto reason = engine.add(rec)) {
      pricing::QuoteResult q = book->quote(a.model, when, a.currency);
      std::string why =
          q.quote ? fmt::format("no {} price for the Flash or Pro tier at {}", a.currency, core::format_time(when))
                  : book->explain(q.error, a.model, when, a.currency);
      return fail("cost", kExitFailure, why);
    }
    summary = engine.summary();
  } else if (!a.ledgers.empty()) {
    from_ledger = true;
    if (!a.files.empty()) return fail("cost", kExitUsage, "give either usage files or --ledger, not both");
    LedgerQuery query;
    query.key = a.key;
    for (std::string_view rest = a.by; !rest.empty();) {
      const std::size_t comma = rest.find(',');
      const std::string d(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (std::find(std::begin(kLedgerDimensions), std::end(kLedgerDimensions), d) == std::end(kLedgerDimensions)) {
        return fail("cost", kExitUsage, fmt::format("--by: '{}' is not one of key, category, tier, model, day", d));
      }
      if (std::find(query.by.begin(), query.by.end(), d) == query.by.end()) query.by.push_back(d);
    }
    for (auto [flag, text, out] : {std::tuple{"--from", &a.from, &query.from}, std::tuple{"--to", &a.to, &query.to}}) {
      if (text->empty()) continue;
      auto t = core::parse_time(*text);
      if (!t.ok()) return fail("cost", kExitUsage, fmt::format("{}: {}", flag, t.error().message));
      *out = *t;
    }
    auto s = ledger_cost_summary(a.ledgers, *book, options, query, &ratings);
    if (!s.ok()) return fail("cost", kExitUsage, s.error().message);
    summary = std::move(*s);
  } else {
    if (!a.by.empty() || !a.key.empty() || !a.from.empty() || !a.to.empty()) {
      return fail("cost", kExitUsage, "--by, --key, --from and --to read a gateway ledger: give --ledger");
    }
    std::vector<std::string> files = a.files.empty() ? std::vector<std::string>{"-"} : a.files;
    if (a.files.empty() && isatty(STDIN_FILENO)) {
      return fail("cost", kExitUsage, "give usage log files (or - for standard input), or --tokens; see --help");
    }
    std::unique_ptr<ProgressBar> bar;
    planner::ProgressFn progress;
    if (!a.no_progress && isatty(STDERR_FILENO)) {
      bar = std::make_unique<ProgressBar>();
      progress = [&bar](std::uint64_t done, std::optional<std::uint64_t> total) { bar->update(done, total); };
    }
    auto result = planner::cost_inputs(files, *book, options, progress);
    bar.reset();
    if (!result.ok()) return fail("cost", kExitUsage, result.error().message);
    summary = std::move(*result);
  }

  if (a.strict && summary.skipped_total() > 0) {
    std::string detail;
    for (int i = 0; i < planner::kSkipReasonCount; ++i) {
      const auto& k = summary.skipped[i];
      if (k.count == 0) continue;
      detail += fmt::format("\n  {}: {} ({}), first at {}", planner::skip_reason_name(planner::SkipReason(i)), k.count,
                            planner::skip_reason_text(planner::SkipReason(i)), k.first_locations.front());
    }
    return fail("cost", kExitFailure,
                fmt::format("--strict: {} lines could not be priced:{}", summary.skipped_total(), detail));
  }

  const core::Timestamp ref = planner::reference_time(summary, core::system_clock().now());
  if (!a.html.empty()) {
    std::ofstream out(a.html, std::ios::binary | std::ios::trunc);
    out << planner::cost_report_html(summary, *book, ref);
    out.close();
    if (!out) return fail("cost", kExitUsage, fmt::format("cannot write '{}'", a.html));
  }
  if (a.json) {
    std::string json = planner::cost_report_json(summary, *book, ref);
    // A ledger's report carries its ratings too, as one more member.
    if (const std::size_t end = json.rfind('}'); from_ledger && end != std::string::npos) {
      json.insert(end, fmt::format(",\n  \"feedback\": {}\n", ratings_json(ratings)));
      if (end > 0 && json[end - 1] == '\n') json.erase(end - 1, 1);
    }
    std::fputs(json.c_str(), stdout);
  } else {
    std::fputs(planner::cost_report_text(summary, *book, ref).c_str(), stdout);
    std::fputs(ratings_text(ratings).c_str(), stdout);
    if (!a.html.empty()) fmt::print("\nHTML report written to {}\n", a.html);
  }
  // Lines were read but none could be priced: the report above (with its
  // skip table) says $0, which is no answer.
  if (summary.total.records == 0 && summary.skipped_total() > 0) {
    return fail(
        "cost", kExitFailure,
        fmt::format("none of the {} lines could be priced (see the skipped lines above)", summary.skipped_total()));
  }
  return kExitOk;
}

}  // namespace

void register_cost(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<CostArgs>();
  CLI::App* cmd = app.add_subcommand("cost", "Exact cost of DeepSeek usage: as billed, all on Flash, all on Pro");
  cmd->footer(
      "Reads JSON lines (chat completion responses, final stream chunks, OpenAI/Responses/Anthropic usage) or CSV "
      "with a header (time, model, cache hit, cache miss, output tokens); gzip is detected. Each request is priced "
      "at the rates in force at its start time (the response's `created`); --at prices everything at one instant "
      "instead. A Unix `created` may be in seconds, milliseconds, microseconds or nanoseconds (told apart by size). "
      "Exit codes: 0 ok, 1 nothing could be priced, --strict found unpriceable lines or --tokens could not be "
      "priced, 2 bad input (unreadable, a directory, a truncated gzip).");
  cmd->add_option("files", args->files, "Usage logs; '-' or nothing reads standard input")->type_name("FILE");
  cmd->add_option("--at", args->at, "Price every record at this instant (ISO 8601, UTC unless a zone is given)")
      ->type_name("TIME");
  cmd->add_option("--currency", args->currency, "Currency of the list prices to use: USD or CNY (not a conversion)")
      ->capture_default_str();
  cmd->add_option("--tokens", args->tokens,
                  "Cost a volume without a file: hit=N,miss=N,output=N (suffixes k, M, B); priced at --at or now")
      ->type_name("SPEC");
  cmd->add_option("--ledger", args->ledgers,
                  "Read the gateway's ledger (SQLite file or PostgreSQL URL) instead of usage logs (each row is "
                  "priced from its usage; locations of skipped rows are file:row)")
      ->type_name("FILE|URL");
  cmd->add_option("--by", args->by,
                  "With --ledger: spend grouped by key, category, tier, model and/or day (combine: --by key,category)")
      ->type_name("DIMS");
  cmd->add_option("--key", args->key, "With --ledger: only this virtual key's calls (its name in the config)")
      ->type_name("NAME");
  cmd->add_option("--from", args->from, "With --ledger: only calls that started at or after this time (ISO 8601)")
      ->type_name("TIME");
  cmd->add_option("--to", args->to, "With --ledger: only calls that started before this time (ISO 8601)")
      ->type_name("TIME");
  cmd->add_option("--model", args->model, "Model id for --tokens (flash, pro, or a DeepSeek id)")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print one JSON object (amounts as exact decimal strings)");
  cmd->add_option("--html", args->html, "Also write a self-contained HTML report with SVG charts")->type_name("FILE");
  cmd->add_flag("--strict", args->strict, "Fail (exit 1) if any line cannot be priced");
  cmd->add_flag("--no-progress", args->no_progress, "Never draw the progress bar on stderr");
  add_book_options(*cmd, args->book);
  cmd->callback([args, &exit_code] { exit_code = run_cost(*args); });
}

}  // namespace ff::cli
