// Helpers shared by the subcommands: the price book options, exit codes, parsing
// of option values. Nothing here prints except to report a failure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "core/usage.h"
#include "planner/cost_engine.h"
#include "pricing/price_book.h"

namespace CLI {
class App;
}

namespace ff::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,  // the command ran, and its result is a failure (e.g. --strict)
  kExitUsage = 2,    // bad flags, unreadable or invalid input files
};

// Prints "flashfirst COMMAND: message" on stderr and returns `code`, so a command
// can `return fail(...)`.
int fail(std::string_view command, int code, const std::string& message);

// Options every command that prices something takes.
struct BookOptions {
  std::string prices_file;    // --prices; default: $FLASHFIRST_PRICES, else the embedded book
  std::string holidays_file;  // --holidays
};
void add_book_options(CLI::App& app, BookOptions& opts);

// Loads the book the options name. The error message names the file, line and field.
core::Result<pricing::PriceBook> load_book(const BookOptions& opts);

// What a command that prices at one instant needs: the book (checked to have
// `currency`) and the instant (`at` parsed, or now when empty). Errors are ready
// to print.
struct PricingContext {
  pricing::PriceBook book;
  core::Timestamp at;
};
core::Result<PricingContext> pricing_context(const BookOptions& opts, const std::string& currency,
                                             const std::string& at);

// Checks that the book has rates in `currency`.
core::Status check_currency(const pricing::PriceBook& book, const std::string& currency);

// Which ledger rows a report takes, and how it groups them.
struct LedgerQuery {
  std::vector<std::string> by;              // key, category, tier, model, day (in that order of nesting)
  std::string key;                          // only this virtual key's rows (by name); "" for all
  std::optional<core::Timestamp> from, to;  // only calls that started in [from, to)
};
// The dimensions LedgerQuery::by accepts.
inline constexpr const char* kLedgerDimensions[] = {"key", "category", "tier", "model", "day"};

// Ratings of answers (POST /v1/flashfirst/feedback) per tier and category of the
// call rated: true/false ratings as a pass rate, numbers as a mean.
struct RatingGroup {
  std::string tier, category;
  std::int64_t ratings = 0;
  std::int64_t yes_no = 0, passed = 0;  // ratings sent as true/false, and the true ones
  std::int64_t numbers = 0;             // ratings sent as numbers
  double number_sum = 0;
};
struct RatingsSummary {
  std::int64_t ratings = 0;    // of the calls the query selects
  std::int64_t unmatched = 0;  // ratings whose call is not in these ledgers
  std::vector<RatingGroup> groups;  // by tier, then category
};

// The cost report of gateway ledgers: each row is one upstream call, priced from
// its usage at its start time (or at options.at); a call the upstream answered
// with an error (nothing billed) counts as an upstream error, not a skipped line.
core::Result<planner::CostSummary> ledger_cost_summary(const std::vector<std::string>& paths,
                                                       const pricing::PriceBook& book,
                                                       const planner::CostOptions& options,
                                                       const LedgerQuery& query = {},
                                                       RatingsSummary* ratings = nullptr);
// The ratings summary as text (a table; "" when there are none) and as JSON.
std::string ratings_text(const RatingsSummary& r);
std::string ratings_json(const RatingsSummary& r);

// "HOST:PORT" of a --listen option (port 0: any free port). The error names the flag.
core::Result<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& listen);

// The whole of a file, or of standard input for "-".
core::Result<std::string> read_input(const std::string& path);

// "hit=1.5M,miss=200k,output=10M" (suffixes k, M, B; any order; omitted = 0).
core::Result<core::TokenUsage> parse_token_spec(const std::string& spec);

// A token count such as "10M", "1.5k", "250000".
core::Result<std::int64_t> parse_token_count(const std::string& text);

// A share such as a cache-hit rate, written the one way every flag and prompt
// takes it: a fraction with a decimal point ("0.8", "1.0", ".5") or "0", or a
// percentage with its sign ("80%", "12.5%"). A bare whole number other than 0
// ("80", "1") is refused as ambiguous. The result is exact: 1 (currency unit)
// stands for 100%. Errors name `what` (the flag or question).
core::Result<core::Money> parse_rate(std::string_view text, std::string_view what);

// Fails, naming `path` and why, when an output file cannot be created or
// written there (checked before long work, so that it fails first, not last).
// Creates the file, empty, when it did not exist.
core::Status check_writable(const std::string& path);

// Levenshtein distance between two names (bytes), for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace ff::cli
