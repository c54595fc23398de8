// The admission stage: whether a routed request may be made now, and what it
// holds while it is made.
//   - Rate limits: the request counts once in its key's minute (its input and
//     the output it reserves) and is in flight until it ends, whatever its path
//     (max_concurrent). A refusal is a 429 `rate_limit_exceeded` with
//     Retry-After.
//   - Budget: the most the call can cost is reserved before it is made, and
//     settled with the billed cost after. A refusal is a 429 `budget_exceeded`;
//     the request then counts for nothing in its key's minute.
// Every admitted request of a key with rpm or tpm limits answers with OpenAI's
// x-ratelimit-* headers, refused or not.
//
// Server's thread only (the books are the gateway's, unsynchronised).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "budget/budget.h"
#include "budget/rate_limit.h"
#include "core/money.h"

namespace ff::gateway {

struct AdmissionRequest {
  const std::string& key_hash;
  std::int64_t rate_tokens = 0;  // the input and the output reserved
  core::Money estimate;          // the most the call can cost
  std::int64_t now_ms = 0;
  const std::string& currency;
};

// An admitted request: its budget reservation, and its place in flight, given
// back when this goes (moved, it goes with its new owner).
class Admission {
 public:
  Admission(budget::RateBook& rates, const std::string& key_hash, budget::BudgetBook::Reservation reservation)
      : rates_(&rates), key_hash_(key_hash), reservation_(std::move(reservation)) {}
  Admission(Admission&& o) noexcept
      : rates_(std::exchange(o.rates_, nullptr)), key_hash_(o.key_hash_), reservation_(std::move(o.reservation_)) {}
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;
  Admission& operator=(Admission&&) = delete;
  ~Admission() {
    if (rates_ != nullptr) rates_->release(key_hash_);
  }
  const budget::BudgetBook::Reservation& reservation() const { return reservation_; }

 private:
  budget::RateBook* rates_;  // null once moved from
  const std::string& key_hash_;
  budget::BudgetBook::Reservation reservation_;
};

struct AdmissionRefusal {
  enum class Kind { kRateLimit, kBudget };
  Kind kind = Kind::kRateLimit;
  std::string message;                   // which limit or budget, for the client
  std::int64_t retry_after_seconds = 0;  // for kRateLimit

  // The error code the client gets.
  std::string_view code() const { return kind == Kind::kRateLimit ? "rate_limit_exceeded" : "budget_exceeded"; }
};

// Admits `request` or refuses it; the x-ratelimit-* headers go to `headers`
// either way.
std::variant<Admission, AdmissionRefusal> admit(budget::RateBook& rates, budget::BudgetBook& budgets,
                                                const AdmissionRequest& request,
                                                std::vector<std::pair<std::string, std::string>>& headers);

}  // namespace ff::gateway
