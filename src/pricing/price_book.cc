#include "pricing/price_book.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace ff::pricing {

const char* band_name(Band b) {
  switch (b) {
    case Band::kFlat:
      return "flat";
    case Band::kOffPeak:
      return "off_peak";
    case Band::kPeak:
      return "peak";
  }
  return "flat";
}

PriceBook::PriceBook(std::string source_name, std::vector<Model> models, std::vector<Alias> aliases,
                     std::vector<Retirement> retirements, std::vector<RateRow> rows, PeakSchedule schedule)
    : source_name_(std::move(source_name)),
      models_(std::move(models)),
      aliases_(std::move(aliases)),
      retirements_(std::move(retirements)),
      rows_(std::move(rows)),
      schedule_(std::move(schedule)) {
  std::sort(aliases_.begin(), aliases_.end(),
            [](const Alias& a, const Alias& b) { return std::tie(a.id, a.from) < std::tie(b.id, b.from); });
  std::stable_sort(rows_.begin(), rows_.end(), [](const RateRow& a, const RateRow& b) {
    return std::tie(a.model, a.currency, a.from) < std::tie(b.model, b.currency, b.from);
  });
  for (int i = 0; i < static_cast<int>(aliases_.size()); ++i) aliases_by_id_[aliases_[i].id].push_back(i);
}

std::optional<int> PriceBook::find_model(std::string_view id) const {
  for (int i = 0; i < static_cast<int>(models_.size()); ++i) {
    if (models_[i].id == id) return i;
  }
  return std::nullopt;
}

std::vector<std::string> PriceBook::currencies() const {
  std::set<std::string> s;
  for (const RateRow& r : rows_) s.insert(r.currency);
  return {s.begin(), s.end()};
}

const RateRow* PriceBook::row_at(int model, core::Timestamp t, std::string_view currency) const {
  for (const RateRow& r : rows_) {
    if (r.model == model && r.currency == currency && r.from <= t && t < r.until) return &r;
  }
  return nullptr;
}

std::optional<PriceBook::Resolution> PriceBook::resolve(std::string_view id, core::Timestamp t,
                                                        QuoteError& error) const {
  core::Timestamp retired_at = kEndOfTime;
  for (const Retirement& r : retirements_) {
    if (r.id == id) retired_at = std::min(retired_at, r.at);
  }
  if (t >= retired_at) {
    error = QuoteError::kRetired;
    return std::nullopt;
  }
  auto it = aliases_by_id_.find(id);
  core::Timestamp gap_from = kBeginningOfTime, gap_until = retired_at;
  if (it != aliases_by_id_.end()) {
    for (int i : it->second) {
      const Alias& a = aliases_[i];
      if (a.from <= t && t < a.until) return Resolution{a.model, a.from, std::min(a.until, retired_at)};
      if (a.until <= t) gap_from = std::max(gap_from, a.until);
      if (a.from > t) gap_until = std::min(gap_until, a.from);
    }
  }
  if (auto m = find_model(id)) return Resolution{*m, gap_from, gap_until};
  error = (it != aliases_by_id_.end() || retired_at != kEndOfTime) ? QuoteError::kNoPrice : QuoteError::kUnknownModel;
  return std::nullopt;
}

QuoteResult PriceBook::quote(std::string_view id, core::Timestamp t, std::string_view currency) const {
  QuoteResult out;
  auto res = resolve(id, t, out.error);
  if (!res) return out;
  const RateRow* row = row_at(res->model, t, currency);
  if (row == nullptr) {
    out.error = QuoteError::kNoPrice;
    return out;
  }
  Quote q;
  q.model = res->model;
  q.valid_from = std::max(res->from, row->from);
  q.valid_until = std::min(res->until, row->until);
  if (row->flat) {
    q.band = Band::kFlat;
    q.rates = *row->flat;
  } else {
    PeakSchedule::Span span = schedule_.at(t);
    q.band = span.peak ? Band::kPeak : Band::kOffPeak;
    q.rates = span.peak ? *row->peak : *row->off_peak;
    q.valid_from = t;  // the band's own start is not computed; t is a safe lower bound
    q.valid_until = std::min(q.valid_until, span.until);
  }
  out.quote = q;
  return out;
}

std::string PriceBook::explain(QuoteError error, std::string_view id, core::Timestamp t,
                               std::string_view currency) const {
  switch (error) {
    case QuoteError::kUnknownModel:
      return fmt::format("model '{}' is not in the price book {}", id, source_name_);
    case QuoteError::kRetired:
      for (const Retirement& r : retirements_) {
        if (r.id == id && r.at <= t) return fmt::format("model '{}' was retired at {}", id, core::format_time(r.at));
      }
      return fmt::format("model '{}' is retired", id);
    case QuoteError::kNoPrice:
      return fmt::format("no {} price for '{}' at {} in {}", currency, id, core::format_time(t), source_name_);
  }
  return "unknown pricing error";
}

}  // namespace ff::pricing
