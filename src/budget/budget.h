// Budgets: admission control per virtual key.
//
// Before an upstream call the gateway reserves the call's estimated cost (its
// prompt at the cache-miss rate plus its output cap at the output rate); the
// call is refused when spent + reserved + estimate would pass any of the key's
// budgets (per UTC day, per UTC month, total). After the call the reservation is
// replaced by the billed cost. So concurrent requests can overspend a budget by
// at most what they were estimated below their bill, never by racing each other.
//
// Spending survives restarts: the book is seeded from the ledger's rows at
// start-up. One instance only (several gateways sharing a budget need a shared
// store). Not thread-safe: the gateway's server thread owns it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/result.h"

namespace ff::budget {

struct Limits {
  std::optional<core::Money> per_day;
  std::optional<core::Money> per_month;
  std::optional<core::Money> total;
};

class BudgetBook {
 public:
  // `key_hash` identifies the key (the ledger stores the same hash).
  void set_limits(const std::string& key_hash, const std::string& key_name, Limits limits);
  // Adds a past call's billed cost (from the ledger) at `unix_ms`.
  void add_spent(const std::string& key_hash, core::Money cost, std::int64_t unix_ms);

  struct Reservation {
    std::string key_hash;
    core::Money amount;
    std::int64_t unix_ms = 0;
  };
  // Reserves `estimate` for a call starting at `unix_ms`, or explains which
  // budget it would pass ("the daily budget of 5 USD of key team-a: 4.98 spent,
  // 0.01 in flight, this call up to 0.02").
  core::Result<Reservation> reserve(const std::string& key_hash, core::Money estimate, std::int64_t unix_ms,
                                    const std::string& currency);
  // Replaces the reservation by the billed cost.
  void settle(const Reservation& r, core::Money billed);

  bool has_limits(const std::string& key_hash) const;

 private:
  struct Account {
    std::string name;
    Limits limits;
    std::map<std::int64_t, core::Money> by_day;    // UTC day index -> spent
    std::map<std::int64_t, core::Money> by_month;  // year * 12 + month -> spent
    core::Money total;
    core::Money reserved;
  };
  std::map<std::string, Account> accounts_;
};

// UTC day index and year*12+month of a Unix-ms instant.
std::int64_t day_index(std::int64_t unix_ms);
std::int64_t month_index(std::int64_t unix_ms);

}  // namespace ff::budget
