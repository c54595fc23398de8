#include "budget/budget.h"

#include <fmt/format.h>

namespace ff::budget {

namespace {
constexpr std::int64_t kMsPerDay = 86'400'000;

// Days since 1970-01-01 -> civil year and month (Howard Hinnant's algorithm).
std::pair<std::int64_t, int> year_month(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month};
}
}  // namespace

std::int64_t day_index(std::int64_t unix_ms) {
  return unix_ms >= 0 ? unix_ms / kMsPerDay : -((-unix_ms + kMsPerDay - 1) / kMsPerDay);
}

std::int64_t month_index(std::int64_t unix_ms) {
  auto [y, m] = year_month(day_index(unix_ms));
  return y * 12 + (m - 1);
}

void BudgetBook::set_limits(const std::string& key_hash, const std::string& key_name, Limits limits) {
  Account& a = accounts_[key_hash];
  a.name = key_name;
  a.limits = limits;
}

bool BudgetBook::has_limits(const std::string& key_hash) const {
  auto it = accounts_.find(key_hash);
  return it != accounts_.end() && (it->second.limits.per_day || it->second.limits.per_month || it->second.limits.total);
}

void BudgetBook::add_spent(const std::string& key_hash, core::Money cost, std::int64_t unix_ms) {
  auto it = accounts_.find(key_hash);
  if (it == accounts_.end()) return;  // a key without budgets (or no longer configured)
  Account& a = it->second;
  a.by_day[day_index(unix_ms)] += cost;
  a.by_month[month_index(unix_ms)] += cost;
  a.total += cost;
}

core::Result<BudgetBook::Reservation> BudgetBook::reserve(const std::string& key_hash, core::Money estimate,
                                                          std::int64_t unix_ms, const std::string& currency) {
  Reservation r{key_hash, estimate, unix_ms};
  auto it = accounts_.find(key_hash);
  if (it == accounts_.end()) return r;
  Account& a = it->second;
  auto check = [&](const std::optional<core::Money>& limit, core::Money spent,
                   const char* what) -> std::optional<std::string> {
    if (!limit) return std::nullopt;
    core::Money after = spent;
    after += a.reserved;
    after += estimate;
    if (after.femto() <= limit->femto()) return std::nullopt;
    return fmt::format("the {} budget of {} {} of key {} would be exceeded: {} spent, {} in flight, this call up to {}",
                       what, limit->to_decimal(), currency, a.name, spent.to_decimal(), a.reserved.to_decimal(),
                       estimate.to_decimal());
  };
  const core::Money day = a.by_day[day_index(unix_ms)];
  const core::Money month = a.by_month[month_index(unix_ms)];
  for (auto e : {check(a.limits.per_day, day, "daily"), check(a.limits.per_month, month, "monthly"),
                 check(a.limits.total, a.total, "total")}) {
    if (e) return core::make_error(*e);
  }
  a.reserved += estimate;
  return r;
}

void BudgetBook::settle(const Reservation& r, core::Money billed) {
  auto it = accounts_.find(r.key_hash);
  if (it == accounts_.end()) return;
  Account& a = it->second;
  a.reserved -= r.amount;
  a.by_day[day_index(r.unix_ms)] += billed;
  a.by_month[month_index(r.unix_ms)] += billed;
  a.total += billed;
}

}  // namespace ff::budget
