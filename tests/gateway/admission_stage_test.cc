// The admission stage (gateway/admission_stage.h) against the real rate and
// budget books, at fixed times: no sockets, no clock.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "gateway/admission_stage.h"

namespace ff::gateway {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;
constexpr std::int64_t kNow = 1'795'485'600'000;
const std::string kKey = "hash-of-team-a";
const std::string kUsd = "USD";

core::Money usd(const char* amount) { return core::parse_money(amount).value(); }

const AdmissionRefusal& refused(const std::variant<Admission, AdmissionRefusal>& v) {
  EXPECT_TRUE(std::holds_alternative<AdmissionRefusal>(v));
  return std::get<AdmissionRefusal>(v);
}

TEST(AdmissionStage, ARateLimitRefusesWithRetryAfterAndTheHeaders) {
  budget::RateBook rates;
  budget::BudgetBook budgets;
  rates.set_limits(kKey, "team-a", {1, std::nullopt, std::nullopt});  // rpm 1
  Headers first_headers;
  auto first = admit(rates, budgets, {kKey, 100, usd("0.01"), kNow, kUsd}, first_headers);
  ASSERT_TRUE(std::holds_alternative<Admission>(first));
  // The window empties a minute after the one request in it: "1m0s".
  EXPECT_EQ(first_headers, (Headers{{"x-ratelimit-limit-requests", "1"},
                                    {"x-ratelimit-remaining-requests", "0"},
                                    {"x-ratelimit-reset-requests", "1m0s"}}));
  Headers second_headers;
  auto second = admit(rates, budgets, {kKey, 100, usd("0.01"), kNow + 1000, kUsd}, second_headers);
  EXPECT_EQ(refused(second).kind, AdmissionRefusal::Kind::kRateLimit);
  EXPECT_EQ(refused(second).code(), "rate_limit_exceeded");
  EXPECT_EQ(refused(second).message, "the rpm limit of key team-a (1 request a minute) is reached");
  // The first request leaves the window 59 s later.
  EXPECT_EQ(refused(second).retry_after_seconds, 59);
  EXPECT_EQ(second_headers, (Headers{{"x-ratelimit-limit-requests", "1"},
                                     {"x-ratelimit-remaining-requests", "0"},
                                     {"x-ratelimit-reset-requests", "59s"}}));
}

TEST(AdmissionStage, ARequestItsBudgetRefusesCountsForNothing) {
  budget::RateBook rates;
  budget::BudgetBook budgets;
  rates.set_limits(kKey, "team-a", {1, std::nullopt, std::nullopt});
  budgets.set_limits(kKey, "team-a", {std::nullopt, std::nullopt, usd("0.01")});
  Headers h;
  auto over = admit(rates, budgets, {kKey, 100, usd("0.02"), kNow, kUsd}, h);
  EXPECT_EQ(refused(over).kind, AdmissionRefusal::Kind::kBudget);
  EXPECT_EQ(refused(over).code(), "budget_exceeded");
  EXPECT_EQ(refused(over).message,
            "the total budget of 0.01 USD of key team-a would be exceeded: 0.00 spent, 0.00 in flight, this call up "
            "to 0.02");
  // Not made, so not in the key's minute: the one request of the rpm limit is still free.
  auto fits = admit(rates, budgets, {kKey, 100, usd("0.005"), kNow, kUsd}, h);
  EXPECT_TRUE(std::holds_alternative<Admission>(fits));
}

TEST(AdmissionStage, ARequestIsInFlightUntilItsAdmissionGoes) {
  budget::RateBook rates;
  budget::BudgetBook budgets;
  rates.set_limits(kKey, "team-a", {std::nullopt, std::nullopt, 1});  // max_concurrent 1
  Headers h;
  std::optional<Admission> held;
  {
    auto first = admit(rates, budgets, {kKey, 100, usd("0.01"), kNow, kUsd}, h);
    ASSERT_TRUE(std::holds_alternative<Admission>(first));
    held.emplace(std::move(std::get<Admission>(first)));
  }  // the moved-from admission goes here, and gives nothing back
  auto second = admit(rates, budgets, {kKey, 100, usd("0.01"), kNow, kUsd}, h);
  EXPECT_EQ(refused(second).message, "the max_concurrent limit of key team-a (1 request at once) is reached");
  EXPECT_EQ(refused(second).retry_after_seconds, 1);
  held.reset();  // the request ends
  auto third = admit(rates, budgets, {kKey, 100, usd("0.01"), kNow, kUsd}, h);
  EXPECT_TRUE(std::holds_alternative<Admission>(third));
}

// Two requests at once against one budget: what is in flight counts, and a
// settled call frees what it did not spend.
TEST(AdmissionStage, ConcurrentRequestsShareTheBudgetInFlight) {
  budget::RateBook rates;
  budget::BudgetBook budgets;
  budgets.set_limits(kKey, "team-a", {std::nullopt, std::nullopt, usd("0.03")});
  Headers h;
  auto first = admit(rates, budgets, {kKey, 100, usd("0.02"), kNow, kUsd}, h);
  ASSERT_TRUE(std::holds_alternative<Admission>(first));
  auto second = admit(rates, budgets, {kKey, 100, usd("0.02"), kNow, kUsd}, h);
  // 0.02 in flight + 0.02 = 0.04 > 0.03.
  EXPECT_EQ(refused(second).message,
            "the total budget of 0.03 USD of key team-a would be exceeded: 0.00 spent, 0.02 in flight, this call up "
            "to 0.02");
  budgets.settle(std::get<Admission>(first).reservation(), usd("0.005"));
  // 0.005 spent + 0.02 = 0.025 <= 0.03.
  auto third = admit(rates, budgets, {kKey, 100, usd("0.02"), kNow, kUsd}, h);
  EXPECT_TRUE(std::holds_alternative<Admission>(third));
  EXPECT_TRUE(h.empty());  // no rpm or tpm limit: no x-ratelimit-* headers
}

}  // namespace
}  // namespace ff::gateway
