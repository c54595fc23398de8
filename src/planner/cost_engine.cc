#include "planner/cost_engine.h"

#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "planner/line_source.h"

namespace ff::planner {

using core::Money;
using pricing::Band;

std::int64_t CostSummary::skipped_total() const {
  std::int64_t n = 0;
  for (const SkipSummary& s : skipped) n += s.count;
  return n;
}

std::optional<double> CostSummary::cache_hit_rate() const {
  std::int64_t input = total.tokens.prompt();
  if (input == 0) return std::nullopt;
  return static_cast<double>(total.tokens.cache_hit) / static_cast<double>(input);
}

std::optional<Money> CostSummary::projection_30d() const {
  if (!first_time || !last_time) return std::nullopt;
  std::int64_t span = last_time->unix_seconds - first_time->unix_seconds;
  if (span < 3600) return std::nullopt;
  return Money::from_femto(total.cost.femto() * (30 * core::kSecondsPerDay) / span);
}

CostEngine::CostEngine(const pricing::PriceBook& book, CostOptions options)
    : book_(book), options_(std::move(options)), by_model_(book.models().size()) {
  summary_.currency = options_.currency;
  summary_.priced_at = options_.at;
}

CostSummary CostEngine::summary() const {
  CostSummary s = summary_;
  const auto& models = book_.models();
  for (size_t i = 0; i < models.size(); ++i) {
    if (by_model_[i].records > 0) s.by_model[models[i].id] = by_model_[i];
  }
  for (const auto& [day, costs] : by_day_) {
    auto& out = s.by_day[day];
    for (size_t i = 0; i < costs.size(); ++i) {
      if (by_model_[i].records > 0) out[models[i].id] = costs[i];
    }
  }
  return s;
}

std::optional<pricing::Quote> CostEngine::quote_cached(std::vector<CachedQuote>& cache, std::string_view id,
                                                       core::Timestamp t, pricing::QuoteError& error) {
  // Logs hold a handful of model ids and arrive roughly in time order, so a short
  // list searched linearly keeps nearly every lookup to one string compare.
  for (CachedQuote& c : cache) {
    if (c.id == id) {
      if (c.quote.covers(t)) return c.quote;
      pricing::QuoteResult r = book_.quote(id, t, options_.currency);
      if (!r.quote) {
        error = r.error;
        return std::nullopt;
      }
      c.quote = *r.quote;
      return c.quote;
    }
  }
  pricing::QuoteResult r = book_.quote(id, t, options_.currency);
  if (!r.quote) {
    error = r.error;
    return std::nullopt;
  }
  if (cache.size() < 64) cache.push_back({std::string(id), *r.quote});
  return r.quote;
}

std::optional<SkipReason> CostEngine::add(const UsageRecord& rec) {
  std::optional<core::Timestamp> when = options_.at ? options_.at : rec.time;
  if (!when) return SkipReason::kNoTimestamp;
  pricing::QuoteError error{};
  // A Claude name (an Anthropic-format log, as the gateway and the simulator
  // answer) is billed as the tier DeepSeek serves it as.
  const std::optional<core::Tier> claude = core::claude_tier(rec.model);
  const std::string_view model = claude ? std::string_view(core::tier_name(*claude)) : std::string_view(rec.model);
  auto actual = quote_cached(actual_cache_, model, *when, error);
  if (!actual) {
    switch (error) {
      case pricing::QuoteError::kUnknownModel:
        return SkipReason::kUnknownModel;
      case pricing::QuoteError::kRetired:
        return SkipReason::kRetiredModel;
      case pricing::QuoteError::kNoPrice:
        return SkipReason::kNoPrice;
    }
  }
  auto flash = quote_cached(flash_cache_, "flash", *when, error);
  auto pro = quote_cached(pro_cache_, "pro", *when, error);
  if (!flash || !pro) return SkipReason::kNoPrice;

  const Money cost = actual->cost(rec.usage);
  const Money if_flash = flash->cost(rec.usage);
  const Money if_pro = pro->cost(rec.usage);
  auto add_to = [&](CostLine& line) {
    line.records += 1;
    line.tokens += rec.usage;
    line.cost += cost;
    line.cost_if_flash += if_flash;
    line.cost_if_pro += if_pro;
  };
  add_to(summary_.total);
  add_to(by_model_[actual->model]);
  add_to(summary_.by_band[static_cast<int>(actual->band)]);

  if (rec.time) {
    if (!summary_.first_time || *rec.time < *summary_.first_time) summary_.first_time = rec.time;
    if (!summary_.last_time || *rec.time > *summary_.last_time) summary_.last_time = rec.time;
  }
  std::int64_t day = core::floor_div(when->unix_seconds, core::kSecondsPerDay);
  if (day != current_day_) {
    current_day_ = day;
    current_day_costs_ = &by_day_[day];
    current_day_costs_->resize(by_model_.size());
  }
  (*current_day_costs_)[actual->model] += cost;
  return std::nullopt;
}

std::vector<std::string> group_values(std::string_view key) {
  std::vector<std::string> values;
  for (std::size_t from = 0;;) {
    const std::size_t sep = key.find(kGroupSeparator, from);
    values.emplace_back(key.substr(from, sep == std::string_view::npos ? std::string_view::npos : sep - from));
    if (sep == std::string_view::npos) return values;
    from = sep + 1;
  }
}

std::optional<SkipReason> CostEngine::add(const UsageRecord& rec, const std::string& group) {
  const CostLine before = summary_.total;
  if (auto reason = add(rec)) return reason;
  CostLine& g = summary_.by_group[group].line;
  g.records += 1;
  g.tokens += rec.usage;
  g.cost += summary_.total.cost - before.cost;
  g.cost_if_flash += summary_.total.cost_if_flash - before.cost_if_flash;
  g.cost_if_pro += summary_.total.cost_if_pro - before.cost_if_pro;
  return std::nullopt;
}

void CostEngine::add_error(const std::string& group) {
  summary_.upstream_errors += 1;
  summary_.by_group[group].errors += 1;
}

void CostEngine::skip(SkipReason reason, std::string_view source, std::int64_t line) {
  SkipSummary& s = summary_.skipped[static_cast<int>(reason)];
  s.count += 1;
  if (s.first_locations.size() < SkipSummary::kMaxLocations)
    s.first_locations.push_back(fmt::format("{}:{}", source, line));
}

core::Result<CostSummary> cost_inputs(const std::vector<std::string>& paths, const pricing::PriceBook& book,
                                      const CostOptions& options, const ProgressFn& progress) {
  CostEngine engine(book, options);
  UsageParser parser;
  // The progress total is known only when every input is a regular file.
  std::optional<std::uint64_t> total_all = 0;
  for (const std::string& path : paths) {
    std::error_code ec;
    auto size = path == "-" ? 0 : std::filesystem::file_size(path, ec);
    if (path == "-" || ec) {
      total_all.reset();
      break;
    }
    *total_all += size;
  }
  std::uint64_t done_before = 0;
  for (const std::string& path : paths) {
    auto opened = LineSource::open(path);
    if (!opened.ok()) return opened.error();
    LineSource& src = **opened;
    parser.begin_input();
    while (true) {
      auto chunk = src.next();
      if (!chunk.ok()) return chunk.error();
      if (!chunk->has_value()) break;
      const LineSource::Chunk& c = **chunk;
      if (c.dropped_line != 0) engine.skip(SkipReason::kLineTooLong, src.name(), c.dropped_line);
      const char* p = c.text.data();
      const char* end = p + c.text.size();
      std::int64_t line_no = c.first_line;
      while (p < end) {
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
        const char* line_end = nl != nullptr ? nl : end;
        std::string_view line(p, static_cast<size_t>(line_end - p));
        size_t readable = c.readable - static_cast<size_t>(p - c.text.data());
        LineOutcome o = parser.parse(line, readable);
        if (o.kind == LineOutcome::Kind::kRecord) {
          if (auto reason = engine.add(o.record)) engine.skip(*reason, src.name(), line_no);
        } else if (o.kind == LineOutcome::Kind::kSkip) {
          engine.skip(o.reason, src.name(), line_no);
        }
        ++line_no;
        p = line_end + 1;
      }
      if (progress) progress(done_before + src.bytes_consumed(), total_all);
    }
    if (src.total_bytes()) done_before += *src.total_bytes();
  }
  return engine.summary();
}

}  // namespace ff::planner
