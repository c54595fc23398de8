#include "eval/stats.h"

#include <algorithm>
#include <cmath>

namespace ff::eval {

Interval wilson95(std::int64_t passed, std::int64_t n) {
  if (n <= 0) return {0, 1};
  constexpr double z = 1.959963984540054;
  const double nn = static_cast<double>(n), p = static_cast<double>(passed) / nn;
  const double denom = 1 + z * z / nn;
  const double center = (p + z * z / (2 * nn)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / denom;
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

double mcnemar_exact(std::int64_t b, std::int64_t c) {
  const std::int64_t n = b + c;
  if (n == 0) return 1;
  const std::int64_t k = std::min(b, c);
  // P(X <= k) for X ~ Binomial(n, 1/2), summed in logs: exact enough for any n here.
  double tail = 0;
  for (std::int64_t i = 0; i <= k; ++i) {
    tail += std::exp(std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(i) + 1) -
                     std::lgamma(static_cast<double>(n - i) + 1) - static_cast<double>(n) * std::log(2.0));
  }
  return std::min(1.0, 2 * tail);
}

std::optional<std::int64_t> pairs_to_decide(std::int64_t pairs, std::int64_t b, std::int64_t c) {
  if (c <= b || pairs <= 0) return std::nullopt;
  if (mcnemar_exact(b, c) < 0.05) return 0;
  // Scale the discordant counts with the number of pairs until the test decides.
  for (std::int64_t more = 1; more <= 100 * pairs + 10'000; more += std::max<std::int64_t>(1, more / 20)) {
    const double scale = static_cast<double>(pairs + more) / static_cast<double>(pairs);
    const auto bb = static_cast<std::int64_t>(std::llround(static_cast<double>(b) * scale));
    const auto cc = static_cast<std::int64_t>(std::llround(static_cast<double>(c) * scale));
    if (mcnemar_exact(bb, cc) < 0.05) return more;
  }
  return std::nullopt;
}

}  // namespace ff::eval
