#include "dashboard/spend_index.h"

#include <algorithm>

#include "core/time.h"

namespace ff::dashboard {

namespace {

constexpr std::int64_t kMsPerHour = 3'600'000;
constexpr std::int64_t kRecentMs = 5 * 60'000;  // how far back live figures can look
constexpr std::uint8_t kUnknownTier = 2;

const char* tier_label(std::uint8_t t) { return t == 0 ? "flash" : t == 1 ? "pro" : "?"; }

}  // namespace

void SpendLine::add(const SpendLine& o) {
  line.records += o.line.records;
  line.tokens += o.line.tokens;
  line.cost += o.line.cost;
  line.cost_if_flash += o.line.cost_if_flash;
  line.cost_if_pro += o.line.cost_if_pro;
  errors += o.errors;
  skipped += o.skipped;
  escalations += o.escalations;
  pro_calls += o.pro_calls;
}

SpendIndex::SpendIndex(const pricing::PriceBook& book, std::string currency)
    : book_(book), currency_(std::move(currency)), engine_(book, planner::CostOptions{currency_, std::nullopt}) {}

std::uint16_t SpendIndex::intern(std::vector<std::string>& names, const std::string& name) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<std::uint16_t>(i);
  }
  // Categories and models are a handful; past 65535 distinct names the last
  // one stands for the rest (a ledger written by hand could have that many).
  if (names.size() == 0xFFFF) return 0xFFFE;
  names.push_back(name);
  return static_cast<std::uint16_t>(names.size() - 1);
}

std::uint32_t SpendIndex::key_index(const ledger::Row& row) {
  std::string id = row.key_hash;
  id.push_back('\n');
  id += row.key_name;
  auto [it, inserted] = key_of_hash_.try_emplace(std::move(id), static_cast<std::uint32_t>(keys_.size()));
  if (inserted) keys_.push_back({row.key_hash, row.key_name});
  return it->second;
}

bool SpendIndex::key_matches(std::uint32_t key, const std::string& hash, const std::string& name) const {
  const KeyInfo& k = keys_[key];
  return (hash.empty() || k.hash == hash) && (name.empty() || k.name == name);
}

std::string SpendIndex::key_label(std::uint32_t key) const {
  const KeyInfo& k = keys_[key];
  // As `cost --ledger --by key` names a key without a name.
  return k.name.empty() ? "(unnamed, " + k.hash.substr(0, 8) + ")" : k.name;
}

void SpendIndex::add(std::int64_t seq, const ledger::Row& row) {
  std::lock_guard lock(mu_);
  last_seq_ = std::max(last_seq_, seq);
  const core::Timestamp start{core::floor_div(row.start_ms, 1000)};
  CellKey ck;
  ck.hour = core::floor_div(row.start_ms, kMsPerHour);
  ck.key = key_index(row);
  ck.category = intern(categories_, row.category);
  ck.model = intern(models_, row.routed_model);
  const auto tier = book_.tier_of(row.routed_model, start, currency_);
  ck.tier = tier ? static_cast<std::uint8_t>(*tier == core::Tier::kPro ? 1 : 0) : kUnknownTier;
  SpendLine& cell = cells_[ck];
  const bool escalated = !row.escalated_from.empty() && row.reason.rfind("escalated", 0) == 0;
  if (escalated) ++cell.escalations;
  if (row.status != 200 && row.usage.total() == 0) {
    ++cell.errors;  // the upstream answered an error: nothing was billed
  } else if (row.usage.total() == 0) {
    ++cell.skipped;
  } else {
    const planner::CostLine before = engine_.total();
    planner::UsageRecord rec{row.routed_model, start, row.usage};
    if (engine_.add(rec)) {
      ++cell.skipped;
    } else {
      const planner::CostLine& after = engine_.total();
      cell.line.records += 1;
      cell.line.tokens += row.usage;
      cell.line.cost += after.cost - before.cost;
      cell.line.cost_if_flash += after.cost_if_flash - before.cost_if_flash;
      cell.line.cost_if_pro += after.cost_if_pro - before.cost_if_pro;
      if (ck.tier == 1) ++cell.pro_calls;
    }
  }
  Entry e;
  e.seq = seq;
  e.start_s = static_cast<std::uint32_t>(std::clamp<std::int64_t>(start.unix_seconds, 0, UINT32_MAX));
  e.key = ck.key;
  e.category = ck.category;
  e.status = static_cast<std::int16_t>(std::clamp(row.status, -1, 999));
  e.tier = ck.tier;
  e.escalated = escalated;
  if (entries_.empty() || entries_.back().seq < seq) {
    entries_.push_back(e);
  } else {
    // A row committed late (a gap filled): in position order, as list() walks them.
    entries_.insert(std::lower_bound(entries_.begin(), entries_.end(), seq,
                                     [](const Entry& x, std::int64_t s) { return x.seq < s; }),
                    e);
  }
  if (!row.escalated_from.empty()) successors_[row.escalated_from] = seq;
  recent_.push_back({row.end_ms, row.end_ms - row.start_ms, ck.key});
  // Keep the calls of the last few minutes of the ledger's time; trim in halves.
  if (recent_.size() > 4096 && recent_[recent_.size() / 2].end_ms < row.end_ms - kRecentMs) {
    recent_.erase(recent_.begin(), recent_.begin() + static_cast<std::ptrdiff_t>(recent_.size() / 2));
  }
}

SpendResult SpendIndex::spend(const SpendQuery& q) const {
  std::lock_guard lock(mu_);
  SpendResult out;
  std::map<std::vector<std::string>, SpendLine> groups;
  auto it = q.from_ms ? cells_.lower_bound(CellKey{core::floor_div(*q.from_ms, kMsPerHour), 0, 0, 0, 0})
                      : cells_.begin();
  const std::int64_t end_hour = q.to_ms ? core::floor_div(*q.to_ms, kMsPerHour) : INT64_MAX;
  std::vector<std::string> values;
  for (; it != cells_.end() && it->first.hour < end_hour; ++it) {
    const CellKey& k = it->first;
    if (!key_matches(k.key, q.key_hash, q.key_name)) continue;
    const SpendLine& cell = it->second;
    out.total.add(cell);
    const std::int64_t hour_ms = k.hour * kMsPerHour;
    if (!out.first_ms || hour_ms < *out.first_ms) out.first_ms = hour_ms;
    if (!out.last_ms || hour_ms > *out.last_ms) out.last_ms = hour_ms;
    if (q.by.empty()) continue;
    values.clear();
    for (const std::string& d : q.by) {
      if (d == "key") {
        values.push_back(key_label(k.key));
      } else if (d == "category") {
        values.push_back(categories_[k.category]);
      } else if (d == "tier") {
        values.emplace_back(tier_label(k.tier));
      } else if (d == "model") {
        values.push_back(models_[k.model]);
      } else if (d == "day") {
        values.push_back(core::format_time(core::Timestamp{k.hour * 3600}).substr(0, 10));
      } else if (d == "hour") {
        values.push_back(core::format_time(core::Timestamp{k.hour * 3600}).substr(0, 13) + ":00Z");
      }
    }
    groups[values].add(cell);
  }
  for (auto& [v, line] : groups) out.groups.push_back({v, line});
  return out;
}

std::vector<std::int64_t> SpendIndex::list(const RequestFilter& f, std::int64_t before, std::size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<std::int64_t> out;
  auto end = before > 0 ? std::lower_bound(entries_.begin(), entries_.end(), before,
                                           [](const Entry& e, std::int64_t s) { return e.seq < s; })
                        : entries_.end();
  // Names to indexes once, so that the walk compares integers.
  std::optional<std::uint16_t> category;
  if (!f.category.empty()) {
    auto c = std::find(categories_.begin(), categories_.end(), f.category);
    if (c == categories_.end()) return out;
    category = static_cast<std::uint16_t>(c - categories_.begin());
  }
  std::vector<bool> key_ok(keys_.size());
  for (std::uint32_t k = 0; k < keys_.size(); ++k) key_ok[k] = key_matches(k, f.key_hash, f.key_name);
  const int tier = f.tier == "flash" ? 0 : f.tier == "pro" ? 1 : -1;
  int status = 0;  // 0: any; -1 ok; -2 error; else that code
  if (f.status == "ok") {
    status = -1;
  } else if (f.status == "error") {
    status = -2;
  } else if (!f.status.empty()) {
    status = std::stoi(f.status);  // checked by the caller
  }
  const std::int64_t from_s = f.from_ms ? core::floor_div(*f.from_ms + 999, 1000) : INT64_MIN;
  const std::int64_t to_s = f.to_ms ? core::floor_div(*f.to_ms + 999, 1000) : INT64_MAX;
  for (auto it = end; it != entries_.begin() && out.size() < limit;) {
    --it;
    const Entry& e = *it;
    if (!key_ok[e.key]) continue;
    if (category && e.category != *category) continue;
    if (tier >= 0 && e.tier != tier) continue;
    if (status == -1 ? e.status != 200 : status == -2 ? e.status == 200 : status != 0 && e.status != status) continue;
    if (e.start_s < from_s || e.start_s >= to_s) continue;
    out.push_back(e.seq);
  }
  return out;
}

std::optional<std::int64_t> SpendIndex::successor_of(const std::string& request_id) const {
  std::lock_guard lock(mu_);
  auto it = successors_.find(request_id);
  if (it == successors_.end()) return std::nullopt;
  return it->second;
}

LiveStats SpendIndex::live(std::int64_t now_ms, const std::string& key_hash, std::int64_t window_s) const {
  std::lock_guard lock(mu_);
  LiveStats s;
  s.window_s = window_s;
  std::vector<std::int64_t> latencies;
  for (auto it = recent_.rbegin(); it != recent_.rend(); ++it) {
    if (it->end_ms > now_ms) continue;
    if (it->end_ms <= now_ms - window_s * 1000) continue;
    if (!key_hash.empty() && keys_[it->key].hash != key_hash) continue;
    latencies.push_back(it->latency_ms);
  }
  s.calls = static_cast<std::int64_t>(latencies.size());
  s.per_second = static_cast<double>(s.calls) / static_cast<double>(window_s);
  if (!latencies.empty()) {
    std::sort(latencies.begin(), latencies.end());
    // Nearest rank: the smallest value with at least p% of the values at or below it.
    auto rank = [&](int p) {
      const std::size_t n = latencies.size();
      const std::size_t r = (n * static_cast<std::size_t>(p) + 99) / 100;
      return latencies[std::max<std::size_t>(r, 1) - 1];
    };
    s.p50_ms = rank(50);
    s.p99_ms = rank(99);
  }
  return s;
}

std::int64_t SpendIndex::rows() const {
  std::lock_guard lock(mu_);
  return static_cast<std::int64_t>(entries_.size());
}

std::int64_t SpendIndex::last_seq() const {
  std::lock_guard lock(mu_);
  return last_seq_;
}

std::size_t SpendIndex::memory_bytes() const {
  std::lock_guard lock(mu_);
  // A map node holds its key, value and about four pointers' worth of links.
  return entries_.capacity() * sizeof(Entry) + cells_.size() * (sizeof(CellKey) + sizeof(SpendLine) + 32) +
         recent_.capacity() * sizeof(Recent);
}

}  // namespace ff::dashboard
