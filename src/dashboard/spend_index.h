// SpendIndex: what the dashboard answers from, kept in memory as the ledger grows.
//
// Each ledger row is priced once, as `flashfirst cost --ledger` prices it (from
// its usage at its start time: as billed, all on Flash, all on Pro), and added to
// one cell per UTC hour, key, category, tier and model. A spend query sums the
// cells of its range, so it costs the number of cells, not of rows, and its
// figures are exactly the report's for the same rows (ranges are whole hours).
//
// For the request list every row also keeps a small entry (position, start,
// key, category, tier, status, escalated: 24 bytes); a list query walks them
// from the newest and the rows themselves are read from the ledger by position.
//
// Thread-safe: one thread adds (the dashboard's follower), others query.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/money.h"
#include "ledger/ledger.h"
#include "planner/cost_engine.h"
#include "pricing/price_book.h"

namespace ff::dashboard {

// The dimensions a spend query groups by.
inline constexpr const char* kSpendDimensions[] = {"key", "category", "tier", "model", "day", "hour"};

struct SpendQuery {
  std::optional<std::int64_t> from_ms, to_ms;  // calls that started in [from, to); whole UTC hours
  std::vector<std::string> by;                 // of kSpendDimensions, in this order
  std::string key_hash;                        // only this key's calls ("" for all)
  std::string key_name;                        // only the key of this name ("" for all)
};

struct SpendLine {
  planner::CostLine line;         // priced calls
  std::int64_t errors = 0;        // calls the upstream answered with an error (nothing billed)
  std::int64_t skipped = 0;       // calls that could not be priced
  std::int64_t escalations = 0;   // calls made because Flash's answer failed its check
  std::int64_t pro_calls = 0;     // priced calls on the Pro tier
  void add(const SpendLine& o);
};

struct SpendGroup {
  std::vector<std::string> values;  // one per dimension of the query
  SpendLine spend;
};

struct SpendResult {
  SpendLine total;
  std::vector<SpendGroup> groups;  // in the order of their values
  std::optional<std::int64_t> first_ms, last_ms;  // starts of the first and last call counted
};

struct RequestFilter {
  std::string key_hash;  // "" for all
  std::string key_name;  // "" for all
  std::string category;  // "" for all
  std::string tier;      // "flash", "pro" or "" for all
  std::string status;    // "ok" (200), "error" (any other), a status code, or "" for all
  std::optional<std::int64_t> from_ms, to_ms;
};

// Calls completed in a recent window: their rate and latency percentiles.
struct LiveStats {
  std::int64_t window_s = 60;
  std::int64_t calls = 0;
  double per_second = 0;
  std::optional<std::int64_t> p50_ms, p99_ms;  // end - start of the calls in the window
};

class SpendIndex {
 public:
  SpendIndex(const pricing::PriceBook& book, std::string currency);

  // Adds one ledger row at position `seq`: in position order, but for a row
  // committed late (another gateway's, on a shared ledger), which goes in its place.
  void add(std::int64_t seq, const ledger::Row& row);

  SpendResult spend(const SpendQuery& q) const;
  // Positions of the newest `limit` calls before position `before` (0: the
  // newest) that pass `filter`, newest first.
  std::vector<std::int64_t> list(const RequestFilter& filter, std::int64_t before, std::size_t limit) const;
  // The position of the call that escalated (or fell back from) `request_id`, if any.
  std::optional<std::int64_t> successor_of(const std::string& request_id) const;
  // Calls that ended in (now - window, now].
  LiveStats live(std::int64_t now_ms, const std::string& key_hash, std::int64_t window_s = 60) const;

  std::int64_t rows() const;
  std::int64_t last_seq() const;
  // Bytes held for the rows (entries and cells), for the benchmark's report.
  std::size_t memory_bytes() const;

 private:
  struct CellKey {
    std::int64_t hour = 0;  // Unix hours
    std::uint32_t key = 0;  // index into keys_
    std::uint16_t category = 0;
    std::uint16_t model = 0;
    std::uint8_t tier = 0;  // 0 flash, 1 pro, 2 unknown
    auto operator<=>(const CellKey&) const = default;
  };
  struct Entry {
    std::int64_t seq = 0;
    std::uint32_t start_s = 0;  // Unix seconds
    std::uint32_t key = 0;
    std::uint16_t category = 0;
    std::int16_t status = 0;
    std::uint8_t tier = 0;
    bool escalated = false;
  };
  struct Recent {
    std::int64_t end_ms = 0;
    std::int64_t latency_ms = 0;
    std::uint32_t key = 0;
  };
  struct KeyInfo {
    std::string hash, name;
  };

  std::uint32_t key_index(const ledger::Row& row);
  static std::uint16_t intern(std::vector<std::string>& names, const std::string& name);
  bool key_matches(std::uint32_t key, const std::string& hash, const std::string& name) const;
  std::string key_label(std::uint32_t key) const;

  const pricing::PriceBook& book_;
  const std::string currency_;
  mutable std::mutex mu_;
  planner::CostEngine engine_;  // prices rows (its totals are read per row)
  std::vector<KeyInfo> keys_;
  std::unordered_map<std::string, std::uint32_t> key_of_hash_;  // hash + '\n' + name
  std::vector<std::string> categories_, models_;
  std::map<CellKey, SpendLine> cells_;
  std::vector<Entry> entries_;
  std::vector<Recent> recent_;  // the last calls to end, oldest first (trimmed to a window)
  std::unordered_map<std::string, std::int64_t> successors_;
  std::int64_t last_seq_ = 0;
};

}  // namespace ff::dashboard
