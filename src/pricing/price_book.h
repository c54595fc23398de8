// PriceBook: what a DeepSeek request costs, by model id, time and currency.
//
// The book is data (data/prices.toml, or a user's file): billed models with their
// tier, ids that are billed as some model during a period (aliases, including the
// tier names "flash" and "pro"), ids retired at a time, rate rows per model and
// currency with an effective start (and optional end), either flat or banded into
// peak / off-peak by the PeakSchedule. A request is priced at the rates in force at
// its start time.
//
// Load it once with load_price_book() (price_book_loader.h); afterwards it is
// immutable and safe to share between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/time.h"
#include "core/usage.h"
#include "pricing/peak_schedule.h"

namespace ff::pricing {

enum class Band { kFlat, kOffPeak, kPeak };
const char* band_name(Band b);  // "flat", "off_peak", "peak"

struct TokenRates {
  core::Rate cache_hit;
  core::Rate cache_miss;
  core::Rate output;

  core::Money cost(const core::TokenUsage& u) const {
    return cache_hit.cost(u.cache_hit) + cache_miss.cost(u.cache_miss) + output.cost(u.output);
  }
  bool operator==(const TokenRates&) const = default;
};

struct Model {
  std::string id;
  core::Tier tier = core::Tier::kFlash;
  std::string name;
};

// The rates of one model in one currency over [from, until).
struct RateRow {
  int model = 0;  // index into PriceBook::models()
  std::string currency;
  core::Timestamp from;
  core::Timestamp until;  // the next row's `from`, an explicit end, or kEndOfTime
  std::optional<TokenRates> flat;
  std::optional<TokenRates> off_peak;  // set together with peak
  std::optional<TokenRates> peak;
  std::string note;
  int line = 0;  // where it was defined, for messages
};

// An id billed as `model` during [from, until).
struct Alias {
  std::string id;
  int model = 0;
  core::Timestamp from;
  core::Timestamp until;
  int line = 0;
};

struct Retirement {
  std::string id;
  core::Timestamp at;
  std::string note;
};

inline constexpr core::Timestamp kBeginningOfTime{INT64_MIN / 2};
inline constexpr core::Timestamp kEndOfTime{INT64_MAX / 2};

// A price that holds for any start time in [valid_from, valid_until).
struct Quote {
  int model = 0;
  Band band = Band::kFlat;
  TokenRates rates;
  core::Timestamp valid_from;
  core::Timestamp valid_until;

  core::Money cost(const core::TokenUsage& u) const { return rates.cost(u); }
  bool covers(core::Timestamp t) const { return valid_from <= t && t < valid_until; }
};

enum class QuoteError {
  kUnknownModel,  // the id appears nowhere in the book
  kRetired,       // the id was retired before this time
  kNoPrice,       // the id is known, but no rate is in force then (in that currency)
};

struct QuoteResult {
  std::optional<Quote> quote;
  QuoteError error = QuoteError::kUnknownModel;  // meaningful only without a quote
};

class PriceBook {
 public:
  PriceBook(std::string source_name, std::vector<Model> models, std::vector<Alias> aliases,
            std::vector<Retirement> retirements, std::vector<RateRow> rows, PeakSchedule schedule);

  // Prices `id` for a request that starts at `t`, in `currency`.
  QuoteResult quote(std::string_view id, core::Timestamp t, std::string_view currency) const;
  // Prices the tier's id ("flash" or "pro") at `t`.
  QuoteResult quote_tier(core::Tier tier, core::Timestamp t, std::string_view currency) const {
    return quote(core::tier_name(tier), t, currency);
  }

  // The tier of the model `id` names for a request at `t` that has a price in
  // `currency`; nullopt when quote() would fail.
  std::optional<core::Tier> tier_of(std::string_view id, core::Timestamp t, std::string_view currency) const {
    const QuoteResult q = quote(id, t, currency);
    if (!q.quote) return std::nullopt;
    return models_[static_cast<std::size_t>(q.quote->model)].tier;
  }

  // A sentence explaining a failed quote, e.g. "deepseek-chat was retired at 2026-07-24T15:59:00Z".
  std::string explain(QuoteError error, std::string_view id, core::Timestamp t, std::string_view currency) const;

  const std::string& source_name() const { return source_name_; }
  const std::vector<Model>& models() const { return models_; }
  const std::vector<Alias>& aliases() const { return aliases_; }
  const std::vector<Retirement>& retirements() const { return retirements_; }
  const std::vector<RateRow>& rows() const { return rows_; }
  const PeakSchedule& schedule() const { return schedule_; }
  PeakSchedule& mutable_schedule() { return schedule_; }  // for adding holidays before use
  std::vector<std::string> currencies() const;
  std::optional<int> find_model(std::string_view id) const;

  // The row for model/currency in force at t, if any.
  const RateRow* row_at(int model, core::Timestamp t, std::string_view currency) const;

 private:
  struct Resolution {
    int model;
    core::Timestamp from, until;
  };
  std::optional<Resolution> resolve(std::string_view id, core::Timestamp t, QuoteError& error) const;

  std::string source_name_;
  std::vector<Model> models_;
  std::vector<Alias> aliases_;  // sorted by (id, from)
  std::vector<Retirement> retirements_;
  std::vector<RateRow> rows_;  // sorted by (model, currency, from)
  PeakSchedule schedule_;
  std::map<std::string, std::vector<int>, std::less<>> aliases_by_id_;
};

}  // namespace ff::pricing
