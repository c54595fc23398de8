// Advisor: Flash, Pro, mixed routing or either — a recommendation with its reasons
// and the money behind it, from a workload profile. Pure computation (no I/O).
//
// The framework (the burden of proof sits with Pro):
//   - task: Flash for summarization, translation, classification, straightforward
//     Q&A, RAG, structured content and moderate coding; Pro for multi-step
//     reasoning, large-codebase debugging, agent tool chaining and outputs needing
//     coherence beyond 10K tokens. Both in the mix: mixed routing.
//   - volume: under 1M output tokens a month cost does not decide (pick on
//     quality); from 10M it is a budget line.
//   - cache: above a 70% cache-hit rate the input gap narrows; with no Pro task,
//     "either" — and the comparison is shown.
//   - subscription: the per-token math does not apply; only the quality ceiling.
//   - default: Flash.
// Monthly costs assume every category has the same token profile, so a category's
// share of the mix is its share of the tokens.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/result.h"
#include "core/time.h"
#include "pricing/price_book.h"

namespace ff::planner {

// The task categories the router uses, and which of them are Pro work.
const std::vector<std::string>& task_categories();
bool is_pro_category(const std::string& category);
// "agents" -> agent_tool_chaining, "RAG" -> rag ...; nullopt for an unknown word.
std::optional<std::string> category_from_word(std::string word);

enum class Access { kApi, kSubscription };
enum class WrongAnswerCost { kLow, kMedium, kHigh };

// "api" / "subscription" and "low" / "medium" / "high"; nullopt for anything else.
std::optional<Access> parse_access(std::string_view word);
std::optional<WrongAnswerCost> parse_wrong_answer_cost(std::string_view word);

struct WorkloadProfile {
  std::map<std::string, double> mix;  // category -> share (normalised to sum 1)
  std::int64_t output_tokens_per_month = 0;
  std::int64_t input_tokens_per_month = 0;
  double cache_hit_rate = 0;  // 0..1
  Access access = Access::kApi;
  WrongAnswerCost wrong_answer_cost = WrongAnswerCost::kMedium;
};

// Parses "summarization=0.3,agents=0.2" or plain words ("summarization, RAG,
// agents": equal shares). Shares are normalised to sum 1.
core::Result<std::map<std::string, double>> parse_mix(const std::string& spec);
// A profile from JSON or TOML text (the README documents the fields).
core::Result<WorkloadProfile> parse_profile(std::string_view text, const std::string& source_name);

struct MonthlyCost {
  core::Money all_flash, all_pro, recommended;
};

struct Advice {
  std::string recommendation;  // flash | pro | mixed | either
  std::vector<std::string> pro_categories;
  double pro_share = 0;  // of the traffic routed to Pro under the recommendation
  struct Reason {
    std::string rule;  // task | volume | cache | subscription | default | quality
    std::string text;
  };
  std::vector<Reason> reasons;
  std::string currency;
  core::Timestamp priced_at;
  std::optional<MonthlyCost> cost_off_peak;  // banded price books
  std::optional<MonthlyCost> cost_peak;
  MonthlyCost cost;  // at the band in force at priced_at
  // The framework's cache rule, computed from the price book: Pro's input price
  // over Flash's (per 1M input tokens at a hit rate) with no hits and at this
  // workload's hit rate, at priced_at and at the book's first rates for both
  // tiers (launch). The gap narrows when the second is below the first.
  struct InputGap {
    core::Timestamp at;
    double at_zero_hits = 0;
    double at_this_rate = 0;
    bool narrows() const { return at_this_rate < at_zero_hits; }
  };
  std::optional<InputGap> input_gap, input_gap_at_launch;
  // Where the decision would flip: the framework's cache threshold (the
  // article's 70%, which applies only where the gap narrows), the hit rate
  // at which Pro's input would cost what Flash's costs now (if reachable), and the
  // Pro share above which Pro takes most of the spend.
  double cache_threshold = 0.70;
  std::optional<double> pro_input_parity_hit_rate;
  std::optional<double> pro_share_majority_of_spend;
  std::vector<std::string> next_steps;
};

core::Result<Advice> advise(const WorkloadProfile& profile, const pricing::PriceBook& book, core::Timestamp at,
                            const std::string& currency);

std::string advice_text(const Advice& a);
std::string advice_json(const Advice& a);

}  // namespace ff::planner
