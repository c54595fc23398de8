// Renderings of a CostSummary: a terminal report, a JSON object, and a
// self-contained HTML page with SVG charts. Pure functions of their inputs.
//
// JSON schema (amounts are exact decimal strings in `currency`; documented in
// the README):
//   records, skipped {reason: count}, skipped_first_lines {reason: ["file:line"]},
//   time_span {first, last, days} | null, priced_at | null,
//   tokens {cache_hit, cache_miss, output, reasoning, input, total},
//   cache_hit_rate (number 0..1 | null), currency,
//   cost {actual, all_flash, all_pro, savings_vs_all_pro, projection_30d | null},
//   effective_input_per_1m {flash, pro} | null,
//   by_model {id: line}, by_band {flat|off_peak|peak: line}, by_day [{date, cost {model: amount}}]
// where line = {records, tokens {...}, cost, cost_if_flash, cost_if_pro}.
#pragma once

#include <optional>
#include <string>

#include "core/money.h"
#include "planner/cost_engine.h"
#include "pricing/price_book.h"

namespace ff::planner {

// Effective price per 1M input tokens for `tier` at `t` for this workload's mix of
// hits and misses (exact, rounded to the femto-unit). Nullopt without input tokens
// or without a price.
std::optional<core::Money> effective_input_per_million(const pricing::PriceBook& book, core::Tier tier,
                                                       core::Timestamp t, const std::string& currency, std::int64_t hit,
                                                       std::int64_t miss);

// The instant whose rates describe the workload as a whole: --at if given, else
// the last record's time, else `fallback`.
core::Timestamp reference_time(const CostSummary& s, core::Timestamp fallback);

std::string cost_report_text(const CostSummary& s, const pricing::PriceBook& book, core::Timestamp reference);
std::string cost_report_json(const CostSummary& s, const pricing::PriceBook& book, core::Timestamp reference);
std::string cost_report_html(const CostSummary& s, const pricing::PriceBook& book, core::Timestamp reference);

}  // namespace ff::planner
