// CostEngine: prices usage records exactly and aggregates what a cost report shows.
//
// Each record is priced at the rates in force at its own start time (or at one
// fixed instant, `CostOptions::at`), as billed (actual), and as if the same
// tokens had all gone to the Flash tier and all to the Pro tier at that time.
// Sums are exact (core::Money). cost_inputs() runs the whole pipeline over usage
// logs. Not thread-safe: one engine per thread; merge() joins engines.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/result.h"
#include "core/time.h"
#include "core/usage.h"
#include "planner/usage_reader.h"
#include "pricing/price_book.h"

namespace ff::planner {

struct CostOptions {
  std::string currency = "USD";
  std::optional<core::Timestamp> at;  // price everything at this instant
};

struct CostLine {
  std::int64_t records = 0;
  core::TokenUsage tokens;
  core::Money cost;
  core::Money cost_if_flash;
  core::Money cost_if_pro;
};

// One group of a grouped report (`cost --ledger --by key,category`): its priced
// calls, and the calls that failed upstream (no usage, no cost) apart.
struct GroupLine {
  CostLine line;
  std::int64_t errors = 0;
};

// A grouped report's key is the dimensions' values in order, joined by this.
inline constexpr char kGroupSeparator = '\x1f';
// The values of a group key, one per dimension.
std::vector<std::string> group_values(std::string_view key);

struct SkipSummary {
  std::int64_t count = 0;
  std::vector<std::string> first_locations;  // "file:line", at most kMaxLocations
  static constexpr size_t kMaxLocations = 5;
};

struct CostSummary {
  std::string currency;
  std::optional<core::Timestamp> priced_at;  // set when --at was given
  CostLine total;
  std::optional<core::Timestamp> first_time, last_time;
  std::map<std::string, CostLine> by_model;  // billed model id
  std::array<CostLine, 3> by_band;           // indexed by pricing::Band
  // Actual cost per UTC day (days since the epoch) and billed model.
  std::map<std::int64_t, std::map<std::string, core::Money>> by_day;
  std::array<SkipSummary, kSkipReasonCount> skipped;
  // Ledger reports: calls that failed upstream (an error status, nothing billed),
  // counted apart from lines that could not be priced.
  std::int64_t upstream_errors = 0;
  // Grouped reports: the dimensions (key, category, tier, model, day) and, per
  // group, the values joined by kGroupSeparator in that order.
  std::vector<std::string> group_by;
  std::map<std::string, GroupLine> by_group;

  std::int64_t skipped_total() const;
  // hits / (hits + misses), or nullopt without input tokens.
  std::optional<double> cache_hit_rate() const;
  // The 30-day cost at the observed rate: actual * 30 days / span. Nullopt when the
  // span is under one hour (too short to extrapolate).
  std::optional<core::Money> projection_30d() const;
};

class CostEngine {
 public:
  CostEngine(const pricing::PriceBook& book, CostOptions options);

  // Prices one record; returns why it cannot be priced, or nullopt when it was added.
  std::optional<SkipReason> add(const UsageRecord& record);

  // As add(), and the record also counts toward `group` of a grouped report.
  std::optional<SkipReason> add(const UsageRecord& record, const std::string& group);
  // A call that failed upstream (nothing billed), in `group`.
  void add_error(const std::string& group);
  // Names the dimensions of a grouped report.
  void group_by(std::vector<std::string> dimensions) { summary_.group_by = std::move(dimensions); }

  // Counts a line that was not priced, found at source:line.
  void skip(SkipReason reason, std::string_view source, std::int64_t line);

  // The report so far.
  CostSummary summary() const;
  // Its total so far, without copying the report (a caller that prices one
  // record at a time reads what add() added from it).
  const CostLine& total() const { return summary_.total; }

 private:
  struct CachedQuote {
    std::string id;
    pricing::Quote quote;
  };
  std::optional<pricing::Quote> quote_cached(std::vector<CachedQuote>& cache, std::string_view id, core::Timestamp t,
                                             pricing::QuoteError& error);

  const pricing::PriceBook& book_;
  CostOptions options_;
  CostSummary summary_;
  std::vector<CachedQuote> actual_cache_, flash_cache_, pro_cache_;
  // Per billed-model index; turned into the summary's maps by summary().
  std::vector<CostLine> by_model_;
  std::map<std::int64_t, std::vector<core::Money>> by_day_;
  std::int64_t current_day_ = INT64_MIN;
  std::vector<core::Money>* current_day_costs_ = nullptr;
};

// Called with (bytes consumed, total bytes if known) after each chunk.
using ProgressFn = std::function<void(std::uint64_t, std::optional<std::uint64_t>)>;

// Reads every input ("-" is standard input) and prices what it holds. Fails only
// when an input cannot be opened or read; bad lines are counted as skipped.
core::Result<CostSummary> cost_inputs(const std::vector<std::string>& paths, const pricing::PriceBook& book,
                                      const CostOptions& options, const ProgressFn& progress = nullptr);

}  // namespace ff::planner
