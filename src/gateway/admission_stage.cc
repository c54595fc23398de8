#include "gateway/admission_stage.h"

#include <fmt/format.h>

namespace ff::gateway {

namespace {

// OpenAI's rate-limit headers, for a key with rpm or tpm limits.
void add_rate_headers(std::vector<std::pair<std::string, std::string>>& h, const budget::RateBook::Admission& a) {
  for (auto [w, what] : {std::pair{&a.requests, "requests"}, std::pair{&a.tokens, "tokens"}}) {
    if (!*w) continue;
    h.emplace_back(fmt::format("x-ratelimit-limit-{}", what), std::to_string((*w)->limit));
    h.emplace_back(fmt::format("x-ratelimit-remaining-{}", what), std::to_string((*w)->remaining));
    h.emplace_back(fmt::format("x-ratelimit-reset-{}", what), budget::reset_text((*w)->reset_ms));
  }
}

}  // namespace

std::variant<Admission, AdmissionRefusal> admit(budget::RateBook& rates, budget::BudgetBook& budgets,
                                                const AdmissionRequest& request,
                                                std::vector<std::pair<std::string, std::string>>& headers) {
  const budget::RateBook::Admission rated = rates.admit(request.key_hash, request.rate_tokens, request.now_ms);
  add_rate_headers(headers, rated);
  if (!rated.admitted) {
    return AdmissionRefusal{AdmissionRefusal::Kind::kRateLimit, rated.refusal, (rated.retry_after_ms + 999) / 1000};
  }
  auto reservation = budgets.reserve(request.key_hash, request.estimate, request.now_ms, request.currency);
  if (!reservation.ok()) {
    rates.undo(request.key_hash, request.rate_tokens, request.now_ms);  // not made: it counts for nothing
    return AdmissionRefusal{AdmissionRefusal::Kind::kBudget, reservation.error().message, 0};
  }
  return Admission(rates, request.key_hash, std::move(*reservation));
}

}  // namespace ff::gateway
